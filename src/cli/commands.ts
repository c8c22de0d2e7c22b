/**
 * The commands. Thin: parse options, call the library, print. Every function returns the exit code.
 */
import fs from 'node:fs';
import path from 'node:path';
import { generateEstate } from '../generate/index.js';
import { usageError } from '../model/errors.js';
import { formatAssessment } from '../report/assessment-text.js';
import { createProgress } from './progress.js';
import { runAssessment } from './assess-command.js';
import { scanCommand } from './scan-command.js';
import { stdout } from './output.js';
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
