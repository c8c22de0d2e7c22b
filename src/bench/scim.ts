/**
 * `npm run bench:scim`: the same plan of about 10,000 accounts, 1,000 groups and 100,000 memberships
 * applied through the CLI (`--target scim:URL`) to a strict third-party SCIM server, SCIMMY with
 * scimmy-routers (test/support/scimmy-server.mjs, started here on 127.0.0.1), once with Bulk offered
 * and once without. Prints the requests the server received and the time of each apply side by side,
 * checks that the server then holds every account, group and membership of the plan exactly once, and
 * the target: Bulk cuts the requests by at least 10×.
 *
 * The estate is the one bench:apply generates (bench-out/, reused). Other sizes:
 * `npm run bench:scim -- --users 2000 --groups 200 --memberships 20000`. Needs the devDependencies
 * (scimmy, scimmy-routers, express) and a checkout (the server module lives under test/support/).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { PlanFile } from '../plan/plan-file.js';
import { benchEstate, cli, generatorSizes, option, scanAndDecide } from './bench-estate.js';

interface ScimmyServer {
  url: string;
  token: string;
  counts: { requests: number; writes: number; bulkRequests: number; bulkOperations: number; byRoute: Map<string, number> };
  users(): Array<{ id: string; userName: string }>;
  groups(): Array<{ id: string; displayName: string; members?: Array<{ value: string }> }>;
  resetCounts(): void;
  close(): Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const serverModule = path.resolve(here, '..', '..', 'test', 'support', 'scimmy-server.mjs');
const { startScimmyServer } = (await import(pathToFileURL(serverModule).href)) as {
  startScimmyServer(options: { bulk: boolean }): Promise<ScimmyServer>;
};

const wanted = { users: option('users', 10_000), groups: option('groups', 1_000), memberships: option('memberships', 100_000) };
const sizes = generatorSizes(wanted);

/** The CLI as its own process, without blocking this one (the server answers from here). */
function run(args: string[], env: Record<string, string>): Promise<{ stdout: string; seconds: number }> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (code === 0) resolve({ stdout, seconds });
      else reject(new Error(`usermig ${args[0]} failed (${code}):\n${stdout}\n${stderr}`));
    });
  });
}

interface Outcome {
  requests: number;
  writes: number;
  bulkRequests: number;
  bulkOperations: number;
  seconds: number;
  routes: string;
  held: { users: number; groups: number; memberships: number };
}

async function once(bulk: boolean, scanned: string, work: string): Promise<{ outcome: Outcome; plan: PlanFile }> {
  const workspace = path.join(work, bulk ? 'ws-bulk' : 'ws-plain');
  fs.cpSync(scanned, workspace, { recursive: true });
  const server = await startScimmyServer({ bulk });
  try {
    const env = { USERMIG_SCIM_TOKEN: server.token };
    const target = `scim:${server.url}`;
    const planFile = path.join(work, `plan-${bulk ? 'bulk' : 'plain'}.json`);
    const planned = await run(['plan', '--target', target, '--out', planFile, '--workspace', workspace], env);
    process.stdout.write(`${bulk ? 'with Bulk:   ' : 'without Bulk:'} ${planned.stdout.split('\n')[0]}\n`);
    const plan = JSON.parse(fs.readFileSync(planFile, 'utf8')) as PlanFile;
    server.resetCounts();
    const applied = await run(['apply', planFile, '--yes', '--workspace', workspace], env);
    process.stdout.write(`${bulk ? 'with Bulk:   ' : 'without Bulk:'} ${applied.stdout.trim().split('\n').pop() ?? ''}\n`);
    const counts = { ...server.counts };
    const routes = [...server.counts.byRoute.entries()].map(([route, n]) => `${route} ${n}`).join(', ');
    const users = server.users();
    const groups = server.groups();
    const ids = new Set(users.map((user) => user.id));
    let memberships = 0;
    for (const group of groups) {
      const members = new Set((group.members ?? []).map((member) => member.value));
      if (members.size !== (group.members ?? []).length) throw new Error(`group ${group.displayName} holds a member twice`);
      for (const member of members) if (!ids.has(member)) throw new Error(`group ${group.displayName} holds ${member}, which is no user`);
      memberships += members.size;
    }
    if (new Set(users.map((user) => user.userName.toLowerCase())).size !== users.length) throw new Error('two users share a userName');
    return {
      outcome: {
        requests: counts.requests,
        writes: counts.writes,
        bulkRequests: counts.bulkRequests,
        bulkOperations: counts.bulkOperations,
        seconds: applied.seconds,
        routes,
        held: { users: users.length, groups: groups.length, memberships },
      },
      plan,
    };
  } finally {
    await server.close();
  }
}

const dir = await benchEstate(`apply-u${wanted.users}-g${wanted.groups}-m${wanted.memberships}`, sizes);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'usermig-bench-scim-'));
try {
  const scanned = path.join(work, 'ws');
  scanAndDecide(dir, scanned);
  const plain = await once(false, scanned, work);
  const bulk = await once(true, scanned, work);
  const plan = bulk.plan;
  const accounts = plan.operations.filter((operation) => operation.kind === 'create-account').length;
  const groups = plan.operations.filter((operation) => operation.kind === 'create-group').length;
  const memberships = plan.operations.reduce((sum, operation) => sum + (operation.kind === 'add-members' ? operation.emails.length : 0), 0);
  const held = (outcome: Outcome) =>
    outcome.held.users === accounts && outcome.held.groups === groups && outcome.held.memberships === memberships ? 'all, once' : `MISSING (${JSON.stringify(outcome.held)})`;
  const ratio = plain.outcome.requests / Math.max(1, bulk.outcome.requests);
  const row = (label: string, a: string | number, b: string | number) => `  ${label.padEnd(34)}${String(a).padStart(14)}${String(b).padStart(14)}\n`;
  process.stdout.write(
    `\nSCIM apply against SCIMMY ${'(strict, in-memory, 127.0.0.1)'}: ${accounts} accounts, ${groups} groups, ${memberships} memberships, ` +
      `${plan.operations.length} operations\n` +
      row('', 'without Bulk', 'with Bulk') +
      row('requests to the server (apply)', plain.outcome.requests, bulk.outcome.requests) +
      row('  of which writes', plain.outcome.writes, bulk.outcome.writes) +
      row('  Bulk requests (operations)', '-', `${bulk.outcome.bulkRequests} (${bulk.outcome.bulkOperations})`) +
      row('apply time (s)', plain.outcome.seconds.toFixed(1), bulk.outcome.seconds.toFixed(1)) +
      row('server holds the plan', held(plain.outcome), held(bulk.outcome)) +
      `  requests without Bulk: ${plain.outcome.routes}\n` +
      `  requests with Bulk:    ${bulk.outcome.routes}\n` +
      `Bulk cuts the requests ${ratio.toFixed(1)}× (target ≥ 10×: ${ratio >= 10 ? 'ok' : 'MISSED'}) and the time ${(plain.outcome.seconds / bulk.outcome.seconds).toFixed(1)}×\n`,
  );
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
