/**
 * The report as a library call (what `usermig report` and the dashboard's Reports page both show): the
 * ledger, the applies and what the target of the last apply holds, with the estate and the decisions.
 */
import type { Estate } from '../assess/estate.js';
import type { Decisions } from '../model/decision.js';
import { UsermigError } from '../model/errors.js';
import { desiredState } from '../plan/desired-state.js';
import type { CurrentCloud, Operation } from '../plan/operations.js';
import { parseVia } from '../targets/cloud-writer.js';
import { readCloud } from '../targets/cloud-view.js';
import { openTarget } from '../targets/target.js';
import type { Db, Workspace } from '../workspace/workspace.js';
import { planScopeMembers, planScopes } from '../workspace/scope-store.js';
import { computeReport, redactTarget, type AppliedPlanRow, type LedgerRow, type Report } from './outcomes.js';

export function readLedger(db: Db): LedgerRow[] {
  const rows = db.prepare('SELECT plan_id, seq, operation, state, cloud_id, detail, updated_at FROM ledger ORDER BY plan_id, seq').all() as Array<{
    plan_id: string;
    seq: number;
    operation: string;
    state: string;
    cloud_id: string | null;
    detail: string | null;
    updated_at: string;
  }>;
  return rows.map((row) => {
    let operation: Operation;
    try {
      operation = JSON.parse(row.operation) as Operation;
    } catch {
      throw new UsermigError('workspace', `the ledger row ${row.plan_id}#${row.seq} does not hold an operation; the workspace is damaged`);
    }
    return { planId: row.plan_id, seq: row.seq, operation, state: row.state, cloudId: row.cloud_id, detail: row.detail ?? '', updatedAt: row.updated_at };
  });
}

export function readApplies(db: Db): AppliedPlanRow[] {
  const rows = db.prepare('SELECT plan_id, started_at, finished_at, target, via, summary FROM applied_plans ORDER BY started_at, plan_id').all() as Array<{
    plan_id: string;
    started_at: string;
    finished_at: string | null;
    target: string;
    via: string;
    summary: string;
  }>;
  return rows.map((row) => {
    let summary: Record<string, number> = {};
    try {
      summary = JSON.parse(row.summary) as Record<string, number>;
    } catch {
      summary = {};
    }
    return { planId: row.plan_id, startedAt: row.started_at, finishedAt: row.finished_at, target: row.target, via: parseVia(row.via), summary };
  });
}

/** Reads the ledger, the applies and the cloud of the last apply, and computes the report. */
export async function buildReport(
  { workspace, estate, decisions }: { workspace: Workspace; estate: Estate; decisions: Decisions },
  workspaceDir: string,
): Promise<Report> {
  const ledger = readLedger(workspace.db);
  const applies = readApplies(workspace.db);
  const last = applies[applies.length - 1];
  let cloud: CurrentCloud | null = null;
  let targetLabel: string | undefined;
  if (last) {
    // The cloud as the last apply wrote it (SCIM, or the organization API), from the workspace's record
    // when the cloud's totals still match it.
    const target = await openTarget(last.target, workspaceDir, undefined, last.via);
    try {
      cloud = (await readCloud(workspace.db, target)).state;
      targetLabel = last.target === 'local' ? target.label : redactTarget(target.label);
    } finally {
      await target.close();
    }
  }
  return computeReport({
    estate,
    decisions,
    desired: desiredState(estate, decisions),
    ledger,
    applies,
    cloud,
    ...(targetLabel ? { targetLabel } : {}),
    waves: {
      scopes: new Map(planScopes(workspace.db).map((scope) => [scope.planId, scope])),
      members: planScopeMembers(
        workspace.db,
        applies.map((apply) => apply.planId),
      ),
    },
    generatedAt: new Date().toISOString(),
  });
}
