/**
 * The I/O edge of scoping (src/scope): reads what a scope needs from the workspace, and records the scope
 * of each plan (the waves of the report).
 *
 * References are many (millions in a large estate) and a scope needs those of a few projects or spaces.
 * A reference's container is resolved through the places the readers recorded (the resolved_refs view),
 * so no index of the snapshot finds them by container; and one per scan would slow every scan. So, once
 * per scan, on first use, `container_refs` records per source and container key the rowids of its
 * references: one pass over the references in rowid order, their containers resolved in memory (a few
 * seconds at 5 M references, where an INSERT … SELECT … GROUP BY over the view took minutes). A scope
 * then reads its containers' references by rowid, counted per user and kind in SQL. `explain` reads one
 * user's references through the snapshot's index by user (refs_user, built on first use).
 */
import { ensureRefsByUserIndex } from './schema.js';
import type { ScopeData, ReferenceRow, SourceScopeData } from '../scope/scope-data.js';
import type { Db } from './workspace.js';

interface SourceRow {
  id: number;
  name: string;
  scanned_at: string;
}

/** The span of rowids of the references read per statement while building container_refs. */
const CHUNK = 250_000;
// Separators of the text SQLite hands over: as in the snapshot writer's batches, the sources' text cannot
// contain them.
const LINE = '\u0001';
const FIELD = '\u0002';
const DIGIT_0 = 48;
const DIGIT_9 = 57;

/**
 * The value of the decimal digits of text[from, to) when they spell a number as JSON would (no sign, no
 * leading zero, at most 15 digits), else -1.
 */
function canonicalNumber(text: string, from: number, to: number): number {
  const length = to - from;
  if (length < 1 || length > 15 || (length > 1 && text.charCodeAt(from) === DIGIT_0)) return -1;
  let value = 0;
  for (let i = from; i < to; i++) {
    const code = text.charCodeAt(i);
    if (code < DIGIT_0 || code > DIGIT_9) return -1;
    value = value * 10 + (code - DIGIT_0);
  }
  return value;
}

/**
 * Place ref → the number of its container key. Readers name places `kind:id` (issue:10432, page:98304):
 * those are looked up by kind and number, in an array when the numbers are dense (millions of string
 * lookups in a Map take seconds; as many array reads take milliseconds); any other ref by its text.
 */
class PlaceIndex {
  private readonly byKind = new Map<string, Int32Array | Map<number, number>>();
  private readonly byText = new Map<string, number>();
  private lastKind = '';
  private lastTable: Int32Array | Map<number, number> | undefined;

  constructor(entries: Array<{ ref: string; key: number }>) {
    const numbered = new Map<string, Array<{ id: number; key: number }>>();
    for (const { ref, key } of entries) {
      const colon = ref.indexOf(':');
      const id = colon < 0 ? -1 : canonicalNumber(ref, colon + 1, ref.length);
      if (id < 0) {
        if (!this.byText.has(ref)) this.byText.set(ref, key);
        continue;
      }
      const kind = ref.slice(0, colon);
      const list = numbered.get(kind);
      if (list) list.push({ id, key });
      else numbered.set(kind, [{ id, key }]);
    }
    for (const [kind, list] of numbered) {
      let max = 0;
      for (const { id } of list) if (id > max) max = id;
      // The first place of a ref wins, as in a Map.
      if (max < 1 << 24 && max < 16 * list.length) {
        const table = new Int32Array(max + 1).fill(-1);
        for (const { id, key } of list) if (table[id] === -1) table[id] = key;
        this.byKind.set(kind, table);
      } else {
        const table = new Map<number, number>();
        for (const { id, key } of list) if (!table.has(id)) table.set(id, key);
        this.byKind.set(kind, table);
      }
    }
  }

  /** The container key number of the place whose ref is text[from, to), or -1. */
  lookup(text: string, from: number, to: number): number {
    const colon = text.indexOf(':', from);
    const id = colon < 0 || colon >= to ? -1 : canonicalNumber(text, colon + 1, to);
    if (id < 0) return this.byText.get(text.slice(from, to)) ?? -1;
    let table = this.lastTable;
    if (!(colon - from === this.lastKind.length && text.startsWith(this.lastKind, from)) || table === undefined) {
      this.lastKind = text.slice(from, colon);
      table = this.lastTable = this.byKind.get(this.lastKind);
      if (table === undefined) return -1;
    }
    const key = table instanceof Int32Array ? table[id] : table.get(id);
    return key ?? -1;
  }
}

/** Builds container_refs for one source: see the top of this file. */
function buildContainerRefs(db: Db, sourceId: number): void {
  // Container keys by number; the references of each number gathered in `buckets`.
  const keys: string[] = [];
  const keyNumbers = new Map<string, number>();
  const keyNumber = (key: string) => {
    let number = keyNumbers.get(key);
    if (number === undefined) {
      keyNumbers.set(key, (number = keys.length));
      keys.push(key);
    }
    return number;
  };
  const NO_CONTAINER = keyNumber('');
  const byRef = new Map<string, number>(); // container ref → key number
  for (const [ref, key] of db.prepare('SELECT ref, key FROM containers WHERE source_id = ? AND ref IS NOT NULL').raw().all(sourceId) as Array<[string, string]>) {
    if (!byRef.has(ref)) byRef.set(ref, keyNumber(key));
  }

  // Each place and its container, as resolved_refs resolves it: the place's container, or its parent
  // place's when it has none (a comment: its page's space). Places whose container is unknown are left
  // out: their references have the container ''.
  const entries: Array<{ ref: string; key: number }> = [];
  const placeTexts = [
    db.prepare(`SELECT group_concat(ref || char(2) || container_ref, char(1)) FROM places NOT INDEXED WHERE source_id = ? AND container_ref <> ''`),
    db.prepare(
      `SELECT group_concat(p.ref || char(2) || parent.container_ref, char(1)) FROM places AS p NOT INDEXED
         JOIN places AS parent ON parent.source_id = p.source_id AND parent.ref = p.parent_ref
        WHERE p.source_id = ? AND p.container_ref = ''`,
    ),
  ].map((statement) => statement.pluck().get(sourceId) as string | null);
  for (const text of placeTexts) {
    if (text === null) continue;
    for (const line of text.split(LINE)) {
      const field = line.indexOf(FIELD);
      const key = byRef.get(line.slice(field + 1));
      if (key !== undefined) entries.push({ ref: line.slice(0, field), key });
    }
  }
  const places = new PlaceIndex(entries);

  // One line per reference: its rowid, then what its container comes from: k and the container key the
  // reader recorded, c and the container's ref, p and the ref of its place, or nothing. Read in spans of
  // rowids, in rowid order (the table's own order: no index).
  const span = db.prepare('SELECT min(rowid), max(rowid) FROM refs').raw().get() as [number | null, number | null];
  const chunk = db
    .prepare(
      `SELECT group_concat(rowid || char(2) || CASE WHEN container IS NOT NULL THEN 'k' || container
                                                    WHEN container_ref IS NOT NULL THEN 'c' || container_ref
                                                    WHEN item_ref IS NOT NULL THEN 'p' || item_ref
                                                    ELSE '' END, char(1))
         FROM refs NOT INDEXED WHERE rowid >= ? AND rowid < ? AND source_id = ?`,
    )
    .pluck();
  const buckets: number[][] = [];
  for (let from = span[0] ?? 0; span[1] !== null && from <= span[1]; from += CHUNK) {
    const text = chunk.get(from, from + CHUNK, sourceId) as string | null;
    if (text === null) continue;
    for (let at = 0; at < text.length; ) {
      const field = text.indexOf(FIELD, at);
      let end = text.indexOf(LINE, field);
      if (end < 0) end = text.length;
      const digits = canonicalNumber(text, at, field);
      const id = digits >= 0 ? digits : Number(text.slice(at, field));
      const code = field + 1 < end ? text.charCodeAt(field + 1) : 0;
      let key = NO_CONTAINER;
      if (code === 0x70 /* p */) {
        const found = places.lookup(text, field + 2, end);
        if (found >= 0) key = found;
      } else if (code === 0x6b /* k */) key = keyNumber(text.slice(field + 2, end));
      else if (code === 0x63 /* c */) key = byRef.get(text.slice(field + 2, end)) ?? NO_CONTAINER;
      const bucket = buckets[key];
      if (bucket) bucket.push(id);
      else buckets[key] = [id];
      at = end + 1;
    }
  }
  const insert = db.prepare('INSERT INTO container_refs (source_id, container, ref_ids) VALUES (?, ?, ?)');
  buckets.forEach((ids, key) => insert.run(sourceId, keys[key], JSON.stringify(ids)));
}

/** Builds container_refs for every source whose record is missing or older than its scan. */
export function ensureContainerRefs(db: Db, onBuild?: (source: string) => void): void {
  const sources = db.prepare('SELECT id, name, scanned_at FROM sources ORDER BY id').all() as SourceRow[];
  const built = db.prepare('SELECT scanned_at FROM container_refs_sources WHERE source_id = ?').pluck();
  for (const source of sources) {
    if (built.get(source.id) === source.scanned_at) continue;
    onBuild?.(source.name);
    db.transaction(() => {
      db.prepare('DELETE FROM container_refs WHERE source_id = ?').run(source.id);
      buildContainerRefs(db, source.id);
      db.prepare('INSERT OR REPLACE INTO container_refs_sources (source_id, scanned_at) VALUES (?, ?)').run(source.id, source.scanned_at);
    })();
  }
  // Records of sources that no longer exist.
  db.prepare('DELETE FROM container_refs WHERE source_id NOT IN (SELECT id FROM sources)').run();
  db.prepare('DELETE FROM container_refs_sources WHERE source_id NOT IN (SELECT id FROM sources)').run();
}

/** What a scope over these containers needs from the workspace: see ScopeData. */
export interface ScopeRequest {
  /** Per source name: the container keys (any case) whose references to load. */
  containers: (source: SourceScopeData) => string[];
}

// With exactly one min() in the query, SQLite takes a bare column (item) from the row holding the minimum:
// the example is the item of the first reference.
const referenceRow = (row: [string, string, string, number, number, string]): ReferenceRow => ({
  userKey: row[0],
  kind: row[1],
  container: row[2],
  count: row[3],
  example: row[5] ?? '',
});

/**
 * The references in one container, counted per user and kind, each with the item of its first reference
 * as the example: what resolved_refs gives, without resolving every reference through the view. The
 * references come by rowid from container_refs; the items of their places are read once per place, in
 * the order of the index (a project's 25,000 references name a few thousand issues).
 */
function containerReferences(db: Db, sourceId: number, key: string): ReferenceRow[] {
  // With exactly one min() in the query, SQLite takes the bare columns from the row holding the minimum:
  // the first reference of each user and kind.
  const rows = db
    .prepare(
      `SELECT r.user_key, r.kind, count(*), min(r.rowid), r.item, r.item_ref, r.container IS NOT NULL
         FROM container_refs AS b, json_each(b.ref_ids) AS j JOIN refs AS r ON r.rowid = j.value
        WHERE b.source_id = ? AND b.container = ?
        GROUP BY r.user_key, r.kind ORDER BY r.user_key, r.kind`,
    )
    .raw()
    .all(sourceId, key) as Array<[string, string, number, number, string | null, string | null, number]>;
  const placeRefs = new Set<string>();
  for (const [, , , , item, itemRef, recorded] of rows) if (item === null && itemRef !== null && recorded === 0) placeRefs.add(itemRef);
  const placeItems = new Map<string, string>();
  if (placeRefs.size > 0) {
    const places = db
      .prepare('SELECT ref, item FROM places WHERE source_id = ? AND ref IN (SELECT value FROM json_each(?))')
      .raw()
      .all(sourceId, JSON.stringify([...placeRefs])) as Array<[string, string]>;
    for (const [ref, item] of places) if (!placeItems.has(ref)) placeItems.set(ref, item);
  }
  const viewItem = db.prepare('SELECT item FROM resolved_refs WHERE ref_id = ?').pluck();
  return rows.map(([userKey, kind, count, first, item, itemRef, recorded]) => {
    let example: string;
    // A container the reader recorded itself: the view's item depends on the container it resolves too.
    if (recorded !== 0) example = (viewItem.get(first) as string | undefined) ?? '';
    // Otherwise the container is this one: {key} in the item stands for it, as in the view.
    else example = (item ?? (itemRef === null ? undefined : placeItems.get(itemRef)) ?? '').split('{key}').join(key);
    return { userKey, kind, container: key, count, example };
  });
}

/**
 * Loads, per source, its containers, the permission scheme of each Jira project, and the references in
 * the containers `request` names, counted per user and kind. Builds container_refs first when needed.
 */
export function loadScopeData(db: Db, request: ScopeRequest, onBuild?: (source: string) => void): ScopeData {
  ensureContainerRefs(db, onBuild);
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
    if (wanted.length > 0) data.references = wanted.flatMap((key) => containerReferences(db, source.id, key));
    result.sources.set(source.name, data);
  }
  return result;
}

/** Every reference to one user of one source, counted per container and kind (for `explain`). */
export function loadUserReferences(db: Db, sourceName: string, userKeys: readonly string[]): ReferenceRow[] {
  const id = db.prepare('SELECT id FROM sources WHERE name = ?').pluck().get(sourceName) as number | undefined;
  if (id === undefined) return [];
  ensureRefsByUserIndex(db);
  const select = db
    .prepare(
      `SELECT user_key, kind, container, count(*), min(ref_id), item FROM resolved_refs
        WHERE source_id = ? AND user_key = ? GROUP BY container, kind ORDER BY container, kind`,
    )
    .raw();
  return [...new Set(userKeys)].flatMap((key) => (select.all(id, key) as Array<[string, string, string, number, number, string]>).map(referenceRow));
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
