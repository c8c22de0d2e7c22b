/**
 * The commands. Thin: parse options, call the library, print. Every function returns the exit code.
 */
import fs from 'node:fs';
import path from 'node:path';
import { hasBlockers, type Assessment } from '../assess/index.js';
import { generateEstate } from '../generate/index.js';
import { loadConfig } from '../config.js';
import { assessConfigured } from '../assess/configured.js';
import { usageError } from '../model/errors.js';
import type { SourceOptions } from '../sources/index.js';
import { writeAssessmentCsv } from '../report/assessment-csv.js';
import { formatAssessment } from '../report/assessment-text.js';
import { parseSourceSpecs, scan, type ScanResult } from '../scan.js';
import { openWorkspace, resolveWorkspaceDir } from '../workspace/workspace.js';
import { createProgress } from './progress.js';
import { withEstate, withEstateAsync } from './workspace-estate.js';
import { runApply } from '../apply/run-apply.js';
import { makePlan } from '../plan/make-plan.js';
import { writePlanFile } from '../plan/plan-file.js';
import { isWrite } from '../targets/http-client.js';
import { openTarget } from '../targets/target.js';
import { describeApply } from '../apply/apply-saved-plan.js';
import { buildReport } from '../report/build-report.js';
import { describeReport, writeReport } from '../report/write-report.js';
import { checkContext } from '../assess/context.js';
import { planBulkFix } from '../decide/bulk-fix.js';
import { domainRows } from '../decide/domains.js';
import { saveDomainDecisions, saveUserDecisions } from '../workspace/decision-store.js';

export interface Output {
  out(text: string): void;
}

const stdout: Output = { out: (text) => void process.stdout.write(`${text}\n`) };

export interface ScanOptions {
  workspace?: string;
  json?: boolean;
  /** --ldap-preset openldap|ad */
  ldapPreset?: string;
  /** --ca FILE */
  ca?: string;
  /** --config FILE (default: usermig.json in the workspace when present) */
  config?: string;
}

export async function scanCommand(sources: string[], options: ScanOptions, io = stdout): Promise<number> {
  if (sources.length === 0) throw usageError('scan needs at least one source, e.g. usermig scan jira-backup:backup.zip');
  const specs = parseSourceSpecs(sources);
  const workspaceDir = resolveWorkspaceDir(options.workspace);
  const config = loadConfig(options.config, workspaceDir);
  if (options.ldapPreset !== undefined || specs.some((spec) => spec.kind === 'ldap')) {
    // Loaded only for LDAP (it brings the LDAP client): a bad mapping fails before anything is read.
    const { parsePreset, resolveLdapMapping } = await import('../sources/ldap-mapping.js');
    if (options.ldapPreset !== undefined) parsePreset(options.ldapPreset, '--ldap-preset');
    if (specs.some((spec) => spec.kind === 'ldap')) resolveLdapMapping(config, options.ldapPreset);
  }
  const sourceOptions: SourceOptions = { config, ...(options.ldapPreset ? { ldapPreset: options.ldapPreset } : {}), ...(options.ca ? { caFile: path.resolve(options.ca) } : {}) };
  const workspace = openWorkspace(workspaceDir);
  const progress = createProgress(options.json ? 'json-lines' : 'bar');
  try {
    const results = await scan(workspace, specs, ({ source, bytes, total }) => progress.update(`scanning ${source}`, bytes, total), sourceOptions);
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
  ...(result.notes.length > 0 ? { notes: result.notes } : {}),
});

function describeScan(result: ScanResult): string {
  const c = result.counts;
  const n = (value: number | undefined) => (value ?? 0).toLocaleString('en-US');
  return (
    `scanned ${result.spec.name} (${result.spec.kind}:${result.spec.location}) in ${result.seconds.toFixed(1)} s: ` +
    `${n(c.directories)} directories, ${n(c.users)} users, ${n(c.groups)} groups, ${n(c.memberships)} memberships, ` +
    `${n(c.grants)} grants, ${n(c.containers)} projects/spaces/repositories, ${n(c.references)} user references` +
    result.notes.map((note) => `\n  note: ${note}`).join('')
  );
}

/** `configFile`: --config (default usermig.json in the workspace folder, when present). */
export function runAssessment(workspaceDir: string, configFile?: string): Assessment {
  const config = loadConfig(configFile, workspaceDir);
  return withEstate(workspaceDir, ({ estate, decisions }) => assessConfigured(estate, decisions, config));
}

export function assessCommand(options: { workspace?: string; json?: boolean; csv?: string; config?: string }, io = stdout): number {
  const assessment = runAssessment(resolveWorkspaceDir(options.workspace), options.config);
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
 * `usermig demo`: the journey on the bundled demo estate into the local cloud — generate, scan, assess,
 * decide (every invalid email becomes a Former user, duplicates merge, every domain is trusted), assess
 * again, plan, apply. Its workspace (with its local cloud) is kept: run twice, the second run finds
 * nothing to decide and nothing to change.
 */
export async function demoCommand(options: { workspace?: string }, io = stdout): Promise<number> {
  const workspaceDir = options.workspace ? path.resolve(options.workspace) : path.resolve('.usermig', 'demo');
  const estateDir = path.join(workspaceDir, 'demo-estate');
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
    io.out(`${users} new user decisions (${fix.inputs.filter((i) => i.action === 'former-user').length} Former users, ${fix.merges.length} merges), ${trusted} domains newly trusted`);
    const merged = fix.merges[0]?.merged[0] ?? decisions.users.find((d) => d.action === 'merge-into');
    return merged ? `${merged.source}:${merged.userName}` : undefined;
  });
  const after = runAssessment(workspaceDir);
  const count = (severity: string) => after.findings.filter((finding) => finding.severity === severity && !finding.resolved).length;
  io.out(`after the decisions: ${count('blocker')} blockers, ${count('warning')} warnings (usermig assess --workspace ${workspaceDir} shows them)`);

  io.out('\n== plan and apply into the local cloud ==\n');
  const planFile = path.join(workspaceDir, 'plan.json');
  const applied = await withEstateAsync(workspaceDir, async ({ workspace, estate, decisions }) => {
    let writes = 0;
    let reads = 0;
    const target = await openTarget('local', workspaceDir, (event) => {
      if (isWrite(event)) writes++;
      else reads++;
    });
    try {
      const outcome = await makePlan(workspace, estate, decisions, target);
      if ('refused' in outcome) {
        for (const line of outcome.refused) io.out(line);
        return false;
      }
      writePlanFile(outcome.plan, planFile);
      const s = outcome.plan.summary;
      io.out(
        outcome.plan.operations.length === 0
          ? 'plan: no changes, the local cloud already matches the estate and the decisions'
          : `plan: ${s.creates} to create, ${s.links} to link, ${s.memberAdds} memberships to add (${planFile})`,
      );
      const result = await runApply(workspace, outcome.plan, target);
      io.out(describeApply(outcome.plan, result, target.label, writes, reads));
      return true;
    } finally {
      await target.close();
    }
  });
  if (applied) {
    io.out('\n== report ==\n');
    const reportDir = path.join(workspaceDir, 'report');
    const report = await withEstateAsync(workspaceDir, (context) => buildReport(context, workspaceDir));
    for (const line of describeReport(report, reportDir, writeReport(report, reportDir, ['csv', 'json', 'html']))) io.out(line);
  }
  io.out(
    `\nThe demo's findings are seeded on purpose. Workspace: ${workspaceDir}${applied ? '' : ' (nothing was applied)'}\n` +
      `Try: usermig ${example ? `users show ${example}` : 'groups list'} --workspace ${workspaceDir}\n` +
      `     usermig plan --workspace ${workspaceDir}   (run again: no changes)\n` +
      `     usermig strategy --workspace ${workspaceDir}   (how to go about a real migration)\n` +
      `     usermig serve --workspace ${workspaceDir}   (the same journey in a browser)`,
  );
  return 0;
}
