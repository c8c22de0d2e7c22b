/**
 * The I/O edge of scoping (src/scope): reads what a scope needs from the workspace, and records the scope
 * of each plan (the waves of the report).
 *
 * References are many (millions in a large estate) and a scope needs those of a few projects or spaces.
 * So that finding them is an index lookup, the references of each source are summarised once per scan
 * into `ref_summary`: one row per container, user and kind, with a count and the rowid of one reference
 * (for an example such as "APO-12"). The summary is built on first use after a scan, without touching
 * the scan itself, and rebuilt when the source's `scanned_at` changes.
 */
import type { ScopeData, ReferenceRow, SourceScopeData } from '../scope/scope-data.js';
import type { Db } from './workspace.js';

interface SourceRow {
  id: number;
  name: string;
  scanned_at: string;
}

/** Builds the reference summary of every source whose summary is missing or older than its scan. */
export function ensureReferenceSummary(db: Db, onBuild?: (source: string) => void): void {
  const sources = db.prepare('SELECT id, name, scanned_at FROM sources ORDER BY id').all() as SourceRow[];
  const built = db.prepare('SELECT scanned_at FROM ref_summary_sources WHERE source_id = ?').pluck();
  for (const source of sources) {
    if (built.get(source.id) === source.scanned_at) continue;
    onBuild?.(source.name);
    db.transaction(() => {
      db.prepare('DELETE FROM ref_summary WHERE source_id = ?').run(source.id);
      db.prepare(
        `INSERT INTO ref_summary (source_id, container, user_key, kind, count, first_ref)
         SELECT ?, container, user_key, kind, count(*), min(ref_id) FROM resolved_refs WHERE source_id = ?
         GROUP BY container, user_key, kind`,
      ).run(source.id, source.id);
      db.prepare('INSERT OR REPLACE INTO ref_summary_sources (source_id, scanned_at) VALUES (?, ?)').run(source.id, source.scanned_at);
    })();
  }
  // Summaries of sources that no longer exist.
  db.prepare('DELETE FROM ref_summary WHERE source_id NOT IN (SELECT id FROM sources)').run();
  db.prepare('DELETE FROM ref_summary_sources WHERE source_id NOT IN (SELECT id FROM sources)').run();
}

/** What a scope over these containers needs from the workspace: see ScopeData. */
export interface ScopeRequest {
  /** Per source name: the container keys (any case) whose references to load. */
  containers: (source: SourceScopeData) => string[];
}

function examples(db: Db, rows: Array<{ first_ref: number }>): Map<number, string> {
  const item = db.prepare('SELECT item FROM resolved_refs WHERE ref_id = ?').pluck();
  const result = new Map<number, string>();
  for (const row of rows) if (!result.has(row.first_ref)) result.set(row.first_ref, (item.get(row.first_ref) as string | undefined) ?? '');
  return result;
}

const toReference = (example: Map<number, string>) => (row: { user_key: string; kind: string; container: string; count: number; first_ref: number }): ReferenceRow => ({
  userKey: row.user_key,
  kind: row.kind,
  container: row.container,
  count: row.count,
  example: example.get(row.first_ref) ?? '',
});

/**
 * Loads, per source, its containers, the permission scheme of each Jira project, and the references in
 * the containers `request` names. Builds the reference summary first when needed.
 */
export function loadScopeData(db: Db, request: ScopeRequest, onBuild?: (source: string) => void): ScopeData {
  ensureReferenceSummary(db, onBuild);
  const sources = db.prepare('SELECT id, name, scanned_at FROM sources ORDER BY id').all() as SourceRow[];
  const result: ScopeData = { sources: new Map() };
  for (const source of sources) {
    const containers = db.prepare('SELECT kind, key, name FROM containers WHERE source_id = ?').all(source.id) as SourceScopeData['containers'];
    const schemes = db
      .prepare(
        `SELECT c.key, p.item FROM places AS p JOIN containers AS c ON c.source_id = p.source_id AND c.ref = p.container_ref
          WHERE p.source_id = ? AND p.ref >= 'permission-scheme:' AND p.ref < 'permission-scheme;'`,
      )
      .raw()
      .all(source.id) as Array<[string, string]>;
    const data: SourceScopeData = { source: source.name, containers, projectSchemes: new Map(schemes), references: [] };
    const wanted = [...new Set(request.containers(data))];
    if (wanted.length > 0) {
      const select = db.prepare('SELECT user_key, kind, container, count, first_ref FROM ref_summary WHERE source_id = ? AND container = ?');
      const rows = wanted.flatMap((key) => select.all(source.id, key) as Array<{ user_key: string; kind: string; container: string; count: number; first_ref: number }>);
      data.references = rows.map(toReference(examples(db, rows)));
    }
    result.sources.set(source.name, data);
  }
  return result;
}

/** Every reference to one user of one source, summarised per container and kind (for `explain`). */
export function loadUserReferences(db: Db, sourceName: string, userKeys: readonly string[]): ReferenceRow[] {
  const id = db.prepare('SELECT id FROM sources WHERE name = ?').pluck().get(sourceName) as number | undefined;
  if (id === undefined) return [];
  const select = db.prepare('SELECT user_key, kind, container, count, first_ref FROM ref_summary WHERE source_id = ? AND user_key = ?');
  const rows = [...new Set(userKeys)].flatMap(
    (key) => select.all(id, key) as Array<{ user_key: string; kind: string; container: string; count: number; first_ref: number }>,
  );
  return rows.map(toReference(examples(db, rows)));
}

// --- the scope of each plan ----------------------------------------------------------------------------

export interface PlanScopeRecord {
  planId: string;
  createdAt: string;
  /** The scope specs as given (`['all']` for an unscoped plan). */
  specs: string[];
  summary: Record<string, unknown>;
}

export interface PlanScopeMember {
  source: string;
  userKey: string;
  userName: string;
  /** `direct`, `via-group`, `same-account`, `customer`, `former-user` or `skipped`. */
  status: string;
  reasons: string[];
}

/** Records a plan's scope and its members (replacing an earlier record of the same plan). */
export function recordPlanScope(db: Db, record: PlanScopeRecord, members: readonly PlanScopeMember[]): void {
  db.transaction(() => {
    db.prepare('DELETE FROM plan_scope_members WHERE plan_id = ?').run(record.planId);
    db.prepare('INSERT OR REPLACE INTO plan_scopes (plan_id, created_at, scope, summary) VALUES (?, ?, ?, ?)').run(
      record.planId,
      record.createdAt,
      JSON.stringify(record.specs),
      JSON.stringify(record.summary),
    );
    const insert = db.prepare('INSERT OR REPLACE INTO plan_scope_members (plan_id, source, user_key, user_name, status, reasons) VALUES (?, ?, ?, ?, ?, ?)');
    for (const member of members) insert.run(record.planId, member.source, member.userKey, member.userName, member.status, JSON.stringify(member.reasons));
  })();
}

/** Every recorded plan scope, oldest first. */
export function planScopes(db: Db): PlanScopeRecord[] {
  const rows = db.prepare('SELECT plan_id, created_at, scope, summary FROM plan_scopes ORDER BY created_at, plan_id').all() as Array<{
    plan_id: string;
    created_at: string;
    scope: string;
    summary: string;
  }>;
  return rows.map((row) => ({
    planId: row.plan_id,
    createdAt: row.created_at,
    specs: JSON.parse(row.scope) as string[],
    summary: JSON.parse(row.summary) as Record<string, unknown>,
  }));
}

/** The members recorded for some plans: plan id → (source \0 user key) → member. */
export function planScopeMembers(db: Db, planIds: readonly string[]): Map<string, Map<string, PlanScopeMember>> {
  const select = db.prepare('SELECT source, user_key, user_name, status, reasons FROM plan_scope_members WHERE plan_id = ?');
  const result = new Map<string, Map<string, PlanScopeMember>>();
  for (const planId of planIds) {
    const members = new Map<string, PlanScopeMember>();
    for (const row of select.all(planId) as Array<{ source: string; user_key: string; user_name: string; status: string; reasons: string }>) {
      members.set(`${row.source}\u0000${row.user_key}`, {
        source: row.source,
        userKey: row.user_key,
        userName: row.user_name,
        status: row.status,
        reasons: JSON.parse(row.reasons) as string[],
      });
    }
    result.set(planId, members);
  }
  return result;
}
