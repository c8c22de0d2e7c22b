/**
 * `usermig plan` and `usermig apply`: compute the operations that make the cloud match the estate and
 * the decisions, show them like a diff and save them; then execute exactly that plan.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { assessEstate } from '../assess/index.js';
import { applyPlan } from '../apply/executor.js';
import { appliedMemberships, groupsCreatedByUsermig } from '../apply/ledger.js';
import { usageError } from '../model/errors.js';
import { desiredState } from '../plan/desired-state.js';
import { groupConflicts } from '../plan/group-consent.js';
import { planOperations, type Operation } from '../plan/operations.js';
import { cloudFingerprint, newPlanId, PLAN_VERSION, readPlanFile, workspaceFingerprint, writePlanFile, type PlanFile } from '../plan/plan-file.js';
import { readScimState } from '../targets/scim-state.js';
import { openTarget } from '../targets/target.js';
import { resolveWorkspaceDir } from '../workspace/workspace.js';
import { createProgress } from './progress.js';
import { withEstateAsync } from './workspace-estate.js';

const out = (text: string) => void process.stdout.write(`${text}\n`);
const SHOWN = 50;

export function registerPlanCommands(cli: Command): void {
  cli
    .command('plan')
    .description('compute what must change in the cloud, show it like a diff and save it (refused while blockers remain)')
    .option('--target <spec>', 'local (default), atlassian or atlassian:URL', 'local')
    .option('--out <file>', 'where to save the plan (default WORKSPACE/plan.json)')
    .option('--json', 'print the plan as JSON')
    .option('--workspace <dir>', 'workspace folder')
    .action(async (options: { target: string; out?: string; json?: boolean; workspace?: string }) => {
      const workspaceDir = resolveWorkspaceDir(options.workspace);
      const planned = await withEstateAsync(options.workspace, async ({ workspace, estate, decisions }) => {
        const assessment = assessEstate(estate, { decisions });
        const blockers = assessment.findings.filter((finding) => finding.severity === 'blocker');
        if (blockers.length > 0) {
          out(`No plan: ${blockers.length} blocker${blockers.length === 1 ? '' : 's'} remain (usermig assess shows them):`);
          for (const blocker of blockers) out(`  [${blocker.code}] ${blocker.message}`);
          return undefined;
        }
        const target = await openTarget(options.target, workspaceDir);
        try {
          const current = await readScimState(target.scim);
          const desired = desiredState(estate, decisions);
          const conflicts = groupConflicts(desired, new Set(current.groups.keys()), target.org ? await target.org.groupNames() : undefined, groupsCreatedByUsermig(workspace.db));
          if (conflicts.needConsent.length > 0 || conflicts.outsideScim.length > 0) {
            out('No plan: groups of the estate already exist in the cloud, and same-name groups merge (members inherit what the cloud group grants).');
            for (const name of conflicts.needConsent) {
              out(`  ${name}: merge only with consent (usermig groups map ${name} --to ${name}), or give it another name (usermig groups rename ${name} NEW)`);
            }
            for (const name of conflicts.outsideScim) out(`  ${name}: exists outside the SCIM directory, which cannot write to it; rename the source group`);
            return undefined;
          }
          if (!target.org) out('note: USERMIG_ORG_ID and USERMIG_ORG_TOKEN are not set, so groups outside the SCIM directory could not be checked');
          const changes = planOperations(desired, current, appliedMemberships(workspace.db));
          const count = (kind: Operation['kind']) => changes.operations.filter((o) => o.kind === kind);
          const plan: PlanFile = {
            version: PLAN_VERSION,
            id: newPlanId(),
            createdAt: new Date().toISOString(),
            target: options.target,
            workspaceFingerprint: workspaceFingerprint(workspace.db),
            cloudFingerprint: cloudFingerprint(current),
            operations: changes.operations,
            linked: changes.linked,
            summary: {
              accounts: count('create-account').length + changes.linked.length,
              groups: desired.groups.size,
              creates: count('create-account').length + count('create-group').length,
              links: changes.linked.length,
              memberAdds: count('add-members').reduce((sum, o) => sum + (o.kind === 'add-members' ? o.emails.length : 0), 0),
              memberRemovals: count('remove-members').reduce((sum, o) => sum + (o.kind === 'remove-members' ? o.emails.length : 0), 0),
              writes: changes.writes,
            },
          };
          const file = path.resolve(options.out ?? path.join(workspaceDir, 'plan.json'));
          writePlanFile(plan, file);
          return { plan, file, label: target.label };
        } finally {
          await target.close();
        }
      });
      if (!planned) {
        process.exitCode = 1;
        return;
      }
      if (options.json) out(JSON.stringify(planned.plan));
      else describePlan(planned.plan, planned.file, planned.label);
      process.exitCode = 0;
    });

  cli
    .command('apply')
    .description('execute a saved plan: paced, checkpointed after every operation, resumable')
    .argument('[plan]', 'the plan file (default WORKSPACE/plan.json)')
    .option('--target <spec>', 'must be the target the plan was made for')
    .option('--yes', 'do not ask for confirmation (needed when not on a terminal)')
    .option('--prune', 'also run the membership removals the plan proposes')
    .option('--force', 'with --prune: go beyond the safety threshold of removals')
    .option('--workspace <dir>', 'workspace folder')
    .action(async (file: string | undefined, options: { target?: string; yes?: boolean; prune?: boolean; force?: boolean; workspace?: string }) => {
      const workspaceDir = resolveWorkspaceDir(options.workspace);
      const planFile = path.resolve(file ?? path.join(workspaceDir, 'plan.json'));
      const plan = readPlanFile(planFile);
      if (options.target && options.target !== plan.target) throw usageError(`the plan was made for the target ${plan.target}, not ${options.target}`);
      if (!options.yes) throw usageError('apply changes the cloud: repeat with --yes to confirm');
      if (options.prune && !options.force) {
        const removals = plan.operations.reduce((sum, o) => sum + (o.kind === 'remove-members' ? o.emails.length : 0), 0);
        const threshold = pruneThreshold(plan.summary.accounts);
        if (removals > threshold) {
          throw usageError(
            `the plan removes ${removals} memberships, more than the safety threshold of ${threshold} (5 % of ${plan.summary.accounts} migrated users, at most 100): review it, then repeat with --force`,
          );
        }
      }
      const progress = createProgress('bar');
      const result = await withEstateAsync(options.workspace, async ({ workspace }) => {
        const resuming = (workspace.db.prepare('SELECT count(*) FROM ledger WHERE plan_id = ?').pluck().get(plan.id) as number) > 0;
        const finished = workspace.db.prepare('SELECT finished_at FROM applied_plans WHERE plan_id = ?').pluck().get(plan.id) as string | null | undefined;
        if (finished) throw usageError(`the plan ${plan.id} was applied on ${finished}; make a new one with usermig plan`);
        if (!resuming && workspaceFingerprint(workspace.db) !== plan.workspaceFingerprint) {
          throw usageError('the plan is stale: sources were scanned or decisions changed since it was made; run usermig plan again');
        }
        let writes = 0;
        const target = await openTarget(plan.target, workspaceDir, ({ method }) => {
          if (method !== 'GET') writes++;
        });
        try {
          if (!resuming && cloudFingerprint(await readScimState(target.scim)) !== plan.cloudFingerprint) {
            throw usageError('the plan is stale: the cloud changed since it was made; run usermig plan again');
          }
          const outcome = await applyPlan(workspace.db, plan, target, {
            prune: options.prune ?? false,
            onProgress: (done, total) => progress.update('applying', done, total),
          });
          progress.stop();
          return { outcome, writes, reads: [...target.http.sent.values()].reduce((a, b) => a + b, 0) - writes, label: target.label };
        } finally {
          progress.stop();
          await target.close();
        }
      });
      const { outcome } = result;
      out(
        `${outcome.resumed ? 'resumed and applied' : 'applied'} ${plan.id} to ${result.label}: ` +
          `${outcome.created.accounts} accounts created, ${outcome.adopted.accounts} adopted, ` +
          `${outcome.created.groups} groups created, ${outcome.adopted.groups} adopted, ` +
          `${outcome.membersAdded} memberships added, ${outcome.membersRemoved} removed` +
          (outcome.skipped ? `, ${outcome.skipped} removal operations skipped (use --prune)` : '') +
          `; ${result.writes} write requests, ${result.reads} reads`,
      );
      process.exitCode = 0;
    });
}

/** RULES.md §6 S-15: at most 5 % of the migrated users or 100 operations, whichever is smaller. */
export const pruneThreshold = (migratedUsers: number): number => Math.min(100, Math.floor(migratedUsers * 0.05));

function describePlan(plan: PlanFile, file: string, label: string): void {
  out(`Plan ${plan.id} against ${label}`);
  const lines: Record<Operation['kind'], string[]> = { 'create-account': [], 'create-group': [], 'add-members': [], 'remove-members': [] };
  for (const operation of plan.operations) {
    if (operation.kind === 'create-account') lines[operation.kind].push(`  + account ${operation.email}  (${operation.reasons.join(', ')})`);
    else if (operation.kind === 'create-group') lines[operation.kind].push(`  + group ${operation.name}`);
  }
  // Memberships per group (operations hold at most 100 each).
  const perGroup = (kind: 'add-members' | 'remove-members') => {
    const counts = new Map<string, number>();
    for (const operation of plan.operations) if (operation.kind === kind) counts.set(operation.group, (counts.get(operation.group) ?? 0) + operation.emails.length);
    return counts;
  };
  for (const [group, count] of perGroup('add-members')) lines['add-members'].push(`  + ${group}: ${count} members`);
  for (const [group, count] of perGroup('remove-members')) lines['remove-members'].push(`  - ${group}: ${count} members (only with --prune)`);
  for (const list of Object.values(lines)) {
    for (const line of list.slice(0, SHOWN)) out(line);
    if (list.length > SHOWN) out(`  … and ${list.length - SHOWN} more (plan --json lists them all)`);
  }
  if (plan.linked.length > 0) out(`  = ${plan.linked.length} accounts exist already and are linked, not created`);
  const s = plan.summary;
  out(
    plan.operations.length === 0
      ? 'No changes: the cloud matches the estate and the decisions.'
      : `${s.creates} to create, ${s.links} to link, ${s.memberAdds} memberships to add, ${s.memberRemovals} to remove: ${s.writes} write requests.`,
  );
  out(`Saved to ${file}. Apply it with: usermig apply ${file} --yes`);
}
