/**
 * The organization API v2 (`/admin/v2/orgs/...`), GA late 2025 and absent from the saved spec: paths and
 * bodies as TARGETS 2.2 and jira.js 6.x give them. Directories (the org has one, whose id is not the SCIM
 * directory's), user search (`emails` XOR `searchTerm`), user details, suspend / restore / remove, invite,
 * groups (create, search, get, delete), memberships (`accountId`, camelCase), and group role assignments —
 * the product access that is held for approval (GR-07). Also `POST /v2/orgs/{orgId}/workspaces` (in the
 * spec), which gives the resource ids that role assignments name.
 */
import { json, noContent, type Route } from './http.js';
import { invite } from './invitations.js';
import type { CloudOrg } from './org-model.js';
import { bodyOf, expandOf, limitOf, strings, stringField } from './org-request.js';
import {
  decodeCursor,
  groupRoleAssignments,
  slice,
  userRoleAssignments,
  v2Group,
  v2User,
  workspaceModel,
} from './org-views.js';
import { invalid } from './refusal.js';

const V2 = '/admin/v2/orgs/:orgId';
const DIRECTORY = `${V2}/directories/:directoryId`;
const PAGE = 100;

const lower = (values: string[] | null) => (values === null ? null : new Set(values.map((value) => value.toLowerCase())));

export function orgRoutesV2(org: CloudOrg): Route[] {
  const cursorLinks = (next: string | null) => (next ? { next } : {});
  const routes: Array<[string, string, Route['handler']]> = [
    ['GET', `${V2}/directories`, () => json(200, { data: [{ directoryId: org.identity.orgDirectoryId, name: org.identity.orgName }], links: {} })],
    [
      'POST',
      `${DIRECTORY}/users/search`,
      (context) => {
        const body = bodyOf(context);
        const emails = lower(strings(body, 'emails', 100));
        const searchTerm = body.searchTerm;
        if (searchTerm !== undefined && searchTerm !== null && typeof searchTerm !== 'string') throw invalid('"searchTerm" must be a string');
        if (emails !== null && typeof searchTerm === 'string') throw invalid('"searchTerm" and "emails" cannot be used together');
        const accountIds = strings(body, 'accountIds', 100);
        const groupIds = strings(body, 'groupIds');
        const domains = lower(strings(body, 'emailDomains'));
        const claim = lower(strings(body, 'claimStatus'));
        const status = lower(strings(body, 'status'));
        const accountStatus = lower(strings(body, 'accountStatus'));
        const membership = lower(strings(body, 'membershipStatus'));
        const expand = expandOf(body);
        const term = typeof searchTerm === 'string' ? searchTerm.toLowerCase() : null;
        const inGroups = groupIds === null ? null : new Set(groupIds.flatMap((id) => org.memberIds(id)));
        const needsStatus = claim !== null || status !== null || membership !== null;
        const found = org.orgAccounts().filter((account) => {
          const user = needsStatus ? v2User(org, account, new Set()) : {};
          return (
            (emails === null || emails.has(account.email_lower)) &&
            (term === null || account.email_lower.includes(term) || account.name.toLowerCase().includes(term)) &&
            (accountIds === null || accountIds.includes(account.account_id)) &&
            (inGroups === null || inGroups.has(account.account_id)) &&
            (domains === null || domains.has(account.email_lower.slice(account.email_lower.lastIndexOf('@') + 1))) &&
            (claim === null || claim.has(user.claimStatus as string)) &&
            (status === null || status.has(user.status as string)) &&
            (accountStatus === null || accountStatus.has(account.status)) &&
            (membership === null || membership.has(user.membershipStatus as string))
          );
        });
        const page = slice(found, decodeCursor(body.cursor), limitOf(body, 1000, PAGE));
        return json(200, { data: page.rows.map((account) => v2User(org, account, expand)), links: cursorLinks(page.next) });
      },
    ],
    ['GET', `${DIRECTORY}/users/:accountId`, (context) => json(200, { data: v2User(org, org.orgAccount(context.params.accountId as string), new Set(['GROUPS'])) })],
    [
      'GET',
      `${DIRECTORY}/users/:accountId/role-assignments`,
      (context) => json(200, { data: userRoleAssignments(org, org.orgAccount(context.params.accountId as string)), links: {} }),
    ],
    [
      'POST',
      `${DIRECTORY}/users/:accountId/suspend`,
      (context) => {
        org.setDirectoryStatus(context.params.accountId as string, 'suspended');
        return noContent();
      },
    ],
    [
      'POST',
      `${DIRECTORY}/users/:accountId/restore`,
      (context) => {
        org.setDirectoryStatus(context.params.accountId as string, 'active');
        return noContent();
      },
    ],
    [
      'DELETE',
      `${DIRECTORY}/users/:accountId`,
      (context) => {
        org.removeFromDirectory(context.params.accountId as string);
        return noContent();
      },
    ],
    [
      'POST',
      `${V2}/users/invite`,
      (context) => {
        const body = bodyOf(context, true);
        const emails = strings(body, 'emails', 100);
        if (emails === null || emails.length === 0) throw invalid('the body needs "emails", a non-empty array');
        const rules = body.permissionRules ?? [];
        if (!Array.isArray(rules) || !rules.every((rule) => typeof rule?.resource === 'string' && typeof rule?.role === 'string')) {
          throw invalid('"permissionRules" must be an array of { resource, role }');
        }
        const outcomes = invite(org, { emails, permissionRules: rules as Array<{ resource: string; role: string }>, additionalGroups: strings(body, 'additionalGroups') ?? [] });
        const status = (error: string | null) => (error === null ? { status: 'INVITED', statusReason: null } : { status: 'ERROR', statusReason: error });
        return json(200, {
          data: outcomes.map((outcome) => ({
            id: outcome.accountId,
            email: outcome.email,
            results: [
              {
                roleAssignmentResult: outcome.roles.map((role) => ({ resource: role.resource, role: role.role, ...status(role.error) })),
                groupAssignmentResult: outcome.groups.map((group) => ({ group: group.group, ...status(group.error) })),
              },
            ],
          })),
        });
      },
    ],
    [
      'POST',
      `${DIRECTORY}/groups`,
      (context) => {
        const body = bodyOf(context, true);
        return json(201, v2Group(org, org.createOrgGroup(body.name, body.description)));
      },
    ],
    [
      'POST',
      `${DIRECTORY}/groups/search`,
      (context) => {
        const body = bodyOf(context);
        const ids = strings(body, 'groupIds', 100);
        const names = lower(strings(body, 'groupNames', 100));
        const accountIds = strings(body, 'accountIds', 100);
        const searchTerm = body.searchTerm;
        if (searchTerm !== undefined && searchTerm !== null && typeof searchTerm !== 'string') throw invalid('"searchTerm" must be a string');
        const term = typeof searchTerm === 'string' ? searchTerm.toLowerCase() : null;
        const withAccounts = accountIds === null ? null : new Set(accountIds.flatMap((id) => org.groupsOf(id).map((group) => group.id)));
        const found = org
          .groups()
          .filter(
            (group) =>
              (ids === null || ids.includes(group.id)) &&
              (names === null || names.has(group.name_lower)) &&
              (term === null || group.name_lower.includes(term)) &&
              (withAccounts === null || withAccounts.has(group.id)),
          );
        const page = slice(found, decodeCursor(body.cursor), limitOf(body, 1000, PAGE));
        return json(200, { data: page.rows.map((group) => v2Group(org, group)), links: cursorLinks(page.next) });
      },
    ],
    ['GET', `${DIRECTORY}/groups/:groupId`, (context) => json(200, { data: v2Group(org, org.requireGroup(context.params.groupId as string)) })],
    [
      'DELETE',
      `${DIRECTORY}/groups/:groupId`,
      (context) => {
        org.deleteOrgGroup(context.params.groupId as string, true);
        return noContent();
      },
    ],
    [
      'GET',
      `${DIRECTORY}/groups/:groupId/role-assignments`,
      (context) => json(200, { data: groupRoleAssignments(org, org.requireGroup(context.params.groupId as string)), links: {} }),
    ],
    [
      'POST',
      `${DIRECTORY}/groups/:groupId/role-assignments/assign`,
      (context) => {
        const body = bodyOf(context, true);
        org.assignGroupRole(context.params.groupId as string, body.resourceId, body.roleId);
        return noContent();
      },
    ],
    [
      'POST',
      `${DIRECTORY}/groups/:groupId/role-assignments/revoke`,
      (context) => {
        const body = bodyOf(context, true);
        org.revokeGroupRole(context.params.groupId as string, body.resourceId, body.roleId);
        return noContent();
      },
    ],
    [
      'POST',
      `${DIRECTORY}/groups/:groupId/memberships`,
      (context) => {
        org.addOrgMember(context.params.groupId as string, stringField(bodyOf(context, true), 'accountId'));
        return noContent();
      },
    ],
    [
      'DELETE',
      `${DIRECTORY}/groups/:groupId/memberships/:accountId`,
      (context) => {
        org.removeOrgMember(context.params.groupId as string, context.params.accountId as string);
        return noContent();
      },
    ],
    [
      'POST',
      `${V2}/workspaces`,
      (context) => {
        const body = bodyOf(context);
        const resources = org.resources();
        const page = slice(resources, decodeCursor(body.cursor), limitOf(body, 1000, 20));
        return json(200, {
          data: page.rows.map((resource) => workspaceModel(org, resource, context.base)),
          links: page.next ? { next: page.next } : {},
          meta: { pageSize: page.rows.length, total: resources.length },
        });
      },
    ],
  ];
  return routes.map(([method, pattern, handler]) => ({ method, pattern, api: 'org' as const, handler }));
}
