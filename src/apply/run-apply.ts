/**
 * The apply step as a library call: check that the plan is neither applied nor stale (unless resuming
 * it), hold the prune safety threshold (RULES.md §6 S-15), then execute it.
 */
import { UsermigError, usageError } from '../model/errors.js';
import type { Operation } from '../plan/operations.js';
import { workspaceFingerprint, type PlanFile } from '../plan/plan-file.js';
import { forgetCloudRecord, readCloud, recordAfterApply } from '../targets/cloud-view.js';
import type { Target } from '../targets/target.js';
import type { Db, Workspace } from '../workspace/workspace.js';
import { acquireApplyLock } from './apply-lock.js';
import { applyPlan, type ApplyResult } from './executor.js';

/** At most 5 % of the migrated users or 100 operations, whichever is smaller. */
export const pruneThreshold = (migratedUsers: number): number => Math.min(100, Math.floor(migratedUsers * 0.05));

export interface RunApplyOptions {
  prune?: boolean;
  force?: boolean;
  onProgress?: (done: number, total: number) => void;
  /** Awaited before each operation is sent (pause and resume). */
  gate?: () => Promise<void>;
  /** Called as an operation fails (it is parked for the next run). */
  onOperationFailed?: (operation: Operation, message: string) => void;
}

/**
 * Refuses a plan that was applied already, or that is stale on the workspace's side (sources scanned or
 * decisions changed since it was made) unless this is a resumption of it. The cloud's side is checked
 * when the apply reads the cloud.
 */
export function checkPlanNotDone(db: Db, plan: PlanFile): { resuming: boolean } {
  const finished = db.prepare('SELECT finished_at FROM applied_plans WHERE plan_id = ?').pluck().get(plan.id) as string | null | undefined;
  if (finished) throw usageError(`the plan ${plan.id} was applied on ${finished}; make a new one with usermig plan`);
  const resuming = (db.prepare('SELECT count(*) FROM ledger WHERE plan_id = ?').pluck().get(plan.id) as number) > 0;
  if (!resuming && workspaceFingerprint(db) !== plan.workspaceFingerprint) {
    throw usageError('the plan is stale: sources were scanned or decisions changed since it was made; run usermig plan again');
  }
  return { resuming };
}

export async function runApply(workspace: Workspace, plan: PlanFile, target: Target, options: RunApplyOptions = {}): Promise<ApplyResult> {
  if (options.prune && !options.force) {
    const removals = plan.operations.reduce((sum, o) => sum + (o.kind === 'remove-members' ? o.emails.length : 0), 0);
    const threshold = pruneThreshold(plan.summary.accounts);
    if (removals > threshold) {
      throw usageError(
        `the plan removes ${removals} memberships, more than the safety threshold of ${threshold} (5 % of ${plan.summary.accounts} migrated users, at most 100): review it, then repeat with --force`,
      );
    }
  }
  if (target.via !== (plan.via ?? 'scim')) throw new UsermigError('usage', `the plan was made to write --via ${plan.via ?? 'scim'}, not ${target.via}`);
  if (target.spec !== plan.target) throw new UsermigError('usage', `the plan was made for the target ${plan.target}, not ${target.spec}`);
  const db = workspace.db;
  // One apply per workspace at a time, whichever process runs it (the dashboard, a terminal).
  const release = acquireApplyLock(workspace.dir, plan.id);
  try {
    const { resuming } = checkPlanNotDone(db, plan);
    const cloud = await readCloud(db, target);
    if (!resuming && cloud.fingerprint !== plan.cloudFingerprint) {
      throw usageError('the plan is stale: the cloud changed since it was made; run usermig plan again');
    }
    const state = cloud.state; // expanded from the record before the record is forgotten
    forgetCloudRecord(db, target);
    let complete = true;
    try {
      return await applyPlan(db, plan, target, {
        prune: options.prune ?? false,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
        ...(options.gate ? { gate: options.gate } : {}),
        ...(options.onOperationFailed ? { onOperationFailed: options.onOperationFailed } : {}),
        state,
        onForeignAdoption: () => {
          complete = false;
        },
      });
    } finally {
      // What apply did is in the state, whether it finished or parked failures; a cloud that cannot be
      // reached now simply leaves no record (the next plan reads it in full).
      await recordAfterApply(db, target, state, cloud.readAt, !complete).catch(() => undefined);
    }
  } finally {
    release();
  }
}
