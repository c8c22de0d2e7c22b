/**
 * `usermig scan confluence:URL` against a Confluence REST contract server on 127.0.0.1
 * (test/support/confluence-contract.ts): users (deactivated ones included) through user/list, groups and
 * members, space permissions, content creators / modifiers / mentions, paged by start / limit and
 * `_links.next`; then assess, a `confluence:spaces=` plan and explain on what REST gave; an older
 * Confluence without user/list and space permissions; and the failures — 401, 403, 429 with Retry-After,
 * slow answers, a connection dropped mid-page, unexpected JSON.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { confluenceRoute, DELETED_KEY, generateConfluenceEstate, userKeyOf, type ConfluenceContractOptions } from './support/confluence-contract.js';
import { tempDir } from './support/files.js';
import { basic, startContractServer, usermigAsync, type ContractServer } from './support/rest-contract.js';
import { expectNoSecrets } from './support/secrets.js';
import { storedSource } from './support/slapd.js';

const TOKEN = 'conf-pat-0123456789';
const env = { USERMIG_CONFLUENCE_TOKEN: TOKEN };
const servers: ContractServer[] = [];
const CURRENT: ConfluenceContractOptions = { hasUserList: true, hasGlobalPermissions: true, hasSpacePermissions: true, showEmails: true };

async function confluence(options: ConfluenceContractOptions = CURRENT, authorization = `Bearer ${TOKEN}`): Promise<ContractServer> {
  const server = await startContractServer(confluenceRoute(generateConfluenceEstate(300), options), authorization);
  servers.push(server);
  return server;
}

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** No token or password in the output, nor (given) in the workspace. */
const noSecret = (result: { stdout: string; stderr: string }, workspace?: string) => expectNoSecrets(result, [TOKEN, 'wrong-token', 'hunter2', 'wrong-password'], workspace);

type Scanned = { name: string; counts: Record<string, number>; notes: string[] };
const scannedOf = (stdout: string) => (JSON.parse(stdout) as { sources: Scanned[] }).sources[0] as Scanned;

describe('scan confluence:URL', () => {
  it('reads users (deactivated and group-less ones too), groups, members, space permissions and the people content names; a space-scoped plan and explain work on it', async () => {
    const server = await confluence();
    const workspace = path.join(tempDir(), 'ws');
    const result = await usermigAsync(['scan', `confluence:${server.url}/wiki`, '--workspace', workspace, '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    noSecret(result, workspace);
    const scanned = scannedOf(result.stdout);
    expect(scanned.name).toBe('confluence');
    // confluence-users 240 + administrators 2 + eng 30 + docs-team 10; 3 spaces; 5 global grants (the anonymous one is
    // left out) and 5 space grants (ENG: eng ×2, c0003; DOCS: docs-team, c0004)
    // references: 60 ENG pages' creators + 30 of them last modified by c0011 + blog post + comment + deleted user's page
    // + 2 mentions + 2 direct space grants (c0003 on ENG, c0004 on DOCS) + DOCS page
    expect(scanned.counts).toMatchObject({ directories: 1, users: 300, groups: 5, memberships: 282, containers: 3, grants: 10, references: 98 });
    expect(scanned.notes.join(' ')).toMatch(/does not list the user directories/);
    expect(scanned.notes.join(' ')).not.toMatch(/global permissions/);
    expect(scanned.notes.join(' ')).not.toMatch(/no email/);
    // Content is paged at 25: ENG's 63 items take three pages
    expect(server.requests.filter((r) => r.includes('/content/search?') && r.includes('ENG'))).toHaveLength(3);
    // 200 asked, 100 given: the next page is the one _links.next names
    expect(server.requests.filter((r) => r.startsWith('/wiki/rest/api/user/list?'))).toEqual([
      '/wiki/rest/api/user/list?expand=status&start=0&limit=200',
      '/wiki/rest/api/user/list?expand=status&start=100&limit=100',
      '/wiki/rest/api/user/list?expand=status&start=200&limit=100',
    ]);

    const stored = storedSource(workspace, 'confluence');
    expect(stored.users).toHaveLength(300);
    expect(stored.users.find((u) => u.userName === 'c0003')).toMatchObject({ userKey: userKeyOf(3), email: 'c0003@example.com', displayName: 'Writer 3', active: true });
    expect(stored.users.find((u) => u.userName === 'c0010')?.active).toBe(false); // deactivated
    expect(stored.users.find((u) => u.userName === 'c0300')).toBeDefined(); // in no group
    expect(stored.groups['confluence-administrators']?.users).toEqual(['c0001', 'c0002']);

    const assessed = await usermigAsync(['assess', '--json', '--workspace', workspace]);
    const report = JSON.parse(assessed.stdout) as { summary: Record<string, unknown>; findings: Array<{ code: string; message: string }> };
    // S-09: USECONFLUENCE grants Confluence (the active ones of the first 240); S-10: the administrators' group
    expect(report.summary).toMatchObject({ sources: 1, users: 300, activeUsers: 270, groups: 5, invalidEmails: 0, billableUsers: { confluence: 216 } });
    expect(report.findings.find((f) => f.code === 'group-admin-access')?.message).toMatch(/confluence-administrators/);
    expect(report.findings.some((f) => f.code === 'user-deleted-referenced')).toBe(true); // the page of a deleted user
    // what REST could not read, as info findings naming the source
    expect(report.findings.filter((f) => f.code === 'source-not-read').map((f) => f.message)).toEqual([
      expect.stringMatching(/^confluence \(confluence:http:\/\/127\.0\.0\.1:\d+\/wiki\): Confluence REST does not list the user directories/),
      expect.stringMatching(/does not say which group members are inherited/),
    ]);

    expect((await usermigAsync(['domains', 'trust', '--all', '--workspace', workspace])).code).toBe(0);
    const planned = await usermigAsync(['plan', '--scope', 'confluence:spaces=ENG', '--json', '--workspace', workspace]);
    expect(planned.code, planned.stderr).toBe(0);
    const plan = JSON.parse(planned.stdout) as { scope: { accounts: Array<{ email: string; reasons: string[] }>; formerUsers: Array<{ userKey: string; why: string }> } };
    const emails = plan.scope.accounts.map((a) => a.email);
    // the creators (eng), the last modifier, blog post and comment authors, both mentions, the space admin
    for (const name of ['c0101', 'c0130', 'c0011', 'c0012', 'c0013', 'c0020', 'c0021', 'c0003']) expect(emails).toContain(`${name}@example.com`);
    expect(emails).not.toContain('c0004@example.com'); // DOCS only
    expect(emails).not.toContain('c0201@example.com');
    expect(plan.scope.formerUsers).toEqual([expect.objectContaining({ userKey: DELETED_KEY, why: 'deleted' })]);

    const mentioned = await usermigAsync(['explain', 'confluence:c0021', '--workspace', workspace]);
    expect(mentioned.stdout).toContain('confluence:c0021: in scope directly');
    expect(mentioned.stdout).toContain('mentioned on 1 page or comment in ENG ("Design note 1")');
    const admin = await usermigAsync(['explain', 'confluence:c0003', '--workspace', workspace]);
    expect(admin.stdout).toContain('holds 1 permission (SETSPACEPERMISSIONS) on space ENG');
    const commenter = await usermigAsync(['explain', 'confluence:c0013', '--workspace', workspace]);
    expect(commenter.stdout).toContain('author of 1 comment in ENG ("comment 3000 on Design note 1")');
  });

  it('content/search paged by cursor (Data Center; start ignored): follows _links.next and reads every page once', async () => {
    const server = await confluence({ ...CURRENT, cursorSearch: true });
    const result = await usermigAsync(['scan', `confluence:${server.url}/wiki`, '--workspace', path.join(tempDir(), 'ws'), '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(scannedOf(result.stdout).counts).toMatchObject({ users: 300, containers: 3, references: 98 });
    const eng = server.requests.filter((r) => r.includes('/content/search?') && r.includes('ENG'));
    expect(eng).toHaveLength(3);
    expect(eng.slice(1).every((r) => r.includes('cursor='))).toBe(true);
  });

  it('global permissions answered as a paged listing: every page is read', async () => {
    const server = await confluence({ ...CURRENT, pagedGlobalPermissions: true });
    const result = await usermigAsync(['scan', `confluence:${server.url}/wiki`, '--workspace', path.join(tempDir(), 'ws'), '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(scannedOf(result.stdout).counts).toMatchObject({ grants: 10 }); // 5 global (6 listed, one anonymous) + 5 space
    expect(server.requests.filter((r) => r.startsWith('/wiki/rest/api/permissions'))).toHaveLength(1 + 3);
  });

  it('a _links.next naming the page just read: exit 2 naming the endpoint and the field, instead of reading forever', async () => {
    const server = await confluence();
    server.faults.push({ match: /\/rest\/api\/space\?/, body: { results: [{ key: 'ENG', id: 1, name: 'Engineering' }], start: 0, limit: 200, size: 1, _links: { next: '/rest/api/space?start=0&limit=200' } } });
    const result = await usermigAsync(['scan', `confluence:${server.url}/wiki`, '--workspace', path.join(tempDir(), 'ws')], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unexpected answer from GET \/rest\/api\/space: field "_links\.next" should be a page not read yet but is string "\/rest\/api\/space\?start=0&limit=200"/);
  });

  it('an older Confluence (no user/list, no global or space permissions, no emails): members of groups only, and notes saying what was not read', async () => {
    const server = await confluence({ hasUserList: false, hasGlobalPermissions: false, hasSpacePermissions: false, showEmails: false }, basic('admin', 'hunter2'));
    const workspace = path.join(tempDir(), 'ws');
    const result = await usermigAsync(['scan', `confluence:${server.url}/wiki`, '--workspace', workspace, '--json'], { USERMIG_CONFLUENCE_USER: 'admin', USERMIG_CONFLUENCE_PASSWORD: 'hunter2' });
    expect(result.code, result.stderr).toBe(0);
    noSecret(result);
    const scanned = scannedOf(result.stdout);
    expect(scanned.counts).toMatchObject({ users: 240, groups: 5, memberships: 282, grants: 0 });
    const notes = scanned.notes.join('\n');
    expect(notes).toMatch(/no user\/list \(before 8\.4\).*users in no group are missing/);
    expect(notes).toMatch(/no space\/\{key\}\/permissions \(before 9\.1/);
    expect(notes).toMatch(/no global permissions endpoint \(before 9\.2\): USECONFLUENCE.* were not read/);
    expect(notes).toMatch(/no email for 240 of 240 users/);
    expect(server.requests.filter((r) => r.includes('/space/') && r.includes('/permissions'))).toHaveLength(1); // asked of the first space, not of every space
    // group members are asked with expand=status: the deactivated ones are known as such
    const stored = storedSource(workspace, 'confluence');
    expect(stored.users.find((u) => u.userName === 'c0010')?.active).toBe(false);
    expect(stored.users.find((u) => u.userName === 'c0011')).toMatchObject({ active: true, email: '' });
    expect(stored.users.find((u) => u.userName === 'c0250')).toBeUndefined(); // in no group
    const assessed = JSON.parse((await usermigAsync(['assess', '--json', '--workspace', workspace])).stdout) as {
      summary: Record<string, unknown>;
      findings: Array<{ code: string; fix: string; subjects: Array<{ id: string }> }>;
    };
    expect(assessed.summary).toMatchObject({ users: 240, invalidEmails: 240 });
    const fixOf = (topic: string) => assessed.findings.find((f) => f.code === 'source-not-read' && f.subjects[0]?.id === topic)?.fix;
    // what each gap means, and what helps: another source does not fill in the emails; a backup or a decision does
    expect(fixOf('emails')).toMatch(/^These users have invalid emails, which block the plan until decided \(another source .* does not fill them in\): scan a confluence-backup under this source's name instead, or give them addresses \(users fix --invalid new-email/);
    expect(fixOf('users')).toMatch(/^Users in no group get no account from this source/);
    expect(fixOf('global-permissions')).toMatch(/^Product access, admin groups and billable Confluence users are not assessed/);
    expect(fixOf('space-permissions')).toMatch(/^A confluence:spaces= scope finds users through the content only/);
    expect(fixOf('group-nesting')).toMatch(/people who belong through a nested group are missing from the cloud groups/);
  });

  it('wrong credentials: exit 3 naming the source and the status, no secret printed, nothing changed', async () => {
    const server = await confluence();
    const result = await usermigAsync(['scan', `wiki=confluence:${server.url}/wiki`, '--workspace', path.join(tempDir(), 'ws')], { USERMIG_CONFLUENCE_TOKEN: 'wrong-token' });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/Confluence source "wiki" \(http:\/\/127\.0\.0\.1:\d+\/wiki\): the server refused the token in USERMIG_CONFLUENCE_TOKEN: GET \/rest\/api\/user\/current answered 401/);
    expect(result.stderr).toMatch(/nothing was changed in the workspace/);
    noSecret(result);
  });

  it('a group deleted while the scan reads it (listed, then 404): noted, the rest is read', async () => {
    const server = await confluence();
    server.faults.push({ match: /\/group\/docs-team\/member/, status: 404, body: { statusCode: 404, message: 'Group not found: docs-team' } });
    const result = await usermigAsync(['scan', `confluence:${server.url}/wiki`, '--workspace', path.join(tempDir(), 'ws'), '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const scanned = scannedOf(result.stdout);
    expect(scanned.counts).toMatchObject({ users: 300, groups: 5, memberships: 282 - 10 });
    expect(scanned.notes.join('\n')).toMatch(/1 group was deleted while the scan read Confluence \(docs-team: listed, then not found\): their members were not read/);
  });

  it('credentials taken as the anonymous user (anonymous access on): exit 3 instead of reading what a guest sees', async () => {
    const server = await confluence();
    server.faults.push({ match: /\/user\/current/, body: { type: 'anonymous', profilePicture: { path: '/wiki/images/icons/profilepics/anonymous.svg' }, displayName: 'Anonymous', _links: {} } });
    const result = await usermigAsync(['scan', `confluence:${server.url}/wiki`, '--workspace', path.join(tempDir(), 'ws')], env);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/Confluence source "confluence" \(http:\/\/127\.0\.0\.1:\d+\/wiki\): Confluence took the token in USERMIG_CONFLUENCE_TOKEN as the anonymous user .*of an administrator; nothing was changed in the workspace/);
    expect(server.requests).toHaveLength(1);
    noSecret(result);
  });

  it('403 on a space\'s content: exit 3 saying which request was forbidden and how far the read got', async () => {
    const server = await confluence();
    server.faults.push({ match: /content\/search\?cql=.*DOCS/, status: 403, body: { statusCode: 403, message: 'Not permitted to use confluence' } });
    const result = await usermigAsync(['scan', `confluence:${server.url}/wiki`, '--workspace', path.join(tempDir(), 'ws')], env);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/may not read GET \/rest\/api\/content\/search\?cql=.*DOCS.*403 Forbidden/);
    expect(result.stderr).toMatch(/stopped while reading content creators, modifiers and mentions \(content\/search\) after 300 users, 5 groups, 282 memberships, 10 grants, 3 spaces, \d+ user references read in \d+ requests; nothing was written to the workspace \(it has no snapshot of "confluence" yet\)/);
    noSecret(result);
  });

  it('429 with Retry-After and slow answers: waits, then reads everything', async () => {
    const server = await confluence();
    server.faults.push({ match: /content\/search\?cql=.*DOCS.*start=0&/, times: 2, status: 429, headers: { 'Retry-After': '1' }, body: { statusCode: 429, message: 'Rate limit exceeded' } });
    server.faults.push({ match: /group\/[^/]+\/member/, delayMs: 600 });
    const workspace = path.join(tempDir(), 'ws');
    const result = await usermigAsync(['scan', `confluence:${server.url}/wiki`, '--workspace', workspace, '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.ms).toBeGreaterThanOrEqual(2000); // two Retry-After windows of 1 s
    expect(scannedOf(result.stdout).counts).toMatchObject({ users: 300, memberships: 282, grants: 10 });
    expect(server.requests.filter((r) => r.includes('/content/search?') && r.includes('DOCS')).length).toBe(3);
    expect(server.peakInFlight).toBeGreaterThan(1); // groups and spaces are read concurrently
  });

  it('a connection dropped mid-page: exit 3, says how far it got, and the previous snapshot stays', async () => {
    const server = await confluence();
    const workspace = path.join(tempDir(), 'ws');
    expect((await usermigAsync(['scan', `confluence:${server.url}/wiki`, '--workspace', workspace], env)).code).toBe(0);
    const before = storedSource(workspace, 'confluence');
    server.faults.push({ match: /content\/search\?.*ENG.*start=25&/, drop: true });
    const result = await usermigAsync(['scan', `confluence:${server.url}/wiki`, '--workspace', workspace], env);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/Confluence source "confluence" .*GET \/rest\/api\/content\/search\?cql=.*the connection failed \(ECONNRESET, 3 attempts\)/);
    expect(result.stderr).toMatch(/stopped while reading content creators, modifiers and mentions .* after 300 users.*the previous snapshot of "confluence" is kept/);
    expect(storedSource(workspace, 'confluence')).toEqual(before);
  }, 30_000);

  it('unexpected JSON: a clear error naming the endpoint and the field (exit 2)', async () => {
    const server = await confluence();
    server.faults.push({ match: /\/rest\/api\/group\?/, body: { start: 0, limit: 200, size: 1, results: { name: 'devs' } } });
    const result = await usermigAsync(['scan', `confluence:${server.url}/wiki`, '--workspace', path.join(tempDir(), 'ws')], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unexpected answer from GET \/rest\/api\/group: field "results" should be an array but is object/);

    server.faults.length = 0;
    server.faults.push({ match: /space\/ENG\/permissions/, body: [{ operation: { targetType: 'space' }, subject: { type: 'group', name: 'eng' } }] });
    const second = await usermigAsync(['scan', `confluence:${server.url}/wiki`, '--workspace', path.join(tempDir(), 'ws')], env);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/GET \/rest\/api\/space\/ENG\/permissions: field "\[0\]\.operation\.operationKey" should be a string but is nothing/);
  });
});
