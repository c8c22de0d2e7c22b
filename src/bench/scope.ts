/**
 * `npm run bench:scope`: scope resolution for one project among 100,000 users, 10,000 groups, 1,000,000
 * memberships and 5,000,000 references (target under 2 s), and `explain` of one user (target under 100 ms).
 *
 * Generates the Jira backup once into bench-out/ (the generator's --references option) and scans it once
 * into a workspace kept beside it; then, in this process, times: loading the estate (what every command
 * does first, shown apart), the one-time record of references by container after a scan (shown apart), and — the figure
 * of the target — resolving `--scope jira:projects=KEY` (reading the project's references and computing
 * the scope, its desired state and the plan's scope section); then explaining one in-scope user.
 * Smaller sizes for a quick look: `npm run bench:scope -- --users 10000 --groups 1000 --memberships 100000 --references 500000`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildEstate } from '../assess/estate.js';
import { resolveIdentities } from '../decide/identities.js';
import { generateEstate } from '../generate/index.js';
import { desiredState } from '../plan/desired-state.js';
import { explainUser } from '../scope/explain.js';
import { workspaceScope } from '../scope/index.js';
import { planScopeSection } from '../scope/plan-section.js';
import { parseScope } from '../scope/spec.js';
import { loadDecisions } from '../workspace/decision-store.js';
import { loadEstate } from '../workspace/estate-loader.js';
import { ensureContainerRefs, loadUserReferences } from '../workspace/scope-store.js';
import { openWorkspace } from '../workspace/workspace.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, '..', 'cli', 'main.js');

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

// As in bench/scan-assess.ts: the generator spreads people, groups and memberships over Jira and
// Confluence, so it is asked for correspondingly more to give these sizes in the Jira backup.
const target = {
  users: option('users', 100_000),
  groups: option('groups', 10_000),
  memberships: option('memberships', 1_000_000),
  references: option('references', 5_000_000),
};
const sizes = {
  users: Math.round(target.users / 0.87),
  groups: Math.round(target.groups / 0.7),
  memberships: Math.round(target.memberships / 0.545),
  references: target.references,
  seed: 7,
};
const outDir = path.resolve('bench-out', `scope-u${target.users}-g${target.groups}-m${target.memberships}-r${target.references}`);
const marker = path.join(outDir, 'bench-estate.json');
const workspaceDir = path.join(outDir, 'workspace');
const scannedMarker = path.join(outDir, 'scanned.json');
const seconds = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e9;
const say = (text: string) => void process.stdout.write(`${text}\n`);

if (!fs.existsSync(marker) || fs.readFileSync(marker, 'utf8') !== JSON.stringify(sizes)) {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  const started = process.hrtime.bigint();
  await generateEstate({ ...sizes, outDir });
  fs.writeFileSync(marker, JSON.stringify(sizes));
  say(`generated ${path.relative(process.cwd(), outDir)} in ${seconds(started).toFixed(1)} s`);
}
if (!fs.existsSync(scannedMarker)) {
  fs.rmSync(workspaceDir, { recursive: true, force: true });
  const started = process.hrtime.bigint();
  const scan = spawnSync(process.execPath, [cli, 'scan', `jira-backup:${path.join(outDir, 'jira-backup.zip')}`, '--workspace', workspaceDir, '--json'], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (scan.status !== 0) throw new Error(`scan failed: ${scan.stderr}`);
  fs.writeFileSync(scannedMarker, scan.stdout);
  say(`scanned in ${seconds(started).toFixed(1)} s (once; kept in ${path.relative(process.cwd(), workspaceDir)})`);
}
const counts = (JSON.parse(fs.readFileSync(scannedMarker, 'utf8')) as { sources: Array<{ counts: Record<string, number> }> }).sources[0]?.counts ?? {};
const n = (value: number | undefined) => (value ?? 0).toLocaleString('en-US');

const workspace = openWorkspace(workspaceDir);
try {
  const db = workspace.db;
  db.prepare('DELETE FROM container_refs_sources').run(); // time the record as the first scoped plan after a scan builds it
  let started = process.hrtime.bigint();
  ensureContainerRefs(db);
  const containerRefs = seconds(started);
  const recorded = db.prepare('SELECT count(*) AS containers, sum(json_array_length(ref_ids)) AS refs FROM container_refs').get() as { containers: number; refs: number };

  started = process.hrtime.bigint();
  const estate = buildEstate(loadEstate(db));
  const decisions = loadDecisions(db);
  const load = seconds(started);

  // The project with the most references: the hardest single project.
  const project = db
    .prepare(
      `SELECT b.container, sum(json_array_length(b.ref_ids)) AS refs FROM container_refs AS b
         JOIN containers AS c ON c.source_id = b.source_id AND c.key = b.container AND c.kind = 'jira-project'
        GROUP BY b.container ORDER BY refs DESC LIMIT 1`,
    )
    .get() as { container: string; refs: number };
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let resolved: ReturnType<typeof workspaceScope>;
  let accounts = 0;
  let groups = 0;
  for (let run = 0; run < 3; run++) {
    started = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const spec = parseScope([`jira:projects=${project.container}`]);
    resolved = workspaceScope(db, estate, decisions, spec);
    if (!resolved) throw new Error('no scope');
    const desired = desiredState(estate, decisions, resolved);
    const section = planScopeSection(desired, resolved, new Map());
    accounts = desired.accounts.size;
    groups = section.groups.length;
    times.push(seconds(started));
    const used = process.cpuUsage(cpu);
    cpuTimes.push((used.user + used.system) / 1e6);
  }
  const scope = resolved!;
  const identities = resolveIdentities(estate, decisions.users);
  const someone = [...scope.users.values()].find((u) => u.direct)?.user ?? [...scope.users.keys()][0];
  if (!someone) throw new Error('nobody in scope');
  const explainTimes: number[] = [];
  let lines = 0;
  for (let run = 0; run < 5; run++) {
    started = process.hrtime.bigint();
    const explanation = explainUser(estate, identities, scope, someone, loadUserReferences(db, someone.source, [someone.userKey]));
    lines = explanation.reasons.length + explanation.groups.length + explanation.outside.length;
    explainTimes.push(seconds(started));
  }
  const best = (list: number[]) => Math.min(...list);
  const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] as number;
  const cliStarted = process.hrtime.bigint();
  const cliExplain = spawnSync(process.execPath, [cli, 'explain', `${someone.source}:${someone.userName}`, '--scope', `jira:projects=${project.container}`, '--workspace', workspaceDir], { encoding: 'utf8' });
  const cliSeconds = seconds(cliStarted);
  if (cliExplain.status !== 0) throw new Error(`explain failed: ${cliExplain.stderr}`);

  const resolution = median(times);
  const explainMs = median(explainTimes) * 1000;
  say(
    [
      `machine: ${os.cpus().length} CPUs, load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} (wall times include waiting for the CPU; CPU times are the process's, all threads)`,
      `jira backup: ${n(counts.users)} users, ${n(counts.groups)} groups, ${n(counts.memberships)} memberships, ${n(counts.references)} user references`,
      `references by container (once per scan, on the first scoped plan): ${containerRefs.toFixed(2)} s, ${n(recorded.refs)} references in ${n(recorded.containers)} containers`,
      `load the estate (every command does this first):        ${load.toFixed(2)} s`,
      `scope resolution (read the project's references, resolve the scope, its desired state and the plan's scope section; estate loaded already), --scope jira:projects=${project.container} (${n(project.refs)} references): ${resolution.toFixed(3)} s median of 3 (best ${best(times).toFixed(3)} s; CPU ${median(cpuTimes).toFixed(3)} s) ` +
        `→ ${n(scope.users.size)} users, ${n(accounts)} accounts, ${n(groups)} groups, ${n(scope.formerUsers.length)} Former users (target < 2 s) ${resolution < 2 ? 'ok' : 'NOT MET'}`,
      `explain ${someone.source}:${someone.userName} on the resolved scope: ${explainMs.toFixed(1)} ms median of 5 (${lines} lines) (target < 100 ms) ${explainMs < 100 ? 'ok' : 'NOT MET'}`,
      `usermig explain as a command (load + scope + explain):   ${cliSeconds.toFixed(2)} s`,
    ].join('\n'),
  );
} finally {
  workspace.close();
}
