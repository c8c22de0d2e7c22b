/**
 * `--target scim:URL` end to end against a strict third-party SCIM server on 127.0.0.1: SCIMMY with
 * scimmy-routers (test/support/scimmy-server.mjs), Bulk offered in one configuration and not in another.
 * A generated estate goes through the CLI (plan, apply --yes), and the result is read back through the
 * server's own SCIM API: every account once, every group once, every membership of the plan. A second
 * plan has nothing to do and its apply writes nothing; an apply killed mid-way resumes to the same
 * result; a 429 with Retry-After is waited out; profiles and Basic credentials are followed.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CLI, runInBackground } from './support/cli.js';
import { copyOf, decideAll, scannedEstate } from './support/estate-workspace.js';
// @ts-expect-error: a plain ES module shared with the benchmark (no type declarations)
import { startScimmyServer } from './support/scimmy-server.mjs';

interface Server {
  url: string;
  token: string;
  counts: { requests: number; writes: number; bulkRequests: number; bulkOperations: number; throttled: number; byRoute: Map<string, number> };
  resetCounts(): void;
  close(): Promise<void>;
}

interface Plan {
  target: string;
  scim?: { profile: string; discovered: string };
  operations: Array<{ kind: string; email?: string; name?: string; group?: string; emails?: string[] }>;
}

let estate: string;
let server: Server | undefined;

beforeAll(() => {
  estate = scannedEstate();
  decideAll(estate);
}, 120_000);

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The CLI as its own process, without blocking this one: the server answers from this process. */
const run = runInBackground;

/** Every resource of a collection, read through the server's SCIM API page by page. */
async function readAll<T>(base: string, authorization: string, collection: 'Users' | 'Groups'): Promise<T[]> {
  const all: T[] = [];
  for (let startIndex = 1; ; ) {
    const response = await fetch(`${base}/${collection}?startIndex=${startIndex}&count=50`, { headers: { Authorization: authorization } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { totalResults: number; Resources?: T[] };
    const page = body.Resources ?? [];
    all.push(...page);
    if (page.length === 0 || all.length >= body.totalResults) return all;
    startIndex += page.length;
  }
}

/** The server holds exactly the plan: each account and group once, and every membership the plan adds. */
async function expectServerHolds(base: string, authorization: string, plan: Plan): Promise<void> {
  const users = await readAll<{ id: string; userName: string; active: unknown }>(base, authorization, 'Users');
  const groups = await readAll<{ id: string; displayName: string; members?: Array<{ value: string }> }>(base, authorization, 'Groups');
  const byName = new Map(users.map((user) => [user.userName.toLowerCase(), user]));
  expect(byName.size, 'no two users with one userName').toBe(users.length);
  const groupByName = new Map(groups.map((group) => [group.displayName.toLowerCase(), group]));
  expect(groupByName.size, 'no two groups with one name').toBe(groups.length);
  const accounts = plan.operations.filter((o) => o.kind === 'create-account').map((o) => o.email as string);
  const wantedGroups = plan.operations.filter((o) => o.kind === 'create-group').map((o) => (o.name as string).toLowerCase());
  expect(users.length).toBe(accounts.length);
  expect(groups.length).toBe(wantedGroups.length);
  for (const email of accounts) expect(byName.get(email)?.active, email).toBe(true);
  let memberships = 0;
  for (const operation of plan.operations.filter((o) => o.kind === 'add-members')) {
    const group = groupByName.get((operation.group as string).toLowerCase());
    expect(group, operation.group).toBeDefined();
    const members = new Set((group?.members ?? []).map((member) => member.value));
    expect(members.size, `${operation.group}: each member once`).toBe(group?.members?.length ?? 0);
    for (const email of operation.emails ?? []) {
      expect(members.has(byName.get(email)?.id ?? '?'), `${email} in ${operation.group}`).toBe(true);
      memberships++;
    }
  }
  const held = groups.reduce((sum, group) => sum + (group.members?.length ?? 0), 0);
  expect(held).toBe(memberships);
  expect(memberships).toBeGreaterThan(300);
}

const readPlan = (file: string): Plan => JSON.parse(fs.readFileSync(file, 'utf8')) as Plan;

describe('--target scim:URL against SCIMMY (a strict third-party SCIM server)', () => {
  it('with Bulk: discovery in the plan, creates and memberships in Bulk requests with bulkId references, read back whole; then zero writes and a report', async () => {
    server = (await startScimmyServer({ bulk: true })) as Server;
    const workspace = copyOf(estate);
    const env = { USERMIG_SCIM_TOKEN: server.token };
    const target = `scim:${server.url}`;
    const planned = await run(['plan', '--target', target, '--workspace', workspace], env);
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stdout).toMatch(/^SCIM service \(profile generic\): Bulk \(≤100 operations, ≤1024 KiB per request\), filter \(≤200 results\), PATCH, no ETags, index paging 100 a page/m);
    expect(planned.stdout).not.toContain('USERMIG_ORG_ID');
    const planFile = path.join(workspace, 'plan.json');
    const plan = readPlan(planFile);
    expect(plan.scim?.profile).toBe('generic');
    expect(plan.target).toBe(target);

    server.resetCounts();
    const applied = await run(['apply', '--yes', '--workspace', workspace], env);
    expect(applied.code, applied.stderr).toBe(0);
    const writes = plan.operations.length;
    expect(server.counts.bulkOperations).toBe(writes);
    expect(server.counts.writes).toBe(server.counts.bulkRequests);
    expect(server.counts.bulkRequests).toBeLessThanOrEqual(Math.ceil(writes / 100) + 2);
    expect(server.counts.byRoute.get('POST /Users') ?? 0).toBe(0);
    expect(server.counts.byRoute.get('PATCH /Groups') ?? 0).toBe(0);
    expect(applied.stdout).toMatch(/accounts created, 0 adopted/);
    await expectServerHolds(server.url, `Bearer ${server.token}`, plan);

    // Nothing changed: nothing to do, and nothing written.
    server.resetCounts();
    const again = await run(['plan', '--target', target, '--workspace', workspace], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('No changes');
    expect(readPlan(planFile).operations).toHaveLength(0);
    const idle = await run(['apply', '--yes', '--workspace', workspace], env);
    expect(idle.code, idle.stderr).toBe(0);
    expect(server.counts.writes).toBe(0);

    // The report reads the SCIM service the way the last apply wrote it.
    const report = await run(['report', '--format', 'json', '--workspace', workspace], env);
    expect(report.code, report.stderr).toBe(0);
    const json = JSON.parse(fs.readFileSync(report.stdout.trim(), 'utf8')) as { target: string; summary: { accounts: { created: number; pending: number } } };
    expect(json.summary.accounts.pending).toBe(0);
    expect(json.summary.accounts.created).toBe(plan.operations.filter((o) => o.kind === 'create-account').length);
    expect(json.target).toContain(server.url);
  });

  it('without Bulk: one request per create and per membership chunk, paced through 429 and Retry-After, the same result', async () => {
    server = (await startScimmyServer({ bulk: false, throttleEvery: 50 })) as Server;
    const workspace = copyOf(estate);
    const env = { USERMIG_SCIM_TOKEN: server.token };
    const planned = await run(['plan', '--target', `scim:${server.url}`, '--workspace', workspace], env);
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stdout).toMatch(/^SCIM service \(profile generic\): no Bulk, /m);
    const plan = readPlan(path.join(workspace, 'plan.json'));
    server.resetCounts();
    const applied = await run(['apply', '--yes', '--workspace', workspace], env);
    expect(applied.code, applied.stderr).toBe(0);
    expect(server.counts.byRoute.get('POST /Bulk') ?? 0).toBe(0);
    expect(server.counts.throttled).toBeGreaterThan(0);
    expect(server.counts.byRoute.get('POST /Users')).toBe(plan.operations.filter((o) => o.kind === 'create-account').length);
    expect(server.counts.byRoute.get('PATCH /Groups')).toBe(plan.operations.filter((o) => o.kind === 'add-members').length);
    await expectServerHolds(server.url, `Bearer ${server.token}`, plan);
    const again = await run(['plan', '--target', `scim:${server.url}`, '--workspace', workspace], env);
    expect(again.stdout).toContain('No changes');
  });

  it('an apply killed between Bulk requests resumes: what was sent is adopted, nothing is duplicated', async () => {
    server = (await startScimmyServer({ bulk: true, maxOperations: 10, latencyMs: 60 })) as Server;
    const current = server;
    const workspace = copyOf(estate);
    const env = { USERMIG_SCIM_TOKEN: server.token };
    expect((await run(['plan', '--target', `scim:${server.url}`, '--workspace', workspace], env)).code).toBe(0);
    const plan = readPlan(path.join(workspace, 'plan.json'));
    const child = spawn(process.execPath, [CLI, 'apply', '--yes', '--workspace', workspace], { env: { ...process.env, USERMIG_WORKSPACE: '', ...env }, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    for (const deadline = Date.now() + 30_000; current.counts.bulkRequests < 4 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(child.exitCode, 'the apply finished before it could be killed').toBeNull();
    child.kill('SIGKILL');
    await exited;
    expect(current.counts.bulkRequests).toBeLessThan(Math.ceil(plan.operations.length / 10));

    const resumed = await run(['apply', '--yes', '--workspace', workspace], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/^resumed and applied/m);
    await expectServerHolds(server.url, `Bearer ${server.token}`, plan);
    const again = await run(['plan', '--target', `scim:${server.url}`, '--workspace', workspace, '--refresh'], env);
    expect(again.stdout).toContain('No changes');
  });

  it('an apply without Bulk killed in the middle of its membership PATCHes resumes without holding a member twice', async () => {
    server = (await startScimmyServer({ bulk: false, latencyMs: 40 })) as Server;
    const current = server;
    const workspace = copyOf(estate);
    const env = { USERMIG_SCIM_TOKEN: server.token };
    expect((await run(['plan', '--target', `scim:${server.url}`, '--workspace', workspace], env)).code).toBe(0);
    const plan = readPlan(path.join(workspace, 'plan.json'));
    const child = spawn(process.execPath, [CLI, 'apply', '--yes', '--workspace', workspace], { env: { ...process.env, USERMIG_WORKSPACE: '', ...env }, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const patches = () => current.counts.byRoute.get('PATCH /Groups') ?? 0;
    for (const deadline = Date.now() + 60_000; patches() < 5 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 2));
    expect(child.exitCode, 'the apply finished before it could be killed').toBeNull();
    child.kill('SIGKILL');
    await exited;
    expect(patches()).toBeLessThan(plan.operations.filter((o) => o.kind === 'add-members').length);
    const resumed = await run(['apply', '--yes', '--workspace', workspace], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/^resumed and applied/m);
    await expectServerHolds(server.url, `Bearer ${server.token}`, plan);
  });

  it('follows the profile the plan records (aws: pages of 50, no Bulk) and takes Basic credentials from the environment only', async () => {
    server = (await startScimmyServer({ bulk: true, basic: { user: 'migrator', password: 's3cret-pw' } })) as Server;
    const workspace = copyOf(estate);
    const env = { USERMIG_SCIM_TOKEN: '', USERMIG_SCIM_USER: 'migrator', USERMIG_SCIM_PASSWORD: 's3cret-pw' };
    const target = `scim:${server.url}`;
    const missing = await run(['plan', '--target', target, '--workspace', workspace], { USERMIG_SCIM_TOKEN: '' });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('USERMIG_SCIM_USER and USERMIG_SCIM_PASSWORD');
    const wrong = await run(['plan', '--target', target, '--workspace', workspace], { ...env, USERMIG_SCIM_PASSWORD: 'nope' });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('refused the credentials');
    const bad = await run(['plan', '--target', target, '--scim-profile', 'sap', '--workspace', workspace], env);
    expect(bad.stderr).toContain('generic, atlassian, entra, okta, aws');

    const planned = await run(['plan', '--target', target, '--scim-profile', 'aws', '--workspace', workspace], env);
    expect(planned.code, planned.stderr).toBe(0);
    expect(planned.stdout).toMatch(/^SCIM service \(profile aws\): Bulk offered but not used \(profile aws\), .* index paging 50 a page/m);
    const plan = readPlan(path.join(workspace, 'plan.json'));
    expect(plan.scim?.profile).toBe('aws');
    server.resetCounts();
    const applied = await run(['apply', '--yes', '--workspace', workspace], env);
    expect(applied.code, applied.stderr).toBe(0);
    expect(server.counts.byRoute.get('POST /Bulk') ?? 0).toBe(0);
    for (const output of [planned.stdout, planned.stderr, applied.stdout, applied.stderr]) expect(output).not.toContain('s3cret-pw');
    expect(fs.readFileSync(path.join(workspace, 'plan.json'), 'utf8')).not.toContain('s3cret-pw');
    await expectServerHolds(server.url, `Basic ${Buffer.from('migrator:s3cret-pw').toString('base64')}`, plan);
  });

  it('a dialect the strict server rejects fails loudly, not silently (entra sends active as the string "True")', async () => {
    server = (await startScimmyServer({ bulk: false })) as Server;
    const workspace = copyOf(estate);
    const env = { USERMIG_SCIM_TOKEN: server.token };
    const planned = await run(['plan', '--target', `scim:${server.url}`, '--scim-profile', 'entra', '--workspace', workspace], env);
    expect(planned.code, planned.stderr).toBe(0);
    const applied = await run(['apply', '--yes', '--workspace', workspace], env);
    expect(applied.code).not.toBe(0);
    expect(applied.stderr).toMatch(/refused to create the user .* \(HTTP 400\)/);
  });
});
