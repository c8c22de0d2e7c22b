/**
 * The local cloud's organization API and cloud semantics: default access groups (site-suffixed, or legacy),
 * verified domains and managed accounts, user and group search, group create and members, invitations,
 * product access held for approval, suspension, cursors, and persistence across a restart.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startCloud, type CloudOptions, type RunningCloud } from '../src/cloud/server.js';
import { tempDir } from './support/files.js';

const running: RunningCloud[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((cloud) => cloud.close()));
});

async function start(options: CloudOptions = {}): Promise<RunningCloud> {
  const cloud = await startCloud({ dataDir: tempDir('usermig-cloud-'), port: 0, verifiedDomains: ['example.com'], ...options });
  running.push(cloud);
  return cloud;
}

interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

async function call(cloud: RunningCloud, method: string, path: string, body?: unknown, token: string | null = cloud.orgToken): Promise<Answer> {
  const url = path.startsWith('/scim') ? path : `/admin${path.replace('{org}', cloud.orgId).replace('{dir}', cloud.orgDirectoryId)}`;
  const response = await fetch(`${cloud.url}${url}`, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
}

const groupNames = async (cloud: RunningCloud): Promise<string[]> => (await call(cloud, 'POST', '/v1/orgs/{org}/groups/search', {})).body.data.map((g: any) => g.name);
const groupId = async (cloud: RunningCloud, name: string): Promise<string> =>
  (await call(cloud, 'POST', '/v1/orgs/{org}/groups/search', { groupNames: { eq: [name] } })).body.data[0].id;

async function invite(cloud: RunningCloud, email: string, extra: Record<string, unknown> = {}): Promise<string> {
  const answer = await call(cloud, 'POST', '/v2/orgs/{org}/users/invite', { emails: [email], ...extra });
  expect(answer.status).toBe(200);
  return answer.body.data[0].id;
}

const resourceOf = async (cloud: RunningCloud, product: string): Promise<string> =>
  (await call(cloud, 'POST', '/v2/orgs/{org}/workspaces', {})).body.data.find((workspace: any) => workspace.attributes.typeKey === product).id;

describe('a new organization', () => {
  it('has default access groups with site-suffixed names, and built-in admin groups', async () => {
    const cloud = await start({ siteName: 'acme' });
    expect(await groupNames(cloud)).toEqual([
      'jira-software-users-acme',
      'jira-servicemanagement-users-acme',
      'confluence-users-acme',
      'jira-admins-acme',
      'confluence-admins-acme',
      'site-admins',
      'atlassian-addons-admin',
    ]);
    const roles = await call(cloud, 'GET', `/v2/orgs/{org}/directories/{dir}/groups/${await groupId(cloud, 'confluence-users-acme')}/role-assignments`);
    expect(roles.body.data).toEqual([
      { resourceId: await resourceOf(cloud, 'confluence'), resourceOwner: 'confluence', defaultRole: 'atlassian/user', roles: ['atlassian/user'], pendingRoles: [] },
    ]);
  });

  it('with legacy group names has the old unsuffixed ones', async () => {
    const cloud = await start({ legacyGroupNames: true });
    expect(await groupNames(cloud)).toEqual(expect.arrayContaining(['jira-software-users', 'jira-servicedesk-users', 'confluence-users', 'jira-administrators']));
    expect((await groupNames(cloud)).some((name) => name.endsWith('-localcloud'))).toBe(false);
  });

  it('answers 401 without the org key (the SCIM key is not it) and 404 for another org', async () => {
    const cloud = await start();
    for (const token of [null, cloud.scimToken]) {
      const answer = await call(cloud, 'GET', '/v1/orgs/{org}/domains', undefined, token);
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ code: 401, message: expect.any(String) });
    }
    const other = await call(cloud, 'GET', '/v1/orgs/not-this-org');
    expect(other.status).toBe(404);
    expect(other.body.errors[0]).toMatchObject({ status: '404', code: 'ADMIN-404-2' });
    expect((await call(cloud, 'GET', '/v1/orgs')).body.data[0].id).toBe(cloud.orgId);
  });
});

describe('domains and accounts', () => {
  it('lists the verified domains, one by id, 404 ADMIN-404-3 for an unknown one', async () => {
    const cloud = await start({ verifiedDomains: ['example.com', 'Acme.io'] });
    const list = await call(cloud, 'GET', '/v1/orgs/{org}/domains');
    expect(list.body.data.map((domain: any) => [domain.attributes.name, domain.attributes.claim.status])).toEqual([
      ['acme.io', 'verified'],
      ['example.com', 'verified'],
    ]);
    const one = await call(cloud, 'GET', `/v1/orgs/{org}/domains/${list.body.data[0].id}`);
    expect(one.body.data.attributes.name).toBe('acme.io');
    const unknown = await call(cloud, 'GET', '/v1/orgs/{org}/domains/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors[0].code).toBe('ADMIN-404-3');
  });

  it('finds users by email (v1 emailUsernames + emailDomains, v2 emails) and lists only managed accounts in /users', async () => {
    const cloud = await start();
    const alice = await invite(cloud, 'Alice@Example.com');
    const outsider = await invite(cloud, 'olga@partner.org');
    const v1 = await call(cloud, 'POST', '/v1/orgs/{org}/users/search', {
      emailUsernames: { eq: ['alice'] },
      emailDomains: { eq: ['example.com'] },
      expand: ['NAME', 'EMAIL'],
    });
    expect(v1.body.data).toEqual([expect.objectContaining({ accountId: alice, accountType: 'atlassian', accountStatus: 'active', email: 'Alice@Example.com' })]);
    const v2 = await call(cloud, 'POST', '/v2/orgs/{org}/directories/{dir}/users/search', { emails: ['alice@example.com', 'olga@partner.org'] });
    expect(v2.body.data.map((user: any) => [user.accountId, user.claimStatus])).toEqual([
      [alice, 'managed'],
      [outsider, 'unmanaged'],
    ]);
    const both = await call(cloud, 'POST', '/v2/orgs/{org}/directories/{dir}/users/search', { emails: ['a@example.com'], searchTerm: 'a' });
    expect(both.status).toBe(400);
    const managed = await call(cloud, 'GET', '/v1/orgs/{org}/users');
    expect(managed.body.data.map((user: any) => user.account_id)).toEqual([alice]);
    expect(managed.body.meta.total).toBe(1);
  });

  it('keeps one account per email across SCIM and invitations', async () => {
    const cloud = await start();
    const first = await invite(cloud, 'bob@example.com');
    const second = await invite(cloud, 'BOB@example.com');
    expect(second).toBe(first);
  });
});

describe('groups and memberships', () => {
  it('creates a group and adds a member (v1 account_id, v2 accountId), idempotently', async () => {
    const cloud = await start();
    const alice = await invite(cloud, 'alice@example.com');
    const bob = await invite(cloud, 'bob@example.com');
    const created = await call(cloud, 'POST', '/v1/orgs/{org}/directory/groups', { name: 'jira-developers', description: 'devs' });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ message: 'Group jira-developers was created', groupId: expect.any(String) });
    const id = created.body.groupId;
    const added = await call(cloud, 'POST', `/v1/orgs/{org}/directory/groups/${id}/memberships`, { account_id: alice });
    expect(added.status).toBe(200);
    expect((await call(cloud, 'POST', `/v1/orgs/{org}/directory/groups/${id}/memberships`, { account_id: alice })).status).toBe(200);
    expect((await call(cloud, 'POST', `/v2/orgs/{org}/directories/{dir}/groups/${id}/memberships`, { accountId: bob })).status).toBe(204);
    const group = await call(cloud, 'GET', `/v2/orgs/{org}/directories/{dir}/groups/${id}`);
    expect(group.body.data).toMatchObject({ name: 'jira-developers', counts: { users: 2 }, externalSynced: false, managedBy: 'admins' });
    expect((await call(cloud, 'DELETE', `/v1/orgs/{org}/directory/groups/${id}/memberships/${alice}`)).status).toBe(200);
    expect(cloud.org.memberIds(id)).toEqual([bob]);
    const missing = await call(cloud, 'POST', `/v1/orgs/{org}/directory/groups/${id}/memberships`, { account_id: '712020:nobody' });
    expect(missing.body.errors[0].code).toBe('ADMIN-404-8');
  });

  it('refuses a name taken in any case (400 ADMIN-400-4) and blocklisted admin names (400)', async () => {
    const cloud = await start();
    await call(cloud, 'POST', '/v1/orgs/{org}/directory/groups', { name: 'Engineering' });
    const duplicate = await call(cloud, 'POST', '/v1/orgs/{org}/directory/groups', { name: 'ENGINEERING' });
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.errors[0]).toMatchObject({ status: '400', code: 'ADMIN-400-4', detail: expect.stringContaining('already exists') });
    for (const name of ['site-admins', 'System-Administrators', 'atlassian-addons', 'atlassian-addons-admin', 'org-admins']) {
      const answer = await call(cloud, 'POST', '/v2/orgs/{org}/directories/{dir}/groups', { name });
      expect(answer.status, name).toBe(400);
      expect(answer.body.errors[0].detail, name).toContain('blocklisted');
    }
    expect((await call(cloud, 'POST', '/v1/orgs/{org}/directory/groups', {})).body.errors[0].code).toBe('ADMIN-400-24');
  });

  it('keeps groups synced from SCIM read-only to the org API, and protects default and non-empty groups', async () => {
    const cloud = await start();
    const alice = await invite(cloud, 'alice@example.com');
    const scimGroup = await call(
      cloud,
      'POST',
      `/scim/directory/${cloud.directoryId}/Groups`,
      { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'idp-group' },
      cloud.scimToken,
    );
    expect(scimGroup.status).toBe(201);
    const synced = await groupId(cloud, 'idp-group');
    const write = await call(cloud, 'POST', `/v1/orgs/{org}/directory/groups/${synced}/memberships`, { account_id: alice });
    expect(write.status).toBe(403);
    expect(write.body.errors[0].code).toBe('ADMIN-403-5');
    expect((await call(cloud, 'DELETE', `/v1/orgs/{org}/directory/groups/${synced}`)).body.errors[0].code).toBe('ADMIN-403-5');
    const defaultGroup = await groupId(cloud, 'jira-software-users-localcloud');
    expect((await call(cloud, 'DELETE', `/v1/orgs/{org}/directory/groups/${defaultGroup}`)).body.errors[0].code).toBe('ADMIN-403-6');
    const siteAdmins = await groupId(cloud, 'site-admins');
    expect((await call(cloud, 'POST', `/v1/orgs/{org}/directory/groups/${siteAdmins}/memberships`, { account_id: alice })).status).toBe(403);
    const team = (await call(cloud, 'POST', '/v1/orgs/{org}/directory/groups', { name: 'team' })).body.groupId;
    await call(cloud, 'POST', `/v1/orgs/{org}/directory/groups/${team}/memberships`, { account_id: alice });
    const notEmpty = await call(cloud, 'DELETE', `/v1/orgs/{org}/directory/groups/${team}`);
    expect(notEmpty.status).toBe(409);
    expect(notEmpty.body.errors[0].code).toBe('ADMIN-409-5');
    expect((await call(cloud, 'DELETE', `/v1/orgs/{org}/directory/groups/${team}?forceIfNotEmpty=true`)).status).toBe(200);
  });

  it('pages group search with cursors and refuses a forged cursor with ADMIN-400-1', async () => {
    const cloud = await start();
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call(cloud, 'POST', '/v1/orgs/{org}/groups/search', { limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page.body.data.map((group: any) => group.name));
      cursor = page.body.links.next;
    } while (cursor);
    expect(seen).toEqual(await groupNames(cloud));
    const forged = await call(cloud, 'POST', '/v1/orgs/{org}/groups/search', { cursor: 'not-a-cursor' });
    expect(forged.status).toBe(400);
    expect(forged.body.errors[0].code).toBe('ADMIN-400-1');
  });
});

describe('product access', () => {
  it('invites with a product role through its default access group, and reports errors per group', async () => {
    const cloud = await start();
    const jira = await resourceOf(cloud, 'jira-software');
    const answer = await call(cloud, 'POST', '/v2/orgs/{org}/users/invite', {
      emails: ['carol@example.com'],
      permissionRules: [{ resource: jira, role: 'atlassian/user' }],
      additionalGroups: ['no-such-group'],
      sendNotification: false,
    });
    expect(answer.body.data[0]).toMatchObject({
      email: 'carol@example.com',
      results: [
        {
          roleAssignmentResult: [{ resource: jira, role: 'atlassian/user', status: 'INVITED' }],
          groupAssignmentResult: [{ group: 'no-such-group', status: 'ERROR', statusReason: expect.any(String) }],
        },
      ],
    });
    const carol = answer.body.data[0].id;
    expect(cloud.org.groupsOf(carol).map((group) => group.name)).toEqual(['jira-software-users-localcloud']);
    const roles = await call(cloud, 'GET', `/v2/orgs/{org}/directories/{dir}/users/${carol}/role-assignments`);
    expect(roles.body.data).toEqual([expect.objectContaining({ resourceId: jira, roles: ['atlassian/user'] })]);
    const managed = await call(cloud, 'GET', '/v1/orgs/{org}/users');
    expect(managed.body.data[0]).toMatchObject({ access_billable: true, product_access: [{ key: 'jira-software', name: 'Jira Software' }] });
  });

  it('holds a role given to a group for approval: pending, no access, until approved (GR-07)', async () => {
    const cloud = await start();
    const dave = await invite(cloud, 'dave@example.com');
    const group = (await call(cloud, 'POST', '/v1/orgs/{org}/directory/groups', { name: 'confluence-team' })).body.groupId;
    await call(cloud, 'POST', `/v1/orgs/{org}/directory/groups/${group}/memberships`, { account_id: dave });
    const confluence = await resourceOf(cloud, 'confluence');
    const assign = await call(cloud, 'POST', `/v2/orgs/{org}/directories/{dir}/groups/${group}/role-assignments/assign`, {
      resourceId: confluence,
      roleId: 'atlassian/user',
    });
    expect(assign.status).toBe(204);
    const pending = await call(cloud, 'GET', `/v2/orgs/{org}/directories/{dir}/groups/${group}/role-assignments`);
    expect(pending.body.data).toEqual([{ resourceId: confluence, resourceOwner: 'confluence', defaultRole: null, roles: [], pendingRoles: ['atlassian/user'] }]);
    expect((await call(cloud, 'GET', `/v2/orgs/{org}/directories/{dir}/users/${dave}/role-assignments`)).body.data).toEqual([]);
    expect(cloud.org.approvePendingAccess(group)).toBe(1);
    const granted = await call(cloud, 'GET', `/v2/orgs/{org}/directories/{dir}/users/${dave}/role-assignments`);
    expect(granted.body.data).toEqual([expect.objectContaining({ resourceId: confluence, roles: ['atlassian/user'] })]);
    const badRole = await call(cloud, 'POST', `/v2/orgs/{org}/directories/{dir}/groups/${group}/role-assignments/assign`, { resourceId: confluence, roleId: 'god' });
    expect(badRole.status).toBe(400);
    const badResource = await call(cloud, 'POST', `/v2/orgs/{org}/directories/{dir}/groups/${group}/role-assignments/assign`, { resourceId: 'ari:x', roleId: 'atlassian/user' });
    expect(badResource.body.errors[0].code).toBe('ADMIN-400-4');
  });

  it('suspends and restores a user: access goes and comes back, groups stay', async () => {
    const cloud = await start();
    const jira = await resourceOf(cloud, 'jira-software');
    const erin = await invite(cloud, 'erin@example.com', { permissionRules: [{ resource: jira, role: 'atlassian/user' }] });
    const suspended = await call(cloud, 'POST', `/v1/orgs/{org}/directory/users/${erin}/suspend-access`);
    expect(suspended.body.message).toContain('suspended');
    expect(cloud.org.productAccess(erin)).toEqual([]);
    expect(cloud.org.groupsOf(erin)).toHaveLength(1);
    expect((await call(cloud, 'POST', `/v2/orgs/{org}/directories/{dir}/users/${erin}/restore`)).status).toBe(204);
    expect(cloud.org.productAccess(erin)).toHaveLength(1);
    expect((await call(cloud, 'DELETE', `/v1/orgs/{org}/directory/users/${erin}`)).status).toBe(204);
    expect(cloud.org.groupsOf(erin)).toEqual([]);
  });
});

describe('persistence', () => {
  it('keeps the org, its ids, tokens, users and groups across a restart with the same data folder', async () => {
    const dataDir = tempDir('usermig-cloud-');
    const first = await startCloud({ dataDir, port: 0, verifiedDomains: ['example.com'] });
    const alice = await invite(first, 'alice@example.com');
    const scimUser = await call(
      first,
      'POST',
      `/scim/directory/${first.directoryId}/Users`,
      { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'bob@example.com', emails: [{ value: 'bob@example.com', primary: true }] },
      first.scimToken,
    );
    await first.close();
    const second = await start({ dataDir, legacyGroupNames: true });
    expect(second.created).toBe(false);
    expect([second.orgId, second.directoryId, second.orgToken, second.scimToken]).toEqual([first.orgId, first.directoryId, first.orgToken, first.scimToken]);
    expect((await call(second, 'POST', '/v2/orgs/{org}/directories/{dir}/users/search', { emails: ['alice@example.com'] })).body.data[0].accountId).toBe(alice);
    const again = await call(second, 'GET', `/scim/directory/${second.directoryId}/Users/${scimUser.body.id}`, undefined, second.scimToken);
    expect(again.body.userName).toBe('bob@example.com');
    expect(await groupNames(second)).toContain('jira-software-users-localcloud');
  });
});
