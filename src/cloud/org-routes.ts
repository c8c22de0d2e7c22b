/**
 * The organization API v1 (`/admin/v1/orgs/...`, the saved OpenAPI file; TARGETS 2.1): the org, its managed
 * accounts, user and group search, verified domains, and the directory calls — suspend, restore and remove a
 * user, create and delete a group, add and remove a member. Pages follow cursors (`links.next`: a URL on GET
 * lists, a cursor on POST searches). Events and policies are not served.
 */
import { json, noContent, type RequestContext, type Route } from './http.js';
import type { AccountRow, CloudOrg } from './org-model.js';
import { bodyOf, booleanOf, eqContains, expandOf, limitOf, passes, strings, stringField } from './org-request.js';
import { decodeCursor, domainModel, orgModel, publicGroup, publicUser, slice, v1User } from './org-views.js';
import { notFound } from './refusal.js';

const ORG = '/admin/v1/orgs/:orgId';
const GET_PAGE = 100;

/** GET list pages: `links.self` and `links.next` are URLs carrying the cursor. */
function urlPage<T>(context: RequestContext, items: readonly T[]) {
  const page = slice(items, decodeCursor(context.query.get('cursor')), GET_PAGE);
  const self = `${context.base}${context.path}`;
  const cursor = context.query.get('cursor');
  return {
    rows: page.rows,
    links: { self: cursor ? `${self}?cursor=${encodeURIComponent(cursor)}` : self, ...(page.next ? { next: `${self}?cursor=${page.next}` } : {}) },
  };
}

const emailParts = (account: AccountRow): [string, string] => {
  const at = account.email_lower.lastIndexOf('@');
  return [account.email_lower.slice(0, at), account.email_lower.slice(at + 1)];
};

export function orgRoutesV1(org: CloudOrg): Route[] {
  const message = (text: string) => json(200, { message: text });
  const orgId = org.identity.orgId;
  const routes: Array<[string, string, Route['handler']]> = [
    ['GET', '/admin/v1/orgs', (context) => json(200, { data: [orgModel(org, context.base)], links: { self: `${context.base}${context.path}` } })],
    ['GET', ORG, (context) => json(200, { data: orgModel(org, context.base) })],
    [
      'GET',
      `${ORG}/users`,
      (context) => {
        const managed = org.orgAccounts().filter((account) => org.isManaged(account));
        const page = urlPage(context, managed);
        return json(200, { data: page.rows.map((account) => v1User(org, account, context.base)), meta: { total: managed.length }, links: page.links });
      },
    ],
    [
      'POST',
      `${ORG}/users/search`,
      (context) => {
        const body = bodyOf(context);
        const accountIds = strings(body, 'accountIds', 100);
        const accountTypes = strings(body, 'accountTypes');
        const statuses = strings(body, 'accountStatuses')?.map((status) => status.toLowerCase()) ?? null;
        const names = eqContains(body, 'namesOrNicknames');
        const usernames = eqContains(body, 'emailUsernames');
        const domains = eqContains(body, 'emailDomains');
        const suspended = booleanOf(body, 'isSuspended');
        const limit = limitOf(body, 10000, 10000);
        const expand = expandOf(body);
        const found = org.orgAccounts().filter((account) => {
          const [username, domain] = emailParts(account);
          return (
            (accountIds === null || accountIds.includes(account.account_id)) &&
            (accountTypes === null || accountTypes.includes('atlassian')) &&
            (statuses === null || statuses.includes(account.status)) &&
            (names === null || passes(account.name, names) || passes(account.nickname, names)) &&
            passes(username, usernames) &&
            passes(domain, domains) &&
            (suspended === null || (org.directoryUser(account.account_id)?.status === 'suspended') === suspended)
          );
        });
        const page = slice(found, decodeCursor(body.cursor), limit);
        return json(200, {
          data: page.rows.map((account) => publicUser(org, account, expand)),
          links: page.next ? { next: page.next } : {},
        });
      },
    ],
    [
      'POST',
      `${ORG}/groups/search`,
      (context) => {
        const body = bodyOf(context);
        const groupIds = strings(body, 'groupIds', 100);
        const names = eqContains(body, 'groupNames');
        const limit = limitOf(body, 1000, 1000);
        const expand = expandOf(body);
        const found = org.groups().filter((group) => (groupIds === null || groupIds.includes(group.id)) && passes(group.name, names));
        const page = slice(found, decodeCursor(body.cursor), limit);
        return json(200, { data: page.rows.map((group) => publicGroup(org, group, expand)), links: page.next ? { next: page.next } : {} });
      },
    ],
    [
      'GET',
      `${ORG}/domains`,
      (context) => {
        const page = urlPage(context, org.domains());
        return json(200, { data: page.rows.map((domain) => domainModel(org, domain, context.base)), links: page.links });
      },
    ],
    [
      'GET',
      `${ORG}/domains/:domainId`,
      (context) => {
        const domain = org.domain(context.params.domainId as string);
        if (!domain) throw notFound(`no domain with the id ${context.params.domainId} in this organization`, 'ADMIN-404-3');
        return json(200, { data: domainModel(org, domain, context.base) });
      },
    ],
    [
      'DELETE',
      `${ORG}/directory/users/:accountId`,
      (context) => {
        org.removeFromDirectory(context.params.accountId as string);
        return noContent();
      },
    ],
    [
      'POST',
      `${ORG}/directory/users/:accountId/suspend-access`,
      (context) => {
        org.setDirectoryStatus(context.params.accountId as string, 'suspended');
        return message(`Access to organization ${orgId} was suspended for user ${context.params.accountId}`);
      },
    ],
    [
      'POST',
      `${ORG}/directory/users/:accountId/restore-access`,
      (context) => {
        org.setDirectoryStatus(context.params.accountId as string, 'active');
        return message(`Access to organization ${orgId} was restored for user ${context.params.accountId}`);
      },
    ],
    [
      'POST',
      `${ORG}/directory/groups`,
      (context) => {
        const body = bodyOf(context, true);
        const group = org.createOrgGroup(body.name, body.description);
        return json(200, { message: `Group ${group.name} was created`, groupId: group.id });
      },
    ],
    [
      'DELETE',
      `${ORG}/directory/groups/:groupId`,
      (context) => {
        const group = org.deleteOrgGroup(context.params.groupId as string, context.query.get('forceIfNotEmpty') === 'true');
        return message(`Group ${group.id} was removed`);
      },
    ],
    [
      'POST',
      `${ORG}/directory/groups/:groupId/memberships`,
      (context) => {
        const accountId = stringField(bodyOf(context, true), 'account_id');
        const { group } = org.addOrgMember(context.params.groupId as string, accountId);
        return message(`User ${accountId} was added to group ${group.id}`);
      },
    ],
    [
      'DELETE',
      `${ORG}/directory/groups/:groupId/memberships/:accountId`,
      (context) => {
        org.removeOrgMember(context.params.groupId as string, context.params.accountId as string);
        return message(`User ${context.params.accountId} was removed from group ${context.params.groupId}`);
      },
    ],
  ];
  return routes.map(([method, pattern, handler]) => ({ method, pattern, api: 'org' as const, handler }));
}
