/**
 * `usermig scan jira:URL` against a Jira REST contract server on 127.0.0.1 (test/support/jira-contract.ts):
 * user/list on DC 10.3+, the capped user/search of DC 10.0–10.2, inactive users, effective group members,
 * roles and schemes, JSM organizations; and the failures — 401, 403, 429 with Retry-After, slow answers, a
 * connection dropped mid-page, unexpected JSON — each exit code and message, the previous snapshot kept.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from './support/files.js';
import { generateJiraEstate, jiraRoute, type JiraContractOptions } from './support/jira-contract.js';
import { basic, startContractServer, usermigAsync, type ContractServer, type Route } from './support/rest-contract.js';
import { expectNoSecrets } from './support/secrets.js';
import { storedSource } from './support/slapd.js';

const TOKEN = 'pat-secret-0123456789';
const env = { USERMIG_JIRA_TOKEN: TOKEN };
const servers: ContractServer[] = [];

async function jira(options: JiraContractOptions, users = 300, route?: Route): Promise<ContractServer> {
  const server = await startContractServer(route ?? jiraRoute(generateJiraEstate(users), options), `Bearer ${TOKEN}`);
  servers.push(server);
  return server;
}

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

/** No token or password in the output, nor (given) in the workspace. */
const noSecret = (result: { stdout: string; stderr: string }, workspace?: string) => expectNoSecrets(result, [TOKEN, 'wrong-token', 'hunter2', 'wrong-password'], workspace);

describe('scan jira:URL', () => {
  it('reads every user through user/list (inactive ones included), groups with effective members, roles, schemes and JSM organizations', async () => {
    const server = await jira({ hasUserList: true });
    const workspace = path.join(tempDir(), 'ws');
    const result = await usermigAsync(['scan', `jira:${server.url}/jira`, '--workspace', workspace, '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    noSecret(result, workspace);
    const json = JSON.parse(result.stdout) as { sources: Array<{ name: string; counts: Record<string, number>; notes: string[] }> };
    const scanned = json.sources[0];
    expect(scanned?.name).toBe('jira');
    expect(scanned?.counts).toMatchObject({ directories: 1, users: 300, groups: 4 });
    // 240 + 130 nested developers already in the 240 → 240; developers 130; admins 2
    expect(scanned?.counts.memberships).toBe(240 + 130 + 2);
    expect(scanned?.counts.grants).toBe(2 + 2 + 1 + 1 + 1 + 1); // app role groups, ABC roles (admins group + user, developers), HELP team user, scheme group, scheme user
    expect(scanned?.notes.join(' ')).toMatch(/global permission grants/);
    expect(server.requests.some((r) => r.startsWith('/jira/rest/api/2/user/list'))).toBe(true);
    expect(server.requests.some((r) => r.startsWith('/jira/rest/api/2/user/search'))).toBe(false);
    expect(server.requests.filter((r) => r.includes('group/member')).every((r) => r.includes('includeInactiveUsers=true'))).toBe(true);

    const stored = storedSource(workspace, 'jira');
    expect(stored.users).toHaveLength(300);
    const third = stored.users.find((u) => u.userName === 'cuser0003');
    expect(third).toMatchObject({ userKey: 'JIRAUSER10003', email: 'cuser0003@example.com', displayName: 'Person 3', active: true });
    expect(stored.users.find((u) => u.userName === 'juser0010')?.active).toBe(false);
    expect(stored.groups['jira-administrators']?.users).toEqual(['auser0001', 'juser0010']);
    expect(stored.groups['empty group']?.users).toEqual([]);

    const human = await usermigAsync(['scan', `jira:${server.url}/jira`, '--workspace', workspace], env);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/scanned jira \(jira:http:\/\/127\.0\.0\.1:\d+\/jira\) in .*: 1 directories, 300 users, 4 groups/);
    expect(human.stdout).toMatch(/note: Jira REST does not list global permission grants/);
  });

  it('splits a user search capped at 100 results (Data Center 10.0–10.2) by prefix and still finds every user, inactive ones too', async () => {
    const server = await jira({ hasUserList: false, searchCap: 100 }, 3000);
    const workspace = path.join(tempDir(), 'ws');
    const result = await usermigAsync(['scan', `jira:${server.url}/jira`, '--workspace', workspace, '--json'], { USERMIG_JIRA_USER: 'admin', USERMIG_JIRA_PASSWORD: 'hunter2' });
    // Basic credentials: this server only takes the token
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/Jira source "jira" .*refused the user admin \(USERMIG_JIRA_USER \/ USERMIG_JIRA_PASSWORD\).*401/);
    noSecret(result);

    const basicServer = await startContractServer(jiraRoute(generateJiraEstate(3000), { hasUserList: false, searchCap: 100 }), basic('admin', 'hunter2'));
    servers.push(basicServer);
    const ok = await usermigAsync(['scan', `jira:${basicServer.url}/jira`, '--workspace', workspace, '--json'], { USERMIG_JIRA_USER: 'admin', USERMIG_JIRA_PASSWORD: 'hunter2' });
    expect(ok.code, ok.stderr).toBe(0);
    noSecret(ok);
    const scanned = (JSON.parse(ok.stdout) as { sources: Array<{ counts: Record<string, number>; notes: string[] }> }).sources[0];
    expect(scanned?.counts.users).toBe(3000);
    expect(scanned?.notes.join(' ')).toMatch(/caps user\/search at 100/);
    expect(storedSource(workspace, 'jira').users.filter((u) => !u.active)).toHaveLength(300);
    expect(basicServer.requests.some((r) => /user\/search\?username=a&/.test(r))).toBe(true);
    expect(basicServer.requests.some((r) => /user\/search\?username=au&/.test(r))).toBe(true); // 'a' hit the cap
  });

  it('wrong credentials: exit 3 naming the source and the status, no secret printed, nothing changed', async () => {
    const server = await jira({ hasUserList: true });
    const result = await usermigAsync(['scan', `prod=jira:${server.url}/jira`, '--workspace', path.join(tempDir(), 'ws')], { USERMIG_JIRA_TOKEN: 'wrong-token' });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/Jira source "prod" \(http:\/\/127\.0\.0\.1:\d+\/jira\): the server refused the token in USERMIG_JIRA_TOKEN: GET \/rest\/api\/2\/myself answered 401/);
    expect(result.stderr).toMatch(/nothing was changed in the workspace/);
    noSecret(result);
  });

  it('403 on an administrator-only endpoint: exit 3 saying which request was forbidden', async () => {
    const server = await jira({ hasUserList: true });
    server.faults.push({ match: /group\/member/, status: 403, body: { errorMessages: ['You do not have permission'] } });
    const result = await usermigAsync(['scan', `jira:${server.url}/jira`, '--workspace', path.join(tempDir(), 'ws')], env);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/may not read GET \/rest\/api\/2\/group\/member\?groupname=.* 403 Forbidden/);
    expect(result.stderr).toMatch(/stopped while reading group members .* after 300 users, 4 groups/);
    noSecret(result);
  });

  it('429 with Retry-After and slow answers: waits, then reads everything', async () => {
    const server = await jira({ hasUserList: true });
    server.faults.push({ match: /group\/member\?groupname=developers/, times: 2, status: 429, headers: { 'Retry-After': '1' }, body: { message: 'Rate limit exceeded' } });
    server.faults.push({ match: /project\/.*\/role\//, delayMs: 800 });
    const workspace = path.join(tempDir(), 'ws');
    const result = await usermigAsync(['scan', `jira:${server.url}/jira`, '--workspace', workspace, '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.ms).toBeGreaterThanOrEqual(2000); // two Retry-After windows of 1 s
    const counts = (JSON.parse(result.stdout) as { sources: Array<{ counts: Record<string, number> }> }).sources[0]?.counts;
    expect(counts?.memberships).toBe(372);
    expect(server.requests.filter((r) => r.includes('groupname=developers&')).length).toBeGreaterThanOrEqual(3 + 2);
    expect(server.peakInFlight).toBeGreaterThan(1); // roles are read concurrently
  });

  it('a connection dropped mid-page: exit 3, says how far it got, and the previous snapshot stays', async () => {
    const server = await jira({ hasUserList: true });
    const workspace = path.join(tempDir(), 'ws');
    const first = await usermigAsync(['scan', `jira:${server.url}/jira`, '--workspace', workspace], env);
    expect(first.code, first.stderr).toBe(0);
    const before = storedSource(workspace, 'jira');
    server.faults.push({ match: /group\/member\?groupname=jira-software-users.*startAt=100/, drop: true });
    const result = await usermigAsync(['scan', `jira:${server.url}/jira`, '--workspace', workspace], env);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/Jira source "jira" .*GET \/rest\/api\/2\/group\/member\?groupname=jira-software-users.*the connection failed \(ECONNRESET, 3 attempts\)/);
    expect(result.stderr).toMatch(/stopped while reading group members \(group\/member\) after 300 users, 4 groups, \d+ memberships.*the previous snapshot of "jira" is kept/);
    expect(storedSource(workspace, 'jira')).toEqual(before);
  }, 30_000);

  it('unexpected JSON: a clear error naming the endpoint and the field (exit 2)', async () => {
    const server = await jira({ hasUserList: true });
    server.faults.push({ match: /applicationrole/, body: [{ key: 'jira-software', groups: 'jira-users' }] });
    const result = await usermigAsync(['scan', `jira:${server.url}/jira`, '--workspace', path.join(tempDir(), 'ws')], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unexpected answer from GET \/rest\/api\/2\/applicationrole: field "\[0\]\.groups" should be an array but is string "jira-users"/);

    server.faults.length = 0;
    server.faults.push({ match: /user\/list/, body: { isLast: true, values: [{ key: 'x', displayName: 'No name' }] } });
    const second = await usermigAsync(['scan', `jira:${server.url}/jira`, '--workspace', path.join(tempDir(), 'ws')], env);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/GET \/rest\/api\/2\/user\/list: field "values\[0\]\.name" should be a string but is nothing/);
  });

  const samples = process.env.USERMIG_SAMPLES;
  it.skipIf(!samples)('reads the recorded Jira answers of the samples (jirac, go-jira)', async () => {
    const read = (file: string) => JSON.parse(fs.readFileSync(path.join(samples as string, file), 'utf8')) as unknown;
    const estate = generateJiraEstate(10);
    const generated = jiraRoute(estate, { hasUserList: true });
    const group = read('jirac/group.json') as { isLast: boolean };
    const server = await jira({ hasUserList: true }, 10, (url) => {
      if (url.pathname.endsWith('/group/member')) return { body: { ...group, isLast: true } };
      if (url.pathname.endsWith('/applicationrole')) return { body: read('jirac/application_role_all.json') };
      if (url.pathname.endsWith('/rest/api/2/permissionscheme')) return { body: read('go-jira/all_permissionschemes.json') };
      return generated(url);
    });
    const workspace = path.join(tempDir(), 'ws');
    const result = await usermigAsync(['scan', `jira:${server.url}/jira`, '--workspace', workspace, '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const stored = storedSource(workspace, 'jira');
    // the recorded member page (Atlassian's doc example) names Fred and Barney, members of every group here
    expect(stored.users.map((u) => u.userName)).toEqual(expect.arrayContaining(['Fred']));
    expect(stored.groups['developers']?.users).toEqual(['Barney', 'Fred']);
  });
  if (!samples) console.warn('jira-rest.test.ts: USERMIG_SAMPLES is not set; the recorded-sample test is skipped (run through .ci/run)');
});
