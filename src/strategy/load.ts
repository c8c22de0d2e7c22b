/**
 * The I/O edge of the strategy: what computeStrategy needs from the workspace besides the estate and the
 * decisions — the sources' directories and containers, the references per project and space (only when
 * waves are worth suggesting), the applies, the ledger, the saved plan and the report.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readPlanFile, workspaceFingerprint } from '../plan/plan-file.js';
import { loadScopeData } from '../workspace/scope-store.js';
import { planScopes } from '../workspace/scope-store.js';
import type { Db } from '../workspace/workspace.js';
import type { ContainerUsage, JourneyState, SourceInfo } from './types.js';

export function loadSourceInfo(db: Db): SourceInfo[] {
  const sources = db.prepare('SELECT id, name, kind, product FROM sources ORDER BY id').all() as Array<{ id: number; name: string; kind: string; product: string }>;
  const directories = db.prepare('SELECT dir_id AS id, name, type, active FROM directories WHERE source_id = ? ORDER BY position, dir_id');
  const groups = db.prepare('SELECT dir_id, name FROM groups WHERE source_id = ?').raw();
  const containers = db.prepare('SELECT kind, count(*) FROM containers WHERE source_id = ? GROUP BY kind').raw();
  return sources.map((source) => {
    const groupsByDirectory = new Map<string, Set<string>>();
    for (const [dir, name] of groups.all(source.id) as Array<[string, string]>) {
      const set = groupsByDirectory.get(dir) ?? new Set<string>();
      set.add(name.toLowerCase());
      groupsByDirectory.set(dir, set);
    }
    return {
      name: source.name,
      kind: source.kind,
      product: source.product,
      directories: (directories.all(source.id) as Array<{ id: string; name: string; type: string; active: number }>).map((d) => ({ ...d, active: d.active === 1 })),
      groupsByDirectory,
      containers: Object.fromEntries(containers.all(source.id) as Array<[string, number]>),
    };
  });
}

/** Per source, the user keys the data of each Jira project and Confluence space names. */
export function loadContainerUsage(db: Db): ContainerUsage {
  const data = loadScopeData(db, {
    containers: (source) => source.containers.filter((c) => c.kind === 'jira-project' || c.kind === 'confluence-space').map((c) => c.key),
  });
  const usage: ContainerUsage = new Map();
  for (const [name, source] of data.sources) {
    const byKey = new Map<string, Set<string>>();
    for (const row of source.references) {
      if (row.container === '') continue;
      const set = byKey.get(row.container) ?? new Set<string>();
      set.add(row.userKey);
      byKey.set(row.container, set);
    }
    usage.set(name, byKey);
  }
  return usage;
}

export function loadJourneyState(db: Db, workspaceDir: string): JourneyState {
  const applies = db.prepare('SELECT plan_id, started_at, finished_at, target, summary FROM applied_plans ORDER BY started_at, plan_id').all() as Array<{
    plan_id: string;
    started_at: string;
    finished_at: string | null;
    target: string;
    summary: string;
  }>;
  const scopes = planScopes(db);
  const specsOf = new Map(scopes.map((s) => [s.planId, s.specs]));
  const ledger = { done: 0, failed: 0, intent: 0 };
  for (const [state, total] of db.prepare('SELECT state, count(*) FROM ledger GROUP BY state').raw().all() as Array<[string, number]>) {
    if (state === 'done' || state === 'failed' || state === 'intent') ledger[state] = total;
  }
  const state: JourneyState = {
    applies: applies.map((a) => ({
      planId: a.plan_id,
      startedAt: a.started_at,
      finishedAt: a.finished_at,
      target: a.target,
      specs: specsOf.get(a.plan_id) ?? ['all'],
      summary: safeJson(a.summary),
    })),
    ledger,
    scopes: scopes.map((s) => ({ planId: s.planId, specs: s.specs, summary: s.summary })),
  };
  const planFile = path.join(workspaceDir, 'plan.json');
  if (fs.existsSync(planFile)) {
    try {
      const plan = readPlanFile(planFile);
      const applied = applies.some((a) => a.plan_id === plan.id && a.finished_at !== null);
      state.lastPlan = { id: plan.id, createdAt: plan.createdAt, writes: plan.summary.writes, applied, current: plan.workspaceFingerprint === workspaceFingerprint(db) };
    } catch {
      // A damaged or foreign plan file says nothing about the journey.
    }
  }
  const reportDir = path.join(workspaceDir, 'report');
  if (fs.existsSync(reportDir)) {
    const files = fs
      .readdirSync(reportDir)
      .map((name) => ({ file: path.join(reportDir, name), at: fs.statSync(path.join(reportDir, name)).mtime }))
      .sort((a, b) => b.at.getTime() - a.at.getTime());
    if (files[0]) state.report = { file: files[0].file, writtenAt: files[0].at.toISOString() };
  }
  return state;
}

function safeJson(text: string): Record<string, number> {
  try {
    return JSON.parse(text) as Record<string, number>;
  } catch {
    return {};
  }
}
