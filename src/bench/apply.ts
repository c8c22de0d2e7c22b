/**
 * `npm run bench:apply`: how close `usermig apply` comes to the least work and the most speed a
 * rate-limited cloud allows.
 *
 * Generates once into bench-out/ an estate whose plan holds about 10,000 accounts, 1,000 groups and
 * 100,000 memberships; scans it into a fresh workspace and decides its blockers away through the CLI;
 * starts `usermig cloud serve --latency 20 --rate-limit 200` as its own process; then runs `usermig plan`
 * and `usermig apply --yes` against it (target atlassian:URL, credentials from its --print-env file).
 * From the cloud's request log of the apply it prints, in one block:
 * - the write requests (non-GET) against the least possible: one per account, one per group and one
 *   per 100 members of a group, counted in the plan file (target ≤ 1.0 ×);
 * - the request rate between the first and the last write against the limit (target ≥ 90 %);
 * - the 429s, and the requests that arrived inside a Retry-After window (target 0). The log holds no
 *   headers, so the window is the Retry-After the cloud sends (src/cloud/pacing.ts): the wait for one
 *   token rounded up to whole seconds, at least 1 s — always 1 s at 200/s.
 * Other sizes: `npm run bench:apply -- --users 2000 --groups 200 --memberships 20000`; `-- --keep-log FILE`
 * keeps the cloud's request log.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PlanFile } from '../plan/plan-file.js';
import { benchEstate, cli, generatorSizes, option, scanAndDecide, usermig } from './bench-estate.js';

const LATENCY_MS = 20;
const RATE_LIMIT = 200;

const wanted = { users: option('users', 10_000), groups: option('groups', 1_000), memberships: option('memberships', 100_000) };
const sizes = generatorSizes(wanted);

interface LogLine {
  time: string;
  method: string;
  path: string;
  status: number;
  durationMs: number;
  fault?: string;
}

/** Starts `usermig cloud serve` and waits for its --print-env file; returns the USERMIG_* variables. */
async function serveCloud(dataDir: string, logFile: string, envFile: string): Promise<{ child: ChildProcess; env: Record<string, string> }> {
  const args = ['cloud', 'serve', '--port', '0', '--data', dataDir, '--latency', String(LATENCY_MS), '--rate-limit', String(RATE_LIMIT)];
  const child = spawn(process.execPath, [cli, ...args, '--log', logFile, '--print-env', envFile], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (const deadline = Date.now() + 30_000; !fs.existsSync(envFile); ) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`usermig cloud serve did not start (exit ${child.exitCode})`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const env: Record<string, string> = {};
  for (const line of fs.readFileSync(envFile, 'utf8').split('\n')) {
    const match = /^(USERMIG_\w+)=(.*)$/.exec(line);
    if (match) env[match[1] as string] = match[2] as string;
  }
  return { child, env };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** The least write requests that can carry out the plan: accounts + groups + Σ⌈members of a group / 100⌉. */
function leastWrites(plan: PlanFile): { accounts: number; groups: number; memberships: number; chunks: number } {
  const perGroup = new Map<string, number>();
  let accounts = 0;
  let groups = 0;
  for (const operation of plan.operations) {
    if (operation.kind === 'create-account') accounts++;
    else if (operation.kind === 'create-group') groups++;
    else if (operation.kind === 'add-members') perGroup.set(operation.group.toLowerCase(), (perGroup.get(operation.group.toLowerCase()) ?? 0) + operation.emails.length);
  }
  const members = [...perGroup.values()];
  return { accounts, groups, memberships: members.reduce((a, b) => a + b, 0), chunks: members.reduce((sum, n) => sum + Math.ceil(n / 100), 0) };
}

/** What the cloud's log says about the apply. `arrived` is when the cloud got a request; `time` is when it answered. */
function analyse(lines: LogLine[]) {
  const requests = lines.map((line) => {
    const answered = Date.parse(line.time);
    return { ...line, answered, arrived: answered - line.durationMs };
  });
  // Reads sent as POST (the org API's searches) are not writes.
  const writes = requests.filter((r) => r.method !== 'GET' && !r.path.endsWith('/search'));
  const first = Math.min(...writes.map((r) => r.arrived));
  const last = Math.max(...writes.map((r) => r.answered));
  const during = requests.filter((r) => r.answered >= first && r.arrived <= last);
  const refused = requests.filter((r) => r.status === 429);
  // Retry-After as the cloud computes it: at 200/s the wait for a token is 5 ms, which rounds up to 1 s.
  const retryAfterMs = Math.max(1, Math.ceil(1 / RATE_LIMIT)) * 1000;
  const inside = requests.filter((r) => refused.some((no) => r.arrived > no.answered && r.arrived < no.answered + retryAfterMs));
  const byStatus = new Map<number, number>();
  for (const r of requests) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
  return { writes: writes.length, rate: during.length / ((last - first) / 1000), seconds: (last - first) / 1000, refused: refused.length, inside: inside.length, byStatus, retryAfterMs };
}

const dir = await benchEstate(`apply-u${wanted.users}-g${wanted.groups}-m${wanted.memberships}`, sizes);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'usermig-bench-apply-'));
const workspace = path.join(work, 'ws');
const logFile = path.join(work, 'requests.jsonl');
const planFile = path.join(work, 'plan.json');
let cloud: ChildProcess | undefined;
try {
  scanAndDecide(dir, workspace);
  const served = await serveCloud(path.join(work, 'cloud'), logFile, path.join(work, 'cloud.env'));
  cloud = served.child;
  const target = `atlassian:${served.env.USERMIG_CLOUD_URL}`;
  usermig(['plan', '--target', target, '--out', planFile, '--workspace', workspace], served.env);
  const plan = JSON.parse(fs.readFileSync(planFile, 'utf8')) as PlanFile;
  const logged = () => fs.readFileSync(logFile, 'utf8').split('\n').filter((line) => line !== '');
  const before = logged().length;
  const applied = usermig(['apply', planFile, '--target', target, '--yes', '--workspace', workspace], served.env);
  await stop(cloud);
  const least = leastWrites(plan);
  const minimum = least.accounts + least.groups + least.chunks;
  const seen = analyse(logged().slice(before).map((line) => JSON.parse(line) as LogLine));
  const statuses = [...seen.byStatus.entries()].sort(([a], [b]) => a - b).map(([status, n]) => `${status}: ${n}`).join(', ');
  const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');
  process.stdout.write(
    [
      `plan: ${least.accounts.toLocaleString('en-US')} accounts, ${least.groups.toLocaleString('en-US')} groups, ${least.memberships.toLocaleString('en-US')} memberships in ${least.chunks.toLocaleString('en-US')} chunks of ≤ 100 (generated with --users ${sizes.users} --groups ${sizes.groups} --memberships ${sizes.memberships} --seed ${sizes.seed})`,
      `cloud: usermig cloud serve --latency ${LATENCY_MS} --rate-limit ${RATE_LIMIT} (own process); apply took ${applied.seconds.toFixed(1)} s`,
      `apply said: ${applied.stdout.trim().split('\n').pop() ?? ''}`,
      `write requests:        ${seen.writes.toLocaleString('en-US')} = ${(seen.writes / minimum).toFixed(3)} × the least possible ${minimum.toLocaleString('en-US')} (target ≤ 1.0 ×) ${mark(seen.writes <= minimum)}`,
      `request rate:          ${seen.rate.toFixed(1)}/s from the first to the last write (${seen.seconds.toFixed(1)} s) = ${((seen.rate / RATE_LIMIT) * 100).toFixed(1)} % of the ${RATE_LIMIT}/s limit (target ≥ 90 %) ${mark(seen.rate >= 0.9 * RATE_LIMIT)}`,
      `429s:                  ${seen.refused}`,
      `inside Retry-After:    ${seen.inside} requests arrived within ${seen.retryAfterMs / 1000} s after a 429 (Retry-After assumed from src/cloud/pacing.ts; target 0) ${mark(seen.inside === 0)}`,
      `requests by status:    ${statuses}`,
    ].join('\n') + '\n',
  );
} finally {
  if (cloud) await stop(cloud);
  const keep = process.argv.indexOf('--keep-log');
  if (keep >= 0 && process.argv[keep + 1] && fs.existsSync(logFile)) fs.copyFileSync(logFile, process.argv[keep + 1] as string);
  fs.rmSync(work, { recursive: true, force: true });
}
