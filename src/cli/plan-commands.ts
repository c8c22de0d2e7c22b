/**
 * `usermig plan` and `usermig apply`: compute the operations that make the cloud match the estate and
 * the decisions, show them like a diff and save them; then execute exactly that plan.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { applySavedPlan } from '../apply/apply-saved-plan.js';
import { usageError } from '../model/errors.js';
import type { Operation } from '../plan/operations.js';
import { planAndSave } from '../plan/plan-and-save.js';
import { membersPerGroup } from '../plan/plan-diff.js';
import { readPlanFile, type PlanFile } from '../plan/plan-file.js';
import { scopeLines } from '../scope/describe.js';
import { resolveWorkspaceDir } from '../workspace/workspace.js';
import { createProgress } from './progress.js';
import { withWorkspaceAsync } from './workspace-estate.js';

const out = (text: string) => void process.stdout.write(`${text}\n`);
const SHOWN = 50;

export function registerPlanCommands(cli: Command): void {
  cli
    .command('plan')
    .description('compute what must change in the cloud, show it like a diff and save it (refused while blockers remain)')
    .option('--target <spec>', 'local (default), atlassian, atlassian:URL, or scim:URL (any SCIM 2.0 service; URL is its SCIM base)', 'local')
    .option('--scim-profile <name>', 'with --target scim:URL: the dialect of the service: generic (default), atlassian, entra, okta or aws')
    .option('--via <scim|org>', 'how apply writes: scim (default) or org (the organization API: invite without notification, groups, memberships)')
    .option('--out <file>', 'where to save the plan (default WORKSPACE/plan.json)')
    .option('--json', 'print the plan as JSON')
    .option('--refresh', "read the whole cloud again instead of the workspace's record of it (used while the cloud's totals match it)")
    .option(
      '--scope <spec>',
      'all (default), jira:projects=KEY,KEY[+roles][+group-members], confluence:spaces=KEY,KEY[+group-members], bitbucket:repos=PROJECT/slug,…[+group-members], jsm:customers=all|related; repeatable, combined',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option('--group-members <mode>', 'groups of a scoped plan: scoped (only in-scope members, default) or all (whole groups: their members come in)')
    .option('--workspace <dir>', 'workspace folder')
    .action(async (options: { target: string; scimProfile?: string; via?: string; out?: string; json?: boolean; refresh?: boolean; scope: string[]; groupMembers?: string; workspace?: string }) => {
      const workspaceDir = resolveWorkspaceDir(options.workspace);
      process.exitCode = await withWorkspaceAsync(options.workspace, async (workspace, loadEstate) => {
        const saved = await planAndSave(workspace, loadEstate, {
          target: options.target,
          ...(options.scimProfile !== undefined ? { scimProfile: options.scimProfile } : {}),
          ...(options.via !== undefined ? { via: options.via } : {}),
          refresh: options.refresh ?? false,
          scope: options.scope,
          ...(options.groupMembers !== undefined ? { groupMembers: options.groupMembers } : {}),
          file: path.resolve(options.out ?? path.join(workspaceDir, 'plan.json')),
        });
        if ('refused' in saved) {
          for (const line of saved.refused) out(line);
          return 1;
        }
        if (options.json) out(JSON.stringify(saved.plan));
        else {
          for (const note of saved.notes) out(note);
          describePlan(saved.plan, saved.file, saved.targetLabel);
          const count = saved.plan.operations.length;
          const bulk = saved.bulkMaxOperations;
          if (bulk && count > 0) out(`With Bulk: the ${count} operations go in about ${Math.ceil(count / bulk)} requests (at most ${bulk} operations each).`);
        }
        return 0;
      });
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
      const plan = readPlanFile(path.resolve(file ?? path.join(workspaceDir, 'plan.json')));
      if (options.target && options.target !== plan.target) throw usageError(`the plan was made for the target ${plan.target}, not ${options.target}`);
      if (!options.yes) throw usageError('apply changes the cloud: repeat with --yes to confirm');
      const progress = createProgress('bar');
      process.exitCode = await withWorkspaceAsync(options.workspace, async (workspace) => {
        try {
          const applied = await applySavedPlan(workspace, plan, {
            prune: options.prune ?? false,
            force: options.force ?? false,
            onProgress: (done, total) => progress.update('applying', done, total),
          });
          progress.stop();
          out(applied.text);
          return 0;
        } finally {
          progress.stop();
        }
      });
    });
}

export function describePlan(plan: PlanFile, file: string, label: string): void {
  out(`Plan ${plan.id} against ${label}${plan.via === 'org' ? ', through the organization API' : ''}`);
  const lines: Record<Operation['kind'], string[]> = { 'change-email': [], 'create-account': [], 'create-group': [], 'add-members': [], 'remove-members': [] };
  for (const operation of plan.operations) {
    if (operation.kind === 'create-account') lines[operation.kind].push(`  + account ${operation.email}  (${operation.reasons.join(', ')})`);
    else if (operation.kind === 'change-email') {
      lines[operation.kind].push(
        `  ~ account ${operation.from} → ${operation.email}  (${operation.reasons.join(', ')}: email changed at the source; ` +
          (operation.keepsGroups
            ? 'same account, same groups)'
            : 'the new domain is not verified, or the account not managed: Atlassian gives it a new, unmanaged account and drops it from its groups, which this plan adds back; the old account stays. Verify the domain first to keep the same account)'),
      );
    }
    else if (operation.kind === 'create-group') lines[operation.kind].push(`  + group ${operation.name}`);
  }
  // Memberships per group (operations hold at most 100 each).
  for (const [group, count] of membersPerGroup(plan, 'add-members')) lines['add-members'].push(`  + ${group}: ${count} members`);
  for (const [group, count] of membersPerGroup(plan, 'remove-members')) lines['remove-members'].push(`  - ${group}: ${count} members (only with --prune)`);
  for (const list of Object.values(lines)) {
    for (const line of list.slice(0, SHOWN)) out(line);
    if (list.length > SHOWN) out(`  … and ${list.length - SHOWN} more (plan --json lists them all)`);
  }
  if (plan.linked.length > 0) out(`  = ${plan.linked.length} accounts exist already and are linked, not created`);
  for (const line of scopeLines(plan)) out(line);
  const s = plan.summary;
  out(
    plan.operations.length === 0
      ? 'No changes: the cloud matches the estate and the decisions.'
      : `${s.creates} to create, ${s.links} to link, ${s.emailChanges ? `${s.emailChanges} emails to change, ` : ''}${s.memberAdds} memberships to add, ${s.memberRemovals} to remove: ${s.writes} write requests.`,
  );
  out(`Saved to ${file}. Apply it with: usermig apply ${file} --yes`);
}
