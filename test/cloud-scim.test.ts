/**
 * The local cloud's user-provisioning (SCIM) API, over HTTP on loopback, as Atlassian answers: auth, 409s,
 * the single `eq` filter, pages of at most 100, group membership PATCH in the RFC and Entra forms, and a
 * directory that lists only what it provisioned.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startCloud, type CloudOptions, type RunningCloud } from '../src/cloud/server.js';
import { tempDir } from './support/files.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ATLASSIAN = 'urn:scim:schemas:extension:atlassian-external:1.0';

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

async function call(cloud: RunningCloud, method: string, path: string, body?: unknown, token: string | null = cloud.scimToken): Promise<Answer> {
  const response = await fetch(`${cloud.url}${path}`, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'Content-Type': 'application/scim+json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
}

const scim = (cloud: RunningCloud, method: string, path: string, body?: unknown) => call(cloud, method, `/scim/directory/${cloud.directoryId}${path}`, body);
const org = (cloud: RunningCloud, method: string, path: string, body?: unknown) =>
  call(cloud, method, `/admin${path.replace('{org}', cloud.orgId).replace('{dir}', cloud.orgDirectoryId)}`, body, cloud.orgToken);

const userBody = (userName: string, extra: Record<string, unknown> = {}) => ({
  schemas: [USER],
  userName,
  emails: [{ value: userName, type: 'work', primary: true }],
  displayName: `User ${userName}`,
  active: true,
  ...extra,
});

async function createUser(cloud: RunningCloud, userName: string, extra: Record<string, unknown> = {}): Promise<any> {
  const answer = await scim(cloud, 'POST', '/Users', userBody(userName, extra));
  expect(answer.status).toBe(201);
  return answer.body;
}

async function createGroup(cloud: RunningCloud, displayName: string, members: string[] = []): Promise<any> {
  const answer = await scim(cloud, 'POST', '/Groups', { schemas: [GROUP], displayName, members: members.map((value) => ({ value })) });
  expect(answer.status).toBe(201);
  return answer.body;
}

const patch = (operations: unknown[], key = 'Operations') => ({ schemas: [PATCH], [key]: operations });

describe('authentication', () => {
  it('answers 401 without a token, with a wrong one, or with the org key, and never reveals the directory', async () => {
    const cloud = await start();
    for (const token of [null, 'not-the-key', cloud.orgToken]) {
      const answer = await call(cloud, 'GET', `/scim/directory/${cloud.directoryId}/Users`, undefined, token);
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ error: expect.any(String), traceId: expect.any(String) });
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    }
    expect((await scim(cloud, 'GET', '/Users')).status).toBe(200);
  });

  it('answers 404 for another directory id, even with the right key', async () => {
    const cloud = await start();
    const answer = await call(cloud, 'GET', '/scim/directory/00000000-0000-0000-0000-000000000000/Users');
    expect(answer.status).toBe(404);
    expect(answer.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
  });
});

describe('users', () => {
  it('creates a user with 201, an id, a Location and the Atlassian account id', async () => {
    const cloud = await start();
    const answer = await scim(cloud, 'POST', '/Users', userBody('alice@example.com', { externalId: 'jira:alice' }));
    expect(answer.status).toBe(201);
    expect(answer.headers.get('content-type')).toMatch(/^application\/scim\+json/);
    expect(answer.body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.headers.get('location')).toBe(`${cloud.url}/scim/directory/${cloud.directoryId}/Users/${answer.body.id}`);
    expect(answer.body[ATLASSIAN].atlassianAccountId).toMatch(/^712020:/);
    expect(answer.body).toMatchObject({ userName: 'alice@example.com', externalId: 'jira:alice', active: true, meta: { resourceType: 'User' } });
  });

  it('answers 409 uniqueness for the same userName (any case) or the same email again', async () => {
    const cloud = await start();
    await createUser(cloud, 'alice@example.com');
    const sameName = await scim(cloud, 'POST', '/Users', userBody('ALICE@example.com'));
    expect(sameName.status).toBe(409);
    expect(sameName.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '409', scimType: 'uniqueness' });
    const sameEmail = await scim(cloud, 'POST', '/Users', { ...userBody('alice2'), emails: [{ value: 'Alice@Example.com', primary: true }] });
    expect(sameEmail.status).toBe(409);
    expect(sameEmail.body.scimType).toBe('uniqueness');
  });

  it('refuses a user without userName or without exactly one primary email, or without schemas', async () => {
    const cloud = await start();
    const noPrimary = await scim(cloud, 'POST', '/Users', { schemas: [USER], userName: 'a@example.com', emails: [{ value: 'a@example.com' }] });
    expect(noPrimary.status).toBe(400);
    expect((await scim(cloud, 'POST', '/Users', { schemas: [USER], emails: [{ value: 'a@example.com', primary: true }] })).status).toBe(400);
    expect((await scim(cloud, 'POST', '/Users', { userName: 'a@example.com', emails: [{ value: 'a@example.com', primary: true }] })).status).toBe(400);
    expect((await scim(cloud, 'POST', '/Users', userBody('not-an-email'))).status).toBe(400);
  });

  it('filters with a single eq on userName (case-insensitive) or externalId (case-exact)', async () => {
    const cloud = await start();
    const alice = await createUser(cloud, 'alice@example.com', { externalId: 'Key-1' });
    await createUser(cloud, 'bob@example.com', { externalId: 'key-2' });
    const byName = await scim(cloud, 'GET', `/Users?filter=${encodeURIComponent('userName eq "Alice@Example.com"')}`);
    expect(byName.body).toMatchObject({ totalResults: 1, itemsPerPage: 1, startIndex: 1 });
    expect(byName.body.Resources[0].id).toBe(alice.id);
    const byExternalId = await scim(cloud, 'GET', `/Users?filter=${encodeURIComponent('externalId eq "Key-1"')}`);
    expect(byExternalId.body.totalResults).toBe(1);
    expect((await scim(cloud, 'GET', `/Users?filter=${encodeURIComponent('externalId eq "key-1"')}`)).body.totalResults).toBe(0);
    const none = await scim(cloud, 'GET', `/Users?filter=${encodeURIComponent('userName eq "nobody@example.com"')}`);
    expect(none.body).toMatchObject({ totalResults: 0, itemsPerPage: 0, Resources: [] });
  });

  it('answers 400 invalidFilter for anything but one eq on userName or externalId', async () => {
    const cloud = await start();
    for (const filter of ['userName co "a"', 'displayName eq "A"', 'userName eq "a" and active eq true', 'emails[type eq "work"]', 'userName eq']) {
      const answer = await scim(cloud, 'GET', `/Users?filter=${encodeURIComponent(filter)}`);
      expect(answer.status, filter).toBe(400);
      expect(answer.body.scimType, filter).toBe('invalidFilter');
    }
  });

  it('pages 250 users with startIndex/count, at most 100 a page', async () => {
    const cloud = await start();
    for (let index = 0; index < 250; index++) await createUser(cloud, `user${String(index).padStart(3, '0')}@example.com`);
    const capped = await scim(cloud, 'GET', '/Users?startIndex=1&count=500');
    expect(capped.body).toMatchObject({ totalResults: 250, startIndex: 1, itemsPerPage: 100 });
    const last = await scim(cloud, 'GET', '/Users?startIndex=201&count=100');
    expect(last.body).toMatchObject({ totalResults: 250, startIndex: 201, itemsPerPage: 50 });
    expect((await scim(cloud, 'GET', '/Users?count=0')).body).toMatchObject({ totalResults: 250, itemsPerPage: 0, Resources: [] });
    const ids = new Set<string>();
    for (let startIndex = 1; ; startIndex += 100) {
      const page = (await scim(cloud, 'GET', `/Users?startIndex=${startIndex}&count=100`)).body;
      for (const user of page.Resources) ids.add(user.id);
      if (page.itemsPerPage === 0 || startIndex + page.itemsPerPage > page.totalResults) break;
    }
    expect(ids.size).toBe(250);
    expect((await scim(cloud, 'GET', '/Users?startIndex=abc')).status).toBe(400);
  });

  it('deactivates with PATCH active=false (Entra spellings too) and reactivates', async () => {
    const cloud = await start();
    const alice = await createUser(cloud, 'alice@example.com');
    const off = await scim(cloud, 'PATCH', `/Users/${alice.id}`, patch([{ op: 'Replace', path: 'active', value: 'False' }]));
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    const accountId = alice[ATLASSIAN].atlassianAccountId;
    const found = await org(cloud, 'POST', '/v2/orgs/{org}/directories/{dir}/users/search', { accountIds: [accountId] });
    expect(found.body.data[0]).toMatchObject({ accountStatus: 'inactive', status: 'deactivated', claimStatus: 'managed' });
    const on = await scim(cloud, 'PATCH', `/Users/${alice.id}`, patch([{ op: 'replace', value: { active: true, title: 'Engineer' } }]));
    expect(on.body).toMatchObject({ active: true, title: 'Engineer' });
  });

  it('PATCHes sub-attributes and value filters, and refuses read-only attributes', async () => {
    const cloud = await start();
    const alice = await createUser(cloud, 'alice@example.com', { name: { givenName: 'Alice', familyName: 'A' } });
    const answer = await scim(
      cloud,
      'PATCH',
      `/Users/${alice.id}`,
      patch([
        { op: 'replace', path: 'name.familyName', value: 'Anderson' },
        { op: 'replace', path: 'emails[type eq "work"].value', value: 'alice@example.com' },
        { op: 'add', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', value: 'R&D' },
      ]),
    );
    expect(answer.status).toBe(200);
    expect(answer.body.name).toEqual({ givenName: 'Alice', familyName: 'Anderson' });
    expect(answer.body['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User']).toEqual({ department: 'R&D' });
    const readOnly = await scim(cloud, 'PATCH', `/Users/${alice.id}`, patch([{ op: 'replace', path: 'id', value: 'x' }]));
    expect(readOnly.status).toBe(400);
    expect(readOnly.body.scimType).toBe('mutability');
    const noPath = await scim(cloud, 'PATCH', `/Users/${alice.id}`, patch([{ op: 'remove' }]));
    expect(noPath.body.scimType).toBe('noTarget');
  });

  it('PUT replaces the whole user: attributes not sent are cleared', async () => {
    const cloud = await start();
    const alice = await createUser(cloud, 'alice@example.com', { title: 'Engineer', externalId: 'x1' });
    const answer = await scim(cloud, 'PUT', `/Users/${alice.id}`, { schemas: [USER], userName: 'alice@example.com', emails: alice.emails, active: true });
    expect(answer.status).toBe(200);
    expect(answer.body.title).toBeUndefined();
    expect(answer.body.externalId).toBeUndefined();
    expect(answer.body.displayName).toBeUndefined();
  });

  it('DELETE removes the record (404 afterwards) and its group memberships, and deactivates the managed account', async () => {
    const cloud = await start();
    const alice = await createUser(cloud, 'alice@example.com');
    const group = await createGroup(cloud, 'Engineering', [alice.id]);
    expect((await scim(cloud, 'DELETE', `/Users/${alice.id}`)).status).toBe(204);
    expect((await scim(cloud, 'GET', `/Users/${alice.id}`)).status).toBe(404);
    expect((await scim(cloud, 'GET', `/Groups/${group.id}`)).body.members).toEqual([]);
    expect(cloud.org.account(alice[ATLASSIAN].atlassianAccountId)?.status).toBe('inactive');
  });

  it('changing the email to an unverified domain unlinks the user onto a new account and drops its SCIM groups', async () => {
    const cloud = await start();
    const alice = await createUser(cloud, 'alice@example.com');
    await createGroup(cloud, 'Engineering', [alice.id]);
    const moved = await scim(cloud, 'PATCH', `/Users/${alice.id}`, patch([{ op: 'replace', path: 'emails', value: [{ value: 'alice@elsewhere.org', primary: true }] }]));
    expect(moved.status).toBe(200);
    expect(moved.body[ATLASSIAN].atlassianAccountId).not.toBe(alice[ATLASSIAN].atlassianAccountId);
    expect(moved.body.groups).toEqual([]);
    const bob = await createUser(cloud, 'bob@example.com');
    const clash = await scim(cloud, 'PATCH', `/Users/${bob.id}`, patch([{ op: 'replace', path: 'emails', value: [{ value: 'alice@elsewhere.org', primary: true }] }]));
    expect(clash.status).toBe(409);
  });
});

describe('groups', () => {
  it('creates a group with 201 and answers 409 for the same name in any case', async () => {
    const cloud = await start();
    const group = await createGroup(cloud, 'Engineering');
    expect(group).toMatchObject({ schemas: [GROUP], displayName: 'Engineering', members: [], meta: { resourceType: 'Group' } });
    const duplicate = await scim(cloud, 'POST', '/Groups', { schemas: [GROUP], displayName: 'ENGINEERING' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toMatchObject({ status: '409', scimType: 'uniqueness' });
    const byName = await scim(cloud, 'GET', `/Groups?filter=${encodeURIComponent('displayName eq "engineering"')}`);
    expect(byName.body.totalResults).toBe(1);
    expect((await scim(cloud, 'GET', `/Groups?filter=${encodeURIComponent('externalId eq "x"')}`)).body.scimType).toBe('invalidFilter');
  });

  it('answers 409 when the name is taken by an org group created elsewhere (TARGETS 1.8 #1)', async () => {
    const cloud = await start();
    expect((await org(cloud, 'POST', '/v1/orgs/{org}/directory/groups', { name: 'jira-developers' })).status).toBe(200);
    const answer = await scim(cloud, 'POST', '/Groups', { schemas: [GROUP], displayName: 'Jira-Developers' });
    expect(answer.status).toBe(409);
  });

  it('adds and removes members with PATCH: RFC filter, Entra value array, lower-case "operations"', async () => {
    const cloud = await start();
    const [alice, bob, carol] = [await createUser(cloud, 'alice@example.com'), await createUser(cloud, 'bob@example.com'), await createUser(cloud, 'carol@example.com')];
    const group = await createGroup(cloud, 'Engineering');
    const added = await scim(
      cloud,
      'PATCH',
      `/Groups/${group.id}`,
      patch([{ op: 'add', path: 'members', value: [alice, bob, carol].map((user) => ({ value: user.id, display: user.userName })) }]),
    );
    expect(added.status).toBe(200);
    expect(added.body.members.map((member: any) => member.value).sort()).toEqual([alice.id, bob.id, carol.id].sort());
    expect(added.body.members[0]).toMatchObject({ type: 'User', $ref: expect.stringContaining('/Users/') });
    const again = await scim(cloud, 'PATCH', `/Groups/${group.id}`, patch([{ op: 'add', path: 'members', value: [{ value: alice.id }] }]));
    expect(again.body.members).toHaveLength(3);
    const removed = await scim(cloud, 'PATCH', `/Groups/${group.id}`, patch([{ op: 'remove', path: `members[value eq "${alice.id}"]` }]));
    expect(removed.body.members.map((member: any) => member.value).sort()).toEqual([bob.id, carol.id].sort());
    const entra = await scim(cloud, 'PATCH', `/Groups/${group.id}`, patch([{ op: 'Remove', path: 'members', value: [{ value: bob.id }] }], 'operations'));
    expect(entra.body.members.map((member: any) => member.value)).toEqual([carol.id]);
    expect((await scim(cloud, 'GET', `/Users/${carol.id}`)).body.groups).toEqual([expect.objectContaining({ value: group.id, display: 'Engineering' })]);
  });

  it('answers 404 for an unknown member and 400 mutability for a rename, changing nothing', async () => {
    const cloud = await start();
    const alice = await createUser(cloud, 'alice@example.com');
    const group = await createGroup(cloud, 'Engineering');
    const unknown = await scim(
      cloud,
      'PATCH',
      `/Groups/${group.id}`,
      patch([{ op: 'add', path: 'members', value: [{ value: alice.id }, { value: '00000000-0000-0000-0000-000000000000' }] }]),
    );
    expect(unknown.status).toBe(404);
    expect((await scim(cloud, 'GET', `/Groups/${group.id}`)).body.members).toEqual([]);
    const rename = await scim(cloud, 'PATCH', `/Groups/${group.id}`, patch([{ op: 'replace', path: 'displayName', value: 'Eng' }]));
    expect(rename.status).toBe(400);
    expect(rename.body.scimType).toBe('mutability');
  });

  it("takes Okta's path-less replace that repeats id and name, and leaves members out on request", async () => {
    const cloud = await start();
    const alice = await createUser(cloud, 'alice@example.com');
    const group = await createGroup(cloud, 'Engineering', [alice.id]);
    const okta = await scim(cloud, 'PATCH', `/Groups/${group.id}`, patch([{ op: 'replace', value: { id: group.id, displayName: 'Engineering', externalId: 'okta-1' } }]));
    expect(okta.status).toBe(200);
    expect(okta.body.externalId).toBe('okta-1');
    const lean = await scim(cloud, 'GET', '/Groups?excludedAttributes=members');
    expect(lean.body.Resources[0].members).toBeUndefined();
    expect(lean.body.Resources[0].displayName).toBe('Engineering');
    const only = await scim(cloud, 'GET', `/Users/${alice.id}?attributes=userName,emails.value`);
    expect(only.body).toEqual({ schemas: expect.any(Array), id: alice.id, userName: 'alice@example.com', emails: [{ value: 'alice@example.com' }] });
  });

  it('DELETE removes the group from the directory and the org; 404 afterwards', async () => {
    const cloud = await start();
    const group = await createGroup(cloud, 'Engineering');
    expect((await scim(cloud, 'DELETE', `/Groups/${group.id}`)).status).toBe(204);
    expect((await scim(cloud, 'DELETE', `/Groups/${group.id}`)).status).toBe(404);
    expect(cloud.org.groupByName('Engineering')).toBeUndefined();
  });

  it('accepts a default access or blocklisted admin name but never syncs it to the org (spec Limitations)', async () => {
    const cloud = await start({ legacyGroupNames: true });
    const alice = await createUser(cloud, 'alice@example.com');
    for (const name of ['jira-software-users', 'site-admins', 'system-administrators']) {
      const group = await createGroup(cloud, name, [alice.id]);
      expect(group.displayName).toBe(name);
    }
    const search = await org(cloud, 'POST', '/v1/orgs/{org}/groups/search', { groupNames: { eq: ['jira-software-users', 'site-admins', 'system-administrators'] } });
    expect(search.body.data.map((group: any) => group.name).sort()).toEqual(['jira-software-users', 'site-admins']);
    expect(cloud.org.productAccess(alice[ATLASSIAN].atlassianAccountId)).toEqual([]);
    expect(cloud.org.groupsOf(alice[ATLASSIAN].atlassianAccountId)).toEqual([]);
  });
});

describe('the directory and the org', () => {
  it('lists only users provisioned through the directory, and links an existing account by email', async () => {
    const cloud = await start();
    const invited = await org(cloud, 'POST', '/v2/orgs/{org}/users/invite', { emails: ['dana@example.com', 'erin@partner.org'] });
    expect(invited.status).toBe(200);
    expect((await scim(cloud, 'GET', '/Users')).body.totalResults).toBe(0);
    const dana = await createUser(cloud, 'dana@example.com');
    expect(dana[ATLASSIAN].atlassianAccountId).toBe(invited.body.data[0].id);
    const list = await scim(cloud, 'GET', '/Users');
    expect(list.body.totalResults).toBe(1);
    expect(list.body.Resources[0].userName).toBe('dana@example.com');
  });

  it('serves the discovery endpoints and no Bulk', async () => {
    const cloud = await start();
    const config = await scim(cloud, 'GET', '/ServiceProviderConfig');
    expect(config.body).toMatchObject({ patch: { supported: true }, bulk: { supported: false }, filter: { supported: true, maxResults: 100 }, sort: { supported: false } });
    const types = await scim(cloud, 'GET', '/ResourceTypes');
    expect(types.body.Resources.map((type: any) => type.id)).toEqual(['User', 'Group']);
    expect((await scim(cloud, 'GET', '/ResourceTypes/Group')).body.endpoint).toBe('/Groups');
    const schemas = await scim(cloud, 'GET', '/Schemas');
    expect(schemas.body.totalResults).toBe(3);
    expect((await scim(cloud, 'GET', `/Schemas/${USER}`)).body.attributes.map((attribute: any) => attribute.name)).toContain('userName');
    for (const path of ['/Bulk', '/.search', '/Me']) expect((await scim(cloud, 'POST', path, {})).status, path).toBe(404);
  });
});
