import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { startCloud } from '../src/cloud/server.js';
import type { PlanFile } from '../src/plan/plan-file.js';
import { HttpClient } from '../src/targets/http-client.js';
import { ScimConnector } from '../src/targets/scim-connector.js';
import { usermig, usermigAsync, type CliResult } from './support/cli.js';
import { serveCloud } from './support/cloud-process.js';
import { copyOf, decideAll, operationsDone, scannedEstate, teamBackup } from './support/estate-workspace.js';
import { tempDir } from './support/files.js';
import { Random } from '../src/generate/random.js';

/** A generated estate, scanned, with the blockers decided away; each test copies it. */
let prepared: string;
beforeAll(() => {
  prepared = scannedEstate();
  decideAll(prepared);
});
const workspaceCopy = () => copyOf(prepared);

/** A seeded stream in [0, 1): the project's one PRNG (mulberry32), so runs repeat exactly. */
function seeded(seed: number): () => number {
  const random = new Random(seed);
  return () => random.next();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the plan wants the (initially empty) cloud to hold: accounts, groups, and members by group, lower-cased. */
function desiredOf(planFile: string) {
  const plan = JSON.parse(fs.readFileSync(planFile, 'utf8')) as PlanFile;
  const accounts = new Set<string>();
  const groups = new Set<string>();
  const members = new Map<string, Set<string>>();
  for (const operation of plan.operations) {
    if (operation.kind === 'create-account') accounts.add(operation.email.toLowerCase());
    else if (operation.kind === 'create-group') groups.add(operation.name.toLowerCase());
    else if (operation.kind === 'add-members') {
      const set = members.get(operation.group.toLowerCase()) ?? new Set<string>();
      for (const email of operation.emails) set.add(email.toLowerCase());
      members.set(operation.group.toLowerCase(), set);
    }
  }
  expect(plan.linked).toEqual([]);
  return { accounts, groups, members };
}

/**
 * Reads the cloud in `dataDir` through its SCIM API (the cloud started in this process, without faults)
 * and checks that it holds exactly the desired state: every account, group and membership once, nothing else.
 */
async function expectExactly(dataDir: string, desired: ReturnType<typeof desiredOf>): Promise<void> {
  const cloud = await startCloud({ dataDir, port: 0 });
  try {
    const scim = new ScimConnector(new HttpClient({ baseUrl: cloud.url, token: cloud.scimToken, label: 'the local cloud' }), cloud.directoryId);
    const users = await scim.listUsers();
    const userNames = users.map((user) => user.userName.toLowerCase());
    expect(userNames.length, 'no account twice').toBe(new Set(userNames).size);
    expect(new Set(userNames)).toEqual(desired.accounts);
    const emailById = new Map(users.map((user) => [user.id, user.userName.toLowerCase()]));

    const groups = await scim.listGroups();
    const names = groups.map((group) => group.displayName.toLowerCase());
    expect(names.length, 'no group twice').toBe(new Set(names).size);
    expect(new Set(names)).toEqual(desired.groups);
    for (const group of groups) {
      const ids = (group.members ?? []).map((member) => member.value);
      expect(ids.length, `no member twice in ${group.displayName}`).toBe(new Set(ids).size);
      expect(new Set(ids.map((id) => emailById.get(id))), group.displayName).toEqual(desired.members.get(group.displayName.toLowerCase()) ?? new Set());
    }
    // One Atlassian account per email behind the SCIM users, too.
    const accounts = cloud.org.sql('SELECT count(*) AS n, count(DISTINCT email_lower) AS distinct_emails FROM accounts').get() as { n: number; distinct_emails: number };
    expect(accounts.n).toBe(accounts.distinct_emails);
  } finally {
    await cloud.close();
  }
}

/** Every file under `dir`, read as bytes. */
function filesUnder(dir: string): Array<{ file: string; bytes: Buffer }> {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const file = path.join(entry.parentPath, entry.name);
      return { file, bytes: fs.readFileSync(file) };
    });
}

describe('apply survives kills and faults, and keeps the credentials to itself', () => {
  it('converges to exactly the desired cloud after being killed with SIGKILL at random moments ten times', async () => {
    const workspace = workspaceCopy();
    const planned = usermig(['plan', '--workspace', workspace]);
    expect(planned.code, planned.stderr).toBe(0);
    const planFile = path.join(workspace, 'plan.json');
    const desired = desiredOf(planFile);
    const total = (JSON.parse(fs.readFileSync(planFile, 'utf8')) as PlanFile).operations.length;
    const done = () => operationsDone(workspace);
    const random = seeded(20261129);
    let kills = 0;
    // Each run is killed once it has finished 1 to 8 more operations, plus 0 to 15 ms: mid-request, between
    // the ledger's intent and its outcome, or while a create is answered but not yet recorded.
    while (kills < 10) {
      const before = done();
      expect(before, 'the plan must outlast ten kills').toBeLessThan(total);
      const child = usermigAsync(['apply', '--yes', '--workspace', workspace]);
      const exited = new Promise((resolve) => child.on('close', resolve));
      const more = 1 + Math.floor(random() * 8);
      while (child.exitCode === null && done() < before + more) await sleep(2);
      await sleep(Math.floor(random() * 16));
      expect(child.exitCode, 'the apply finished before it could be killed').toBeNull();
      child.kill('SIGKILL');
      await exited;
      kills++;
    }
    const finished = usermig(['apply', '--yes', '--workspace', workspace]);
    expect(finished.code, finished.stderr).toBe(0);
    expect(finished.stdout).toMatch(/resumed and applied plan-/);

    await expectExactly(path.join(workspace, 'cloud'), desired);
    const after = usermig(['plan', '--workspace', workspace]);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stdout).toContain('No changes: the cloud matches the estate and the decisions.');
  });

  it('converges under 10 % injected faults (500, 503, dropped connections, slow answers) by resuming', async () => {
    const dir = tempDir();
    const workspace = workspaceCopy();
    const cloud = await serveCloud(dir, ['--fault-rate', '0.1', '--seed', '42']);
    try {
      const planFile = path.join(dir, 'plan.json');
      const planned = usermig(['plan', '--target', cloud.target, '--out', planFile, '--workspace', workspace], cloud.env);
      expect(planned.code, planned.stderr).toBe(0);
      const desired = desiredOf(planFile);
      const runs: CliResult[] = [];
      while (runs.length < 5 && runs.at(-1)?.code !== 0) {
        runs.push(usermig(['apply', planFile, '--target', cloud.target, '--yes', '--workspace', workspace], cloud.env));
      }
      const last = runs.at(-1) as CliResult;
      expect(last.code, runs.map((run) => run.stderr).join('\n')).toBe(0);
      // A run that did not finish says what is left and how to go on.
      for (const run of runs.slice(0, -1)) expect(run.stderr).toMatch(/left for the next run|usermig apply again/);
      await cloud.stop();
      await expectExactly(path.join(dir, 'cloud'), desired);
      const log = fs.readFileSync(path.join(dir, 'requests.jsonl'), 'utf8');
      expect(log, 'faults were injected').toMatch(/"fault":"(500|503|drop)"/);
    } finally {
      await cloud.stop();
    }
  });

  it('parks an operation the cloud refuses, finishes the others, and completes it when resumed', async () => {
    const workspace = workspaceCopy();
    expect(usermig(['plan', '--workspace', workspace]).code).toBe(0);
    const planFile = path.join(workspace, 'plan.json');
    const desired = desiredOf(planFile);
    const plan = JSON.parse(fs.readFileSync(planFile, 'utf8')) as PlanFile;
    const blocked = plan.operations.find((operation) => operation.kind === 'create-group')?.name as string;
    const chunks = plan.operations.filter((operation) => operation.kind === 'add-members' && operation.group === blocked).length;
    // After the plan, someone makes a group of that name by hand: the SCIM create answers 409, and no
    // group of the directory has that name to adopt.
    const dataDir = path.join(workspace, 'cloud');
    let cloud = await startCloud({ dataDir, port: 0 });
    const byHand = cloud.org.createOrgGroup(blocked, 'made by hand');
    await cloud.close();

    const first = usermig(['apply', '--yes', '--workspace', workspace]);
    expect(first.code).toBe(3);
    expect(first.stderr).toContain(`${1 + chunks} of ${plan.operations.length} operations failed and were left for the next run`);
    expect(first.stderr).toContain(`create the group ${blocked}`);
    const db = new Database(path.join(workspace, 'workspace.db'), { readonly: true });
    const states = db.prepare('SELECT state, count(*) AS n FROM ledger GROUP BY state').all();
    db.close();
    expect(states).toEqual(expect.arrayContaining([{ state: 'failed', n: 1 + chunks }, { state: 'done', n: plan.operations.length - 1 - chunks }]));

    cloud = await startCloud({ dataDir, port: 0 });
    cloud.org.deleteOrgGroup(byHand.id, true);
    await cloud.close();
    const second = usermig(['apply', '--yes', '--workspace', workspace]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(new RegExp(`resumed and applied plan-\\S+ .*: 0 accounts created, 0 adopted, 1 groups created`));
    await expectExactly(dataDir, desired);
  });

  it('never lets a token reach the output, the errors, the workspace files or the plan file', async () => {
    const dir = tempDir();
    const workspace = workspaceCopy();
    // Faults, so that retries and lookups happen too; the cloud's data lives outside the workspace.
    const cloud = await serveCloud(dir, ['--fault-rate', '0.1', '--seed', '7']);
    try {
      const tokens = [cloud.env.USERMIG_SCIM_TOKEN, cloud.env.USERMIG_ORG_TOKEN] as string[];
      expect(tokens.every((token) => token.length >= 16)).toBe(true);
      const planFile = path.join(dir, 'plan.json');
      const outputs: CliResult[] = [usermig(['plan', '--target', cloud.target, '--out', planFile, '--workspace', workspace], cloud.env)];
      expect(outputs[0]?.code, outputs[0]?.stderr).toBe(0);
      // A wrong token is refused, and not echoed either.
      const wrong = 'wrong-token-0123456789abcdef';
      const refused = usermig(['apply', planFile, '--target', cloud.target, '--yes', '--workspace', workspace], { ...cloud.env, USERMIG_SCIM_TOKEN: wrong });
      expect(refused.code, refused.stderr).toBe(3);
      outputs.push(refused);
      outputs.push(usermig(['apply', planFile, '--target', cloud.target, '--yes', '--workspace', workspace], cloud.env));

      const printed = outputs.map((output) => output.stdout + output.stderr).join('\n');
      for (const token of [...tokens, wrong]) expect(printed).not.toContain(token);
      for (const { file, bytes } of [...filesUnder(workspace), { file: planFile, bytes: fs.readFileSync(planFile) }, { file: 'requests.jsonl', bytes: fs.readFileSync(path.join(dir, 'requests.jsonl')) }]) {
        for (const token of [...tokens, wrong]) expect(bytes.includes(token), `${file} holds a token`).toBe(false);
      }
    } finally {
      await cloud.stop();
    }
  });
});
