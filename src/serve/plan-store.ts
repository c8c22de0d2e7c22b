/**
 * The plans the dashboard knows: WORKSPACE/plan.json (where `usermig plan` saves the plan `usermig apply`
 * runs), and a copy of every plan the dashboard made in WORKSPACE/plans/ID.json so that earlier ones stay
 * listed. Plans are found by id.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readPlanFile, writePlanFile, type PlanFile } from '../plan/plan-file.js';
import type { Db } from '../workspace/workspace.js';
import { notFound } from './api-error.js';

const PLAN_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,100}$/;

export const currentPlanFile = (workspaceDir: string): string => path.join(workspaceDir, 'plan.json');
const plansDir = (workspaceDir: string): string => path.join(workspaceDir, 'plans');

/** Keeps a copy of a saved plan under its id. */
export function keepPlan(workspaceDir: string, plan: PlanFile): void {
  fs.mkdirSync(plansDir(workspaceDir), { recursive: true });
  writePlanFile(plan, path.join(plansDir(workspaceDir), `${plan.id}.json`));
}

function readIfPlan(file: string): PlanFile | undefined {
  if (!fs.existsSync(file)) return undefined;
  try {
    return readPlanFile(file);
  } catch {
    return undefined;
  }
}

/** Every known plan, newest first; `current` marks the one in plan.json. */
export function listPlans(workspaceDir: string): Array<{ plan: PlanFile; current: boolean }> {
  const current = readIfPlan(currentPlanFile(workspaceDir));
  const plans = new Map<string, PlanFile>();
  let names: string[] = [];
  try {
    names = fs.readdirSync(plansDir(workspaceDir)).filter((name) => name.endsWith('.json'));
  } catch {
    names = [];
  }
  for (const name of names) {
    const plan = readIfPlan(path.join(plansDir(workspaceDir), name));
    if (plan) plans.set(plan.id, plan);
  }
  if (current) plans.set(current.id, current);
  return [...plans.values()]
    .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0))
    .map((plan) => ({ plan, current: plan.id === current?.id }));
}

/** A plan by id, and its file: plan.json when it is the current one, else its copy. */
export function findPlan(workspaceDir: string, id: string): { plan: PlanFile; file: string } {
  if (!PLAN_ID.test(id)) throw notFound(`"${id}" is not a plan id`);
  const currentFile = currentPlanFile(workspaceDir);
  const current = readIfPlan(currentFile);
  if (current?.id === id) return { plan: current, file: currentFile };
  const keptFile = path.join(plansDir(workspaceDir), `${id}.json`);
  const kept = readIfPlan(keptFile);
  if (kept) return { plan: kept, file: keptFile };
  throw notFound(`no plan ${id} in the workspace; POST /api/plans makes one`);
}

export function isApplied(db: Db, id: string): boolean {
  return (db.prepare('SELECT count(*) FROM applied_plans WHERE plan_id = ? AND finished_at IS NOT NULL').pluck().get(id) as number) > 0;
}
