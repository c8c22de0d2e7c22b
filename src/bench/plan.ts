/**
 * `npm run bench:plan`: planning with nothing changed, the run an administrator repeats on every wave and
 * on cut-over day (target: under 2 s for 100,000 users).
 *
 * Generates once into bench-out/ an estate whose plan holds about 100,000 accounts, 10,000 groups and
 * 1,000,000 memberships; scans it, decides its blockers away and applies it into the workspace's local
 * cloud (`--target local`), keeping that workspace for later runs (a marker written last says it is
 * complete). Then it times `usermig plan` five times with nothing changed, and once `usermig plan
 * --refresh`, which reads the whole cloud again, for comparison; each run is a whole CLI process.
 * Other sizes: `npm run bench:plan -- --users 10000 --groups 1000 --memberships 100000`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { benchEstate, cli, generatorSizes, option, scanAndDecide, usermig } from './bench-estate.js';

const RUNS = 5;
const TARGET_SECONDS = 2;

const wanted = { users: option('users', 100_000), groups: option('groups', 10_000), memberships: option('memberships', 1_000_000) };
const sizes = generatorSizes(wanted);
const name = `u${wanted.users}-g${wanted.groups}-m${wanted.memberships}`;
const dir = await benchEstate(`apply-${name}`, sizes);
const workspace = path.resolve('bench-out', `plan-${name}`);
const marker = path.join(workspace, 'bench-applied.json');

if (!fs.existsSync(marker) || fs.readFileSync(marker, 'utf8') !== JSON.stringify(sizes)) {
  fs.rmSync(workspace, { recursive: true, force: true });
  const started = Date.now();
  scanAndDecide(dir, workspace);
  usermig(['plan', '--workspace', workspace]);
  usermig(['apply', '--yes', '--workspace', workspace]);
  fs.writeFileSync(marker, JSON.stringify(sizes));
  process.stdout.write(`scanned, decided and applied into ${workspace} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

/** One `usermig plan` process: wall time, peak RSS (from /usr/bin/time when present) and its last line. */
function timedPlan(extra: string[]): { seconds: number; rssMiB?: number; summary: string; stdout: string } {
  const timeBin = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
  const args = [cli, 'plan', ...extra, '--workspace', workspace];
  const started = process.hrtime.bigint();
  const result = timeBin
    ? spawnSync(timeBin, ['-f', 'RSS %M', process.execPath, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 })
    : spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`usermig plan failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  const rss = /RSS (\d+)/.exec(result.stderr ?? '');
  const lines = result.stdout.trim().split('\n');
  return { seconds, ...(rss ? { rssMiB: Number(rss[1]) / 1024 } : {}), summary: lines[lines.length - 2] ?? '', stdout: result.stdout };
}

// After an apply the workspace's plan basis and cloud record are current; a workspace made by an older
// usermig may need one plan to bring them up to date. That plan is not timed.
const warmUp = timedPlan([]);
if (warmUp.seconds > TARGET_SECONDS) process.stdout.write(`warm-up plan (brings the plan basis and the cloud record up to date): ${warmUp.seconds.toFixed(2)} s\n`);
const runs = Array.from({ length: RUNS }, () => timedPlan([]));
const refreshed = timedPlan(['--refresh']);
const seconds = runs.map((run) => run.seconds).sort((a, b) => a - b);
const median = seconds[Math.floor(seconds.length / 2)] as number;
const unchanged = runs.every((run) => run.stdout.includes('No changes'));
const accounts = /= (\d+) accounts exist already/.exec(runs[0]?.stdout ?? '')?.[1] ?? '?';
const mib = (value?: number) => (value === undefined ? 'n/a' : `${value.toFixed(0)} MiB`);
process.stdout.write(
  [
    `estate: ${Number(accounts).toLocaleString('en-US')} accounts in the cloud (generated with --users ${sizes.users} --groups ${sizes.groups} --memberships ${sizes.memberships} --seed ${sizes.seed}), applied into the local cloud`,
    `plan, nothing changed:  ${seconds.map((s) => s.toFixed(2)).join(' / ')} s (${RUNS} runs); median ${median.toFixed(2)} s, min ${(seconds[0] as number).toFixed(2)} s, peak RSS ${mib(runs[0]?.rssMiB)} (target < ${TARGET_SECONDS} s) ${median < TARGET_SECONDS && unchanged ? 'ok' : 'MISSED'}`,
    `plan --refresh:         ${refreshed.seconds.toFixed(2)} s, peak RSS ${mib(refreshed.rssMiB)} (reads the whole cloud again) = ${(refreshed.seconds / median).toFixed(1)} × the plan that trusts the record`,
    `plan said: ${unchanged ? 'No changes' : `CHANGES: ${runs[0]?.summary}`}`,
  ].join('\n') + '\n',
);
