/**
 * The Plan page: POST /api/plans (plan as `usermig plan` does, save it where it saves it), GET /api/plans,
 * GET /api/plans/:id (with the diff) and GET /api/plans/:id/operations (paged, by kind).
 */
import type { Hono } from 'hono';
import { usageError } from '../../model/errors.js';
import { planAndSave } from '../../plan/plan-and-save.js';
import { planDiff } from '../../plan/plan-diff.js';
import type { PlanFile } from '../../plan/plan-file.js';
import { scopeLines } from '../../scope/describe.js';
import type { OperationKind, PlanListRow, PlanMade, PlanOperation, PlanOperationRow, PlanRefused } from '../api-types.js';
import { conflict } from '../api-error.js';
import type { ServeContext } from '../context.js';
import { choiceQuery, jsonBody, optionalBoolean, optionalString, page, paging } from '../paging.js';
import { currentPlanFile, findPlan, isApplied, keepPlan, listPlans } from '../plan-store.js';

const KINDS: readonly OperationKind[] = ['change-email', 'create-account', 'create-group', 'add-members', 'remove-members'];

const scopeOf = (plan: PlanFile): string[] => plan.scope?.specs ?? ['all'];

export function planMade(ctx: ServeContext, plan: PlanFile, notes: string[], file: string): PlanMade {
  const scope = plan.scope;
  return {
    id: plan.id,
    createdAt: plan.createdAt,
    target: plan.target,
    scope: scopeOf(plan),
    summary: plan.summary,
    notes,
    diff: planDiff(plan),
    ...(scope
      ? {
          scopeSection: {
            specs: scope.specs,
            groupMembers: scope.groupMembers,
            summary: scope.summary,
            customers: scope.customers.length,
            formerUsers: scope.formerUsers.length,
            notes: scope.notes,
            lines: scopeLines(plan),
          },
        }
      : {}),
    applied: isApplied(ctx.live.db, plan.id),
    file,
  };
}

/** The operation as the page shows it (without the source keys apply records). */
function operationView(operation: PlanFile['operations'][number]): PlanOperation {
  switch (operation.kind) {
    case 'create-account':
      return { kind: operation.kind, email: operation.email, displayName: operation.displayName, reasons: operation.reasons };
    case 'change-email':
      return { kind: operation.kind, from: operation.from, email: operation.email, displayName: operation.displayName, reasons: operation.reasons, keepsGroups: operation.keepsGroups };
    default:
      return operation;
  }
}

function scopeSpecs(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  if (!list.every((item) => typeof item === 'string')) throw usageError('scope must be a string or an array of strings (as --scope)');
  return (list as string[]).filter((spec) => spec.trim() !== '' && spec.trim() !== 'all');
}

export function plansRoutes(app: Hono, ctx: ServeContext): void {
  app.post('/api/plans', async (c) => {
    const body = await jsonBody(c);
    const target = optionalString(body, 'target') ?? ctx.target;
    const scope = scopeSpecs(body.scope);
    const groupMembers = optionalString(body, 'groupMembers');
    const refresh = optionalBoolean(body, 'refresh') ?? false;
    if (ctx.runner.busy()) throw conflict('an apply is running; make the plan when it is done');
    const file = currentPlanFile(ctx.workspaceDir);
    const saved = await planAndSave(ctx.live.workspace, () => ctx.live.current(), { target, refresh, scope, ...(groupMembers !== undefined ? { groupMembers } : {}), file });
    if ('refused' in saved) {
      const refused: PlanRefused = { id: null, target, scope: scope.length > 0 ? scope : ['all'], refused: saved.refused, notes: saved.notes };
      return c.json(refused);
    }
    keepPlan(ctx.workspaceDir, saved.plan);
    return c.json(planMade(ctx, saved.plan, saved.notes, saved.file));
  });

  app.get('/api/plans', (c) => {
    const rows: PlanListRow[] = listPlans(ctx.workspaceDir).map(({ plan, current }) => ({
      id: plan.id,
      createdAt: plan.createdAt,
      target: plan.target,
      scope: scopeOf(plan),
      summary: plan.summary,
      applied: isApplied(ctx.live.db, plan.id),
      current,
    }));
    return c.json(page(rows, paging(c)));
  });

  app.get('/api/plans/:id', (c) => {
    const { plan, file } = findPlan(ctx.workspaceDir, c.req.param('id'));
    return c.json(planMade(ctx, plan, [], file));
  });

  app.get('/api/plans/:id/operations', (c) => {
    const { plan } = findPlan(ctx.workspaceDir, c.req.param('id'));
    const kind = choiceQuery(c, 'kind', KINDS);
    const rows: PlanOperationRow[] = [];
    plan.operations.forEach((operation, index) => {
      if (kind === undefined || operation.kind === kind) rows.push({ ...operationView(operation), index });
    });
    return c.json(page(rows, paging(c)));
  });
}
