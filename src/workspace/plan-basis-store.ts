/**
 * The last plan basis the workspace computed, under its key: the workspace fingerprint (every scan and
 * every decision changes it), the scope and the version of usermig. Only one is kept.
 */
import type { PlanBasis } from '../plan/plan-basis.js';
import type { Db } from './workspace.js';

export function loadPlanBasis(db: Db, key: string): { basis: PlanBasis; savedAt: string } | undefined {
  const row = db.prepare('SELECT saved_at, basis FROM plan_bases WHERE key = ?').get(key) as { saved_at: string; basis: string } | undefined;
  return row ? { basis: JSON.parse(row.basis) as PlanBasis, savedAt: row.saved_at } : undefined;
}

export function savePlanBasis(db: Db, key: string, basis: PlanBasis): void {
  db.transaction(() => {
    db.prepare('DELETE FROM plan_bases').run();
    db.prepare('INSERT INTO plan_bases (key, saved_at, basis) VALUES (?, ?, ?)').run(key, new Date().toISOString(), JSON.stringify(basis));
  })();
}
