/**
 * Applying a saved plan as a library call, as `usermig apply` and the dashboard's Apply page both do: open
 * the target the plan was made for (through the route and SCIM profile it records), count the requests,
 * run the apply, and say what was done in the words `usermig apply` prints.
 */
import type { PlanFile } from '../plan/plan-file.js';
import { parseVia } from '../targets/cloud-writer.js';
import { isWrite } from '../targets/http-client.js';
import { openTarget } from '../targets/target.js';
import type { Workspace } from '../workspace/workspace.js';
import type { ApplyResult } from './executor.js';
import { runApply, type RunApplyOptions } from './run-apply.js';

export interface SavedPlanApplied {
  outcome: ApplyResult;
  /** The target's label (no credentials). */
  label: string;
  writes: number;
  reads: number;
  /** The line `usermig apply` prints. */
  text: string;
}

export function describeApply(plan: PlanFile, outcome: ApplyResult, label: string, writes: number, reads: number): string {
  return (
    `${outcome.resumed ? 'resumed and applied' : 'applied'} ${plan.id} to ${label}: ` +
    `${outcome.created.accounts} accounts created, ${outcome.adopted.accounts} adopted, ` +
    `${outcome.created.groups} groups created, ${outcome.adopted.groups} adopted, ` +
    `${outcome.membersAdded} memberships added, ${outcome.membersRemoved} removed` +
    (outcome.skipped ? `, ${outcome.skipped} removal operations skipped (use --prune)` : '') +
    `; ${writes} write requests, ${reads} reads`
  );
}

export async function applySavedPlan(workspace: Workspace, plan: PlanFile, options: RunApplyOptions = {}): Promise<SavedPlanApplied> {
  let writes = 0;
  let reads = 0;
  const target = await openTarget(
    plan.target,
    workspace.dir,
    (event) => {
      if (isWrite(event)) writes++;
      else reads++;
    },
    parseVia(plan.via),
    plan.scim ? { scimProfile: plan.scim.profile } : {},
  );
  try {
    const outcome = await runApply(workspace, plan, target, options);
    return { outcome, label: target.label, writes, reads, text: describeApply(plan, outcome, target.label, writes, reads) };
  } finally {
    await target.close();
  }
}
