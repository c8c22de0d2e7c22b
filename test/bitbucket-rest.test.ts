/**
 * `usermig scan bitbucket:URL` against a Bitbucket REST contract server on 127.0.0.1
 * (test/support/bitbucket-contract.ts): users (inactive included), groups and members, global / project /
 * repository permissions, paged by start / limit / isLastPage / nextPageStart; then assess, plan and apply
 * into the local cloud with S-13's `Bitbucket Migration Users`; and the failures — 401, 403, 429 with
 * Retry-After, slow answers, a connection dropped mid-page, unexpected JSON.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { bitbucketRoute, generateBitbucketEstate } from './support/bitbucket-contract.js';
import { tempDir } from './support/files.js';
import { basic, startContractServer, usermigAsync, type ContractServer, type Route } from './support/rest-contract.js';
import { expectNoSecrets } from './support/secrets.js';
import { storedSource } from './support/slapd.js';

const TOKEN = 'bb-http-token-0123456789';
const env = { USERMIG_BITBUCKET_TOKEN: TOKEN };
const servers: ContractServer[] = [];

async function bitbucket(users = 300, route?: Route, authorization = `Bearer ${TOKEN}`): Promise<ContractServer> {
  const server = await startContractServer(route ?? bitbucketRoute(generateBitbucketEstate(users)), authorization);
  servers.push(server);
  return server;
}

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** No token or password in the output, nor (given) in the workspace. */
const noSecret = (result: { stdout: string; stderr: string }, workspace?: string) => expectNoSecrets(result, [TOKEN, 'wrong-token', 'hunter2', 'wrong-password'], workspace);

/** Cloud group name → member emails, as the local cloud holds them. */
function cloudGroups(workspace: string): Map<string, string[]> {
  const db = new Database(path.join(workspace, 'cloud', 'cloud.db'), { readonly: true });
  try {
    const rows = db
      .prepare('SELECT g.name, a.email FROM groups AS g LEFT JOIN all_memberships AS m ON m.group_id = g.id LEFT JOIN accounts AS a ON a.account_id = m.account_id ORDER BY a.email')
      .all() as Array<{ name: string; email: string | null }>;
    const result = new Map<string, string[]>();
    for (const { name, email } of rows) result.set(name, [...(result.get(name) ?? []), ...(email ? [email] : [])]);
    return result;
  } finally {
    db.close();
  }
}

/** Role assignments (product or admin access) of a cloud group. */
function cloudRoles(workspace: string, group: string): unknown[] {
  const db = new Database(path.join(workspace, 'cloud', 'cloud.db'), { readonly: true });
  try {
    return db.prepare('SELECT r.role FROM group_roles AS r JOIN groups AS g ON g.id = r.group_id WHERE g.name = ?').all(group);
  } finally {
    db.close();
  }
}

describe('scan bitbucket:URL', () => {
  it('reads every user (inactive ones too), groups, members and global / project / repository permissions, page after page', async () => {
    const server = await bitbucket();
    const workspace = path.join(tempDir(), 'ws');
    const result = await usermigAsync(['scan', `bitbucket:${server.url}/bitbucket`, '--workspace', workspace, '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    noSecret(result, workspace);
    const scanned = (JSON.parse(result.stdout) as { sources: Array<{ name: string; kind: string; counts: Record<string, number>; notes: string[] }> }).sources[0];
    expect(scanned?.name).toBe('bitbucket');
    // stash-users 240 + bb-admins 2 + platform-devs 30 + web-team 10
    expect(scanned?.counts).toMatchObject({ directories: 1, users: 300, groups: 5, memberships: 282, containers: 3 });
    // global: 1 user + 2 groups; PLAT: 1 user; PLAT/api: 1 user + 1 group; WEB: 1 group; WEB/site: 1 user
    expect(scanned?.counts.grants).toBe(8);
    expect(scanned?.notes.join(' ')).toMatch(/does not give the order of its user directories \(Bitbucket Internal Directory, Corporate LDAP\)/);
    expect(scanned?.notes.join(' ')).toMatch(/pull requests/);
    // u0006: SYS_ADMIN directly, and LICENSED_USER through stash-users: billable, but the admin right is not carried
    expect(scanned?.notes.join(' ')).toMatch(/1 user holds a global permission directly, not through a group \(u0006 SYS_ADMIN\): usermig counts product access and admin access through groups only \(S-09, S-10\)/);
    expect(scanned?.notes.join(' ')).not.toMatch(/not counted as billable/);
    expect(scanned?.notes.join(' ')).toMatch(/1 service user \(access tokens: svc-tools-token\) was left out, with their permissions/);
    // 25 per page, as Bitbucket's default: 300 users take 12 pages, each asked at nextPageStart
    expect(server.requests.filter((r) => r.startsWith('/bitbucket/rest/api/1.0/admin/users?'))).toHaveLength(12);
    expect(server.requests).toContain('/bitbucket/rest/api/1.0/admin/users?start=275&limit=1000');

    const stored = storedSource(workspace, 'bitbucket');
    expect(stored.users).toHaveLength(300);
    expect(stored.users.find((u) => u.userName === 'u0003')).toMatchObject({ userKey: '1003', email: 'u0003@example.com', displayName: 'Dev 3', active: true });
    expect(stored.users.find((u) => u.userName === 'u0010')?.active).toBe(false);
    expect(stored.groups['bb-admins']?.users).toEqual(['u0001', 'u0002']);
    expect(stored.groups['empty group']?.users).toEqual([]);

    const assessed = await usermigAsync(['assess', '--json', '--workspace', workspace]);
    const report = JSON.parse(assessed.stdout) as { summary: Record<string, unknown>; findings: Array<{ code: string; message: string }> };
    // S-09: LICENSED_USER (stash-users) and ADMIN (bb-admins) grant Bitbucket: the active ones of the first 240
    expect(report.summary).toMatchObject({ sources: 1, users: 300, activeUsers: 270, groups: 5, billableUsers: { bitbucket: 216 } });
    expect(report.findings.find((f) => f.code === 'group-admin-access')?.message).toMatch(/bb-admins/);
    const notRead = report.findings.filter((f) => f.code === 'source-not-read').map((f) => f.message);
    expect(notRead).toHaveLength(5); // service users, direct global permissions, directories, nesting, repository access
    expect(notRead.join('\n')).toMatch(/^bitbucket \(bitbucket:http:\/\/127\.0\.0\.1:\d+\/bitbucket\): 1 user holds a global permission directly/m);
  });

  it('a user licensed directly, in no group that grants Bitbucket: the note says they are not counted as billable', async () => {
    const estate = generateBitbucketEstate(300);
    estate.global.users.push({ name: 'u0291', permission: 'LICENSED_USER' }, { name: 'u0001', permission: 'PROJECT_CREATE' }); // u0291: in no group
    const server = await bitbucket(300, bitbucketRoute(estate));
    const workspace = path.join(tempDir(), 'ws');
    const result = await usermigAsync(['scan', `bitbucket:${server.url}/bitbucket`, '--workspace', workspace, '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const notes = (JSON.parse(result.stdout) as { sources: Array<{ notes: string[] }> }).sources[0]?.notes.join('\n');
    expect(notes).toMatch(/3 users hold a global permission directly, not through a group \(u0001 PROJECT_CREATE, u0006 SYS_ADMIN, u0291 LICENSED_USER\): .*; 1 of them is in no group that grants Bitbucket, so not counted as billable/);
    const assessed = JSON.parse((await usermigAsync(['assess', '--json', '--workspace', workspace])).stdout) as { summary: { billableUsers: Record<string, number> } };
    expect(assessed.summary.billableUsers.bitbucket).toBe(216); // u0291 is not among them
  });

  it('plan and apply: every migrated active Bitbucket user joins "Bitbucket Migration Users", which grants nothing (S-13); inactive ones get no group (S-08); a re-run changes nothing', async () => {
    const server = await bitbucket(60);
    const workspace = path.join(tempDir(), 'ws');
    expect((await usermigAsync(['scan', `bitbucket:${server.url}/bitbucket`, '--workspace', workspace], env)).code).toBe(0);
    expect((await usermigAsync(['domains', 'trust', '--all', '--workspace', workspace])).code).toBe(0);
    // A skipped user and a Former user get no account, so they do not join the group either.
    expect((await usermigAsync(['users', 'decide', 'bitbucket:u0007', 'skip', '--workspace', workspace])).code).toBe(0);
    expect((await usermigAsync(['users', 'decide', 'bitbucket:u0008', 'former-user', '--workspace', workspace])).code).toBe(0);
    const planned = await usermigAsync(['plan', '--workspace', workspace, '--json']);
    expect(planned.code, planned.stderr).toBe(0);
    const plan = JSON.parse(planned.stdout) as { operations: Array<{ kind: string; name?: string; group?: string; emails?: string[] }> };
    expect(plan.operations.some((op) => op.kind === 'create-group' && op.name === 'Bitbucket Migration Users')).toBe(true);
    const adds = plan.operations.filter((op) => op.kind === 'add-members' && op.group === 'Bitbucket Migration Users').flatMap((op) => op.emails ?? []);
    expect(adds).toHaveLength(52); // 60 users, 6 of them inactive, one skipped, one a Former user
    // Inactive Bitbucket users get accounts (SC-B02) but no group (S-08): access the admin later grants
    // to this group must not reach them.
    expect(plan.operations.some((op) => op.kind === 'create-account' && (op as { email?: string }).email === 'u0010@example.com')).toBe(true);
    expect(adds).not.toContain('u0010@example.com');
    expect(adds).not.toContain('u0007@example.com');

    const applied = await usermigAsync(['apply', '--yes', '--workspace', workspace]);
    expect(applied.code, applied.stderr).toBe(0);
    noSecret(applied, workspace); // the workspace, plan, ledger and local cloud included
    const groups = cloudGroups(workspace);
    expect(groups.get('Bitbucket Migration Users')).toHaveLength(52);
    expect(groups.get('bb-admins')).toEqual(['u0001@example.com', 'u0002@example.com']);
    expect(cloudRoles(workspace, 'Bitbucket Migration Users')).toEqual([]);
    const reported = await usermigAsync(['report', '--format', 'json', '--out', path.join(workspace, 'report'), '--workspace', workspace]);
    expect(reported.code, reported.stderr).toBe(0);
    const report = JSON.parse(fs.readFileSync(path.join(workspace, 'report', 'report.json'), 'utf8')) as { groups: Array<Record<string, unknown>> };
    expect(report.groups.find((g) => g.cloudName === 'Bitbucket Migration Users')).toMatchObject({
      outcome: 'created',
      members: 52,
      membersViaNestedOnly: 0,
      productAccessAwaitingApproval: [],
      adminAccessAwaitingApproval: [],
      reasons: [expect.stringMatching(/every migrated Bitbucket user joins it; it grants no product access and no permission \(S-13\)/)],
    });

    const again = await usermigAsync(['plan', '--workspace', workspace]);
    expect(again.stdout).toContain('No changes: the cloud matches the estate and the decisions.');
  });

  it('wrong credentials: exit 3 naming the source and the status, no secret printed, nothing changed', async () => {
    const server = await bitbucket(10, undefined, basic('admin', 'hunter2'));
    const result = await usermigAsync(['scan', `bb=bitbucket:${server.url}/bitbucket`, '--workspace', path.join(tempDir(), 'ws')], { USERMIG_BITBUCKET_USER: 'admin', USERMIG_BITBUCKET_PASSWORD: 'wrong-password' });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/Bitbucket source "bb" \(http:\/\/127\.0\.0\.1:\d+\/bitbucket\): the server refused the user admin \(USERMIG_BITBUCKET_USER \/ USERMIG_BITBUCKET_PASSWORD\): GET \/rest\/api\/1\.0\/admin\/users\?start=0&limit=1000 answered 401/);
    expect(result.stderr).toMatch(/nothing was changed in the workspace/);
    expect(result.stderr).not.toContain('wrong-password');
    const ok = await usermigAsync(['scan', `bitbucket:${server.url}/bitbucket`, '--workspace', path.join(tempDir(), 'ws')], { USERMIG_BITBUCKET_USER: 'admin', USERMIG_BITBUCKET_PASSWORD: 'hunter2' });
    expect(ok.code, ok.stderr).toBe(0);
    noSecret(ok);
  });

  it('credentials in the URL: exit 2 without repeating them, nothing asked of the server (they come from the environment only)', async () => {
    const server = await bitbucket(10, undefined, basic('admin', 'hunter2'));
    const withPassword = server.url.replace('http://', 'http://admin:hunter2@');
    const result = await usermigAsync(['scan', `bitbucket:${withPassword}/bitbucket`, '--workspace', path.join(tempDir(), 'ws')], {});
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/the URL of the bitbucket: source carries credentials before "@"; usermig takes them from environment variables only/);
    expect(result.stderr).toContain(`write bitbucket:${server.url}/bitbucket`);
    noSecret(result);
    expect(server.requests).toEqual([]);
  });

  it('a repository deleted while the scan reads it (listed, then 404): noted, the rest is read', async () => {
    const server = await bitbucket();
    server.faults.push({ match: /\/repos\/site\/permissions\/users/, status: 404, body: { errors: [{ context: null, message: 'Repository WEB/site does not exist.', exceptionName: 'com.atlassian.bitbucket.repository.NoSuchRepositoryException' }] } });
    const result = await usermigAsync(['scan', `bitbucket:${server.url}/bitbucket`, '--workspace', path.join(tempDir(), 'ws'), '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const scanned = (JSON.parse(result.stdout) as { sources: Array<{ counts: Record<string, number>; notes: string[] }> }).sources[0];
    expect(scanned?.counts).toMatchObject({ users: 300, grants: 7 }); // all but u0005's REPO_READ on WEB/site
    expect(scanned?.notes.join('\n')).toMatch(/1 group, project or repository was deleted while the scan read Bitbucket \(repository WEB\/site: listed, then not found\)/);
    // a 404 where nothing was listed before is still an error
    server.faults.length = 0;
    server.faults.push({ match: /admin\/permissions\/users/, status: 404, body: { errors: [{ message: 'not found' }] } });
    const failed = await usermigAsync(['scan', `bitbucket:${server.url}/bitbucket`, '--workspace', path.join(tempDir(), 'ws')], env);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(/GET \/rest\/api\/1\.0\/admin\/permissions\/users\?start=0&limit=1000 answered 404 \(not found\)/);
  });

  it('a redirect (http:// moved to https://, a login page) is not followed: exit 2 saying where it leads and what to give', async () => {
    const server = await bitbucket(10);
    server.faults.push({ match: /admin\/users/, status: 301, headers: { Location: 'https://bitbucket.example.com/bitbucket/rest/api/1.0/admin/users?start=0&limit=1000' }, body: '' });
    const result = await usermigAsync(['scan', `bitbucket:${server.url}/bitbucket`, '--workspace', path.join(tempDir(), 'ws')], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/GET \/rest\/api\/1\.0\/admin\/users\?start=0&limit=1000 answered 301, a redirect to https:\/\/bitbucket\.example\.com\/bitbucket\/rest\/api\/1\.0\/admin\/users: give the source's URL as the server wants it/);
    expect(server.requests).toHaveLength(1);
  });

  it('a server that echoes the credentials in its error: they are not repeated', async () => {
    const server = await bitbucket(10);
    server.faults.push({ match: /admin\/users/, status: 400, body: { errors: [{ message: `bad token ${TOKEN}` }] } });
    const result = await usermigAsync(['scan', `bitbucket:${server.url}/bitbucket`, '--workspace', path.join(tempDir(), 'ws')], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/answered 400 \(bad token \[redacted\]\)/);
    noSecret(result);
  });

  it('403 on the repository permissions: exit 3 saying which request was forbidden and how far the read got', async () => {
    const server = await bitbucket();
    server.faults.push({ match: /repos\/api\/permissions\/users/, status: 403, body: { errors: [{ message: 'You are not permitted to access this resource' }] } });
    const result = await usermigAsync(['scan', `bitbucket:${server.url}/bitbucket`, '--workspace', path.join(tempDir(), 'ws')], env);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/may not read GET \/rest\/api\/1\.0\/projects\/PLAT\/repos\/api\/permissions\/users\?start=0&limit=1000: 403 Forbidden \(You are not permitted to access this resource\)/);
    expect(result.stderr).toMatch(/stopped while reading repository permissions and pull requests .* after 300 users, 5 groups, 282 memberships, \d+ grants, 3 repositories, \d+ user references read in \d+ requests; nothing was written to the workspace \(it has no snapshot of "bitbucket" yet\)/);
    noSecret(result);
  });

  it('429 with Retry-After and slow answers: waits, then reads everything', async () => {
    const server = await bitbucket();
    server.faults.push({ match: /more-members\?context=stash-users&start=100/, times: 2, status: 429, headers: { 'Retry-After': '1' }, body: { errors: [{ message: 'Rate limit exceeded' }] } });
    server.faults.push({ match: /\/pull-requests\?/, delayMs: 600 });
    const workspace = path.join(tempDir(), 'ws');
    const result = await usermigAsync(['scan', `bitbucket:${server.url}/bitbucket`, '--workspace', workspace, '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.ms).toBeGreaterThanOrEqual(2000); // two Retry-After windows of 1 s
    const counts = (JSON.parse(result.stdout) as { sources: Array<{ counts: Record<string, number> }> }).sources[0]?.counts;
    expect(counts).toMatchObject({ users: 300, memberships: 282, grants: 8, containers: 3 });
    expect(server.requests.filter((r) => r.includes('context=stash-users&start=100&')).length).toBe(3);
    expect(server.peakInFlight).toBeGreaterThan(1); // groups, projects and repositories are read concurrently
  });

  it('a connection dropped mid-page: exit 3, says how far it got, and the previous snapshot stays', async () => {
    const server = await bitbucket();
    const workspace = path.join(tempDir(), 'ws');
    expect((await usermigAsync(['scan', `bitbucket:${server.url}/bitbucket`, '--workspace', workspace], env)).code).toBe(0);
    const before = storedSource(workspace, 'bitbucket');
    server.faults.push({ match: /more-members\?context=stash-users&start=50&/, drop: true });
    const result = await usermigAsync(['scan', `bitbucket:${server.url}/bitbucket`, '--workspace', workspace], env);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/Bitbucket source "bitbucket" .*GET \/rest\/api\/1\.0\/admin\/groups\/more-members\?context=stash-users&start=50.*the connection failed \(ECONNRESET, 3 attempts\)/);
    expect(result.stderr).toMatch(/stopped while reading group members \(admin\/groups\/more-members\) after 300 users, 5 groups, \d+ memberships.*the previous snapshot of "bitbucket" is kept/);
    expect(storedSource(workspace, 'bitbucket')).toEqual(before);
  }, 30_000);

  it('unexpected JSON: a clear error naming the endpoint and the field (exit 2)', async () => {
    const server = await bitbucket(10);
    server.faults.push({ match: /admin\/groups\?/, body: { size: 1, limit: 25, start: 0, values: [{ name: 'devs' }] } });
    const result = await usermigAsync(['scan', `bitbucket:${server.url}/bitbucket`, '--workspace', path.join(tempDir(), 'ws')], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unexpected answer from GET \/rest\/api\/1\.0\/admin\/groups: field "isLastPage" should be true or false but is nothing/);

    server.faults.length = 0;
    server.faults.push({ match: /admin\/permissions\/users/, body: { size: 1, limit: 25, start: 0, isLastPage: true, values: [{ user: { name: 'x', id: 1 }, permission: 7 }] } });
    const second = await usermigAsync(['scan', `bitbucket:${server.url}/bitbucket`, '--workspace', path.join(tempDir(), 'ws')], env);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/GET \/rest\/api\/1\.0\/admin\/permissions\/users: field "values\[0\]\.permission" should be a string but is number 7/);
  });

  const samples = process.env.USERMIG_SAMPLES;
  it.skipIf(!samples)('reads the recorded permission pages of the samples (atlassian-python-api), inactive users included', async () => {
    const read = (file: string) => (JSON.parse(fs.readFileSync(path.join(samples as string, 'atlassian-python-api', 'json', file), 'utf8')) as Record<string, unknown>)[''];
    const generated = bitbucketRoute(generateBitbucketEstate(10));
    const server = await bitbucket(10, (url) => {
      const p = url.pathname.replace('/bitbucket/rest/api/1.0', '');
      if (p === '/admin/permissions/users') return { body: read('bitbucket__server__admin__permissions__users__GET.json') };
      if (p === '/admin/permissions/groups') return { body: read('bitbucket__server__admin__permissions__groups__GET.json') };
      if (p === '/projects/PLAT/permissions/users') return { body: read('bitbucket__server__projects__PRJ__permissions__users__GET.json') };
      if (p === '/projects/PLAT/repos/api/permissions/groups') return { body: read('bitbucket__server__projects__PRJ__repos__my-repo1-slug__permissions__groups__GET.json') };
      return generated(url);
    });
    const workspace = path.join(tempDir(), 'ws');
    const result = await usermigAsync(['scan', `bitbucket:${server.url}/bitbucket`, '--workspace', workspace], env);
    expect(result.code, result.stderr).toBe(0);
    const stored = storedSource(workspace, 'bitbucket');
    expect(stored.users.find((u) => u.userName === 'jcitizen4')).toMatchObject({ active: false, email: 'jane4@example.com', userKey: '104' });
  });
  if (!samples) console.warn('bitbucket-rest.test.ts: USERMIG_SAMPLES is not set; the recorded-sample test is skipped (run through .ci/run)');
});
