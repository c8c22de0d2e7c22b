/**
 * The commands. Thin: parse options, call the library, print. Every function returns the exit code.
 */
import fs from 'node:fs';
import path from 'node:path';
import { assessEstate, hasBlockers, type Assessment } from '../assess/index.js';
import { generateEstate } from '../generate/index.js';
import { usageError } from '../model/errors.js';
import { writeAssessmentCsv } from '../report/assessment-csv.js';
import { formatAssessment } from '../report/assessment-text.js';
import { parseSourceSpecs, scan, type ScanResult } from '../scan.js';
import { openWorkspace, resolveWorkspaceDir } from '../workspace/workspace.js';
import { createProgress } from './progress.js';
import { withEstate } from './workspace-estate.js';
import { checkContext } from '../assess/context.js';
import { planBulkFix } from '../decide/bulk-fix.js';
import { domainRows } from '../decide/domains.js';
import { saveDomainDecisions, saveUserDecisions } from '../workspace/decision-store.js';

export interface Output {
  out(text: string): void;
}

const stdout: Output = { out: (text) => void process.stdout.write(`${text}\n`) };

export async function scanCommand(sources: string[], options: { workspace?: string; json?: boolean }, io = stdout): Promise<number> {
  if (sources.length === 0) throw usageError('scan needs at least one source, e.g. usermig scan jira-backup:backup.zip');
  const specs = parseSourceSpecs(sources);
  const workspace = openWorkspace(resolveWorkspaceDir(options.workspace));
  const progress = createProgress(options.json ? 'json-lines' : 'bar');
  try {
    const results = await scan(workspace, specs, ({ source, bytes, total }) => progress.update(`scanning ${source}`, bytes, total));
    progress.stop();
    if (options.json) io.out(JSON.stringify({ sources: results.map(scanResultJson) }));
    else for (const result of results) io.out(describeScan(result));
    return 0;
  } finally {
    progress.stop();
    workspace.close();
  }
}

const scanResultJson = (result: ScanResult) => ({
  name: result.spec.name,
  kind: result.spec.kind,
  location: result.spec.location,
  counts: result.counts,
  seconds: Number(result.seconds.toFixed(3)),
});

function describeScan(result: ScanResult): string {
  const c = result.counts;
  const n = (value: number | undefined) => (value ?? 0).toLocaleString('en-US');
  return (
    `scanned ${result.spec.name} (${result.spec.kind}:${result.spec.location}) in ${result.seconds.toFixed(1)} s: ` +
    `${n(c.directories)} directories, ${n(c.users)} users, ${n(c.groups)} groups, ${n(c.memberships)} memberships, ` +
    `${n(c.grants)} grants, ${n(c.containers)} projects/spaces, ${n(c.references)} user references`
  );
}

export function runAssessment(workspaceDir: string): Assessment {
  return withEstate(workspaceDir, ({ estate, decisions }) => assessEstate(estate, { decisions }));
}

export function assessCommand(options: { workspace?: string; json?: boolean; csv?: string }, io = stdout): number {
  const assessment = runAssessment(resolveWorkspaceDir(options.workspace));
  if (options.csv) writeAssessmentCsv(assessment, options.csv);
  io.out(options.json ? JSON.stringify(assessment) : formatAssessment(assessment));
  return hasBlockers(assessment) ? 1 : 0;
}

const positiveInteger = (name: string, value: string | undefined, fallback: number): number => {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw usageError(`--${name} takes a whole number, not "${value}"`);
  return number;
};

export async function generateCommand(
  options: { users?: string; groups?: string; memberships?: string; seed?: string; out?: string },
  io = stdout,
): Promise<number> {
  if (!options.out) throw usageError('generate needs --out DIR');
  const users = positiveInteger('users', options.users, 1000);
  const groups = positiveInteger('groups', options.groups, Math.max(20, Math.round(users / 10)));
  const memberships = positiveInteger('memberships', options.memberships, users * 5);
  const seed = positiveInteger('seed', options.seed, 1);
  if (users < 20 || groups < 12) throw usageError('generate needs at least --users 20 and --groups 12 to hold every kind of defect');
  fs.mkdirSync(options.out, { recursive: true });
  const progress = createProgress('bar');
  try {
    const result = await generateEstate({
      users,
      groups,
      memberships,
      seed,
      outDir: path.resolve(options.out),
      onProgress: (done, total) => progress.update('generating', done, total),
    });
    progress.stop();
    io.out(`wrote ${result.jiraBackup}\nwrote ${result.confluenceBackup}\nwrote ${result.manifestFile}`);
    return 0;
  } finally {
    progress.stop();
  }
}

/**
 * `usermig demo`: the journey so far on the bundled demo estate — generate, scan, assess, then decide
 * (every invalid email becomes a Former user, duplicates merge, every domain is trusted) and assess again.
 */
export async function demoCommand(options: { workspace?: string }, io = stdout): Promise<number> {
  const workspaceDir = options.workspace ? path.resolve(options.workspace) : path.resolve('.usermig', 'demo');
  const estateDir = path.join(workspaceDir, 'demo-estate');
  // The demo's workspace is its own: it starts afresh every time, so every run tells the same story.
  for (const file of ['workspace.db', 'workspace.db-wal', 'workspace.db-shm']) fs.rmSync(path.join(workspaceDir, file), { force: true });
  fs.mkdirSync(estateDir, { recursive: true });
  io.out(`usermig demo: a generated estate of Jira and Confluence (seed 42) in ${estateDir}\n`);
  const generated = await generateEstate({ users: 300, groups: 40, memberships: 1500, seed: 42, outDir: estateDir });
  const code = await scanCommand(
    [`jira-backup:${generated.jiraBackup}`, `confluence-backup:${generated.confluenceBackup}`],
    { workspace: workspaceDir },
    io,
  );
  if (code !== 0) return code;
  io.out('\n== assess ==\n');
  io.out(formatAssessment(runAssessment(workspaceDir)));

  io.out('\n== decide: users fix --invalid former-user --duplicated merge; domains trust --all ==\n');
  const example = withEstate(workspaceDir, ({ workspace, estate, decisions }) => {
    const context = checkContext(estate, decisions);
    const fix = planBulkFix(estate, context, { invalid: 'former-user', duplicated: 'merge' });
    const users = saveUserDecisions(workspace.db, fix.inputs, { reason: 'usermig demo' });
    const domains = domainRows(estate, context).map((row) => row.domain);
    const trusted = saveDomainDecisions(workspace.db, domains, true, { reason: 'usermig demo' });
    io.out(`${users} user decisions (${fix.inputs.filter((i) => i.action === 'former-user').length} Former users, ${fix.merges.length} merges), ${trusted} domains trusted`);
    const merged = fix.merges[0]?.merged[0];
    return merged ? `${merged.source}:${merged.userName}` : undefined;
  });
  const after = runAssessment(workspaceDir);
  const count = (severity: string) => after.findings.filter((finding) => finding.severity === severity && !finding.resolved).length;
  io.out(`after the decisions: ${count('blocker')} blockers, ${count('warning')} warnings (usermig assess --workspace ${workspaceDir} shows them)`);
  io.out(
    `\nThe demo's findings are seeded on purpose. Workspace: ${workspaceDir}\n` +
      `Try: usermig ${example ? `users show ${example}` : 'groups list'} --workspace ${workspaceDir}\n` +
      `     usermig decisions log --workspace ${workspaceDir}`,
  );
  return 0;
}
