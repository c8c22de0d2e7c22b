/**
 * `usermig scan crowd:URL` against a Crowd REST contract server on 127.0.0.1: users (inactive included),
 * groups, direct user memberships and nested groups, paging past 1,000; the application's Basic credentials
 * from USERMIG_CROWD_APP / USERMIG_CROWD_PASSWORD; a refused application and a dropped connection.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { crowdRoute, generateCrowdDirectory, type CrowdDirectory } from './support/crowd-contract.js';
import { tempDir } from './support/files.js';
import { basic, startContractServer, usermigAsync, type ContractServer } from './support/rest-contract.js';
import { storedSource } from './support/slapd.js';

const env = { USERMIG_CROWD_APP: 'usermig', USERMIG_CROWD_PASSWORD: 'app-secret-42' };
const servers: ContractServer[] = [];

async function crowd(directory: CrowdDirectory): Promise<ContractServer> {
  const server = await startContractServer(crowdRoute(directory), basic('usermig', 'app-secret-42'));
  servers.push(server);
  return server;
}

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

describe('scan crowd:URL', () => {
  it('reads users, groups, direct and nested memberships, paging past 1,000 users', async () => {
    const server = await crowd(generateCrowdDirectory(2500));
    const workspace = path.join(tempDir(), 'ws');
    const result = await usermigAsync(['scan', `crowd:${server.url}/crowd`, '--workspace', workspace, '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).not.toContain('app-secret-42');
    const scanned = (JSON.parse(result.stdout) as { sources: Array<{ name: string; counts: Record<string, number>; notes: string[] }> }).sources[0];
    expect(scanned?.name).toBe('crowd');
    expect(scanned?.counts).toMatchObject({ directories: 1, users: 2500, groups: 4, memberships: 1250 + 1 + 40 + 1 + 3 });
    expect(scanned?.notes.join(' ')).toMatch(/merged into one/);
    expect(server.requests.some((r) => r.includes('entity-type=user') && r.includes('start-index=2000'))).toBe(true);
    const stored = storedSource(workspace, 'crowd');
    expect(stored.groups['engineering']?.groups).toEqual(['platform']);
    expect(stored.groups['all-staff']?.groups).toEqual(['engineering']);
    expect(stored.groups['self-loop']).toEqual({ users: [], groups: [] });
    expect(stored.users.find((u) => u.userName === 'user0005')).toMatchObject({ active: false, email: 'user5@example.org', displayName: 'Person 5', userKey: '98305:user0005' });
    expect(stored.users.find((u) => u.userName === 'user0001')?.displayName).toBe('First Last1'); // no display name: first and last
  });

  it('a refused application: exit 3 naming the source, the application variable and the status, no secret', async () => {
    const server = await crowd(generateCrowdDirectory(5));
    const result = await usermigAsync(['scan', `crowd:${server.url}/crowd`, '--workspace', path.join(tempDir(), 'ws')], { ...env, USERMIG_CROWD_PASSWORD: 'wrong-secret' });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/Crowd source "crowd" .*refused the user usermig \(USERMIG_CROWD_APP \/ USERMIG_CROWD_PASSWORD\): GET \/rest\/usermanagement\/1\/search\?entity-type=user.* 401/);
    expect(result.stderr).not.toMatch(/wrong-secret|app-secret-42/);
  });

  it('a connection dropped mid-page keeps the previous snapshot and says how far the read got', async () => {
    const server = await crowd(generateCrowdDirectory(50));
    const workspace = path.join(tempDir(), 'ws');
    expect((await usermigAsync(['scan', `crowd:${server.url}/crowd`, '--workspace', workspace], env)).code).toBe(0);
    const before = storedSource(workspace, 'crowd');
    server.faults.push({ match: /child-group\/direct\?groupname=engineering/, drop: true });
    const result = await usermigAsync(['scan', `crowd:${server.url}/crowd`, '--workspace', workspace], env);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/stopped while reading memberships .* after 50 users, 4 groups, \d+ memberships.*the previous snapshot of "crowd" is kept/);
    expect(storedSource(workspace, 'crowd')).toEqual(before);
  }, 30_000);

  const samples = process.env.USERMIG_SAMPLES;
  it.skipIf(!samples)('reads the ldap-crowd-adapter sample directory (nested chain, self-membership, special characters) served as Crowd REST', async () => {
    const directory = JSON.parse(fs.readFileSync(path.join(samples as string, 'ldap-crowd-adapter', 'db.json'), 'utf8')) as CrowdDirectory;
    const server = await crowd(directory);
    const workspace = path.join(tempDir(), 'ws');
    const result = await usermigAsync(['scan', `crowd:${server.url}/crowd`, '--workspace', workspace], env);
    expect(result.code, result.stderr).toBe(0);
    const stored = storedSource(workspace, 'crowd');
    expect(stored.users.map((u) => u.userName).sort()).toEqual(directory.users.map((u) => u.username).sort());
    for (const group of directory.groups) {
      expect(stored.groups[group.name]?.users).toEqual([...new Set(group.user_members)].sort());
      expect(stored.groups[group.name]?.groups).toEqual([...new Set(group.group_members.filter((g) => g !== group.name))].sort());
    }
  });
  if (!samples) console.warn('crowd-rest.test.ts: USERMIG_SAMPLES is not set; the ldap-crowd-adapter sample test is skipped (run through .ci/run)');
});
