/**
 * Writes a source's snapshot. A re-scan replaces the source's previous snapshot in one transaction: if
 * the reader fails, or the process is killed, the previous snapshot stays exactly as it was.
 */
import type { SnapshotSink, SourceSpec } from '../model/snapshot.js';
import { IdList } from './id-list.js';
import { SNAPSHOT_TABLES } from './schema.js';
import type { Db, Workspace } from './workspace.js';

export interface SourceRow {
  id: number;
  name: string;
  kind: string;
  location: string;
  product: string;
  scannedAt: string;
  stats: Record<string, number>;
}

export type ScanCounts = Record<string, number>;

export function listSources(db: Db): SourceRow[] {
  const rows = db
    .prepare('SELECT id, name, kind, location, product, scanned_at AS scannedAt, stats FROM sources ORDER BY id')
    .all() as Array<Omit<SourceRow, 'stats'> & { stats: string }>;
  return rows.map((row) => ({ ...row, stats: JSON.parse(row.stats) as Record<string, number> }));
}

/**
 * Runs `read` with a sink that writes into the workspace, replacing the snapshot of `spec.name`.
 * Returns the counts of records written.
 */
export async function replaceSnapshot(
  workspace: Workspace,
  spec: SourceSpec,
  read: (sink: SnapshotSink) => Promise<void>,
): Promise<ScanCounts> {
  const db = workspace.db;
  db.exec('BEGIN IMMEDIATE');
  try {
    const sourceId = upsertSource(db, spec);
    for (const table of SNAPSHOT_TABLES) db.prepare(`DELETE FROM ${table} WHERE source_id = ?`).run(sourceId);
    const { sink, counts, flush } = sqlSink(db, sourceId);
    await read(sink);
    flush();
    resolvePlaces(db, sourceId);
    db.prepare('UPDATE sources SET stats = ?, scanned_at = ? WHERE id = ?').run(
      JSON.stringify(counts),
      new Date().toISOString(),
      sourceId,
    );
    db.exec('COMMIT');
    return counts;
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

function upsertSource(db: Db, spec: SourceSpec): number {
  const existing = db.prepare('SELECT id FROM sources WHERE name = ?').get(spec.name) as { id: number } | undefined;
  if (existing) {
    db.prepare('UPDATE sources SET kind = ?, location = ?, product = ? WHERE id = ?').run(
      spec.kind,
      spec.location,
      spec.product,
      existing.id,
    );
    return existing.id;
  }
  const result = db
    .prepare('INSERT INTO sources (name, kind, location, product, scanned_at) VALUES (?, ?, ?, ?, ?)')
    .run(spec.name, spec.kind, spec.location, spec.product, new Date().toISOString());
  return Number(result.lastInsertRowid);
}

/**
 * Names are interned per source (lower-cased), and memberships are gathered per group and directory as
 * lists of name ids, written once the source has streamed: a million memberships become a few thousand
 * rows. The lists grow with memberships (4 bytes each), never with the size of the backup.
 */
function sqlSink(db: Db, sourceId: number): { sink: SnapshotSink; counts: ScanCounts; flush: () => void } {
  const counts: ScanCounts = {
    directories: 0,
    users: 0,
    userKeys: 0,
    groups: 0,
    memberships: 0,
    grants: 0,
    containers: 0,
    references: 0,
  };
  const insert = {
    directory: db.prepare('INSERT INTO directories VALUES (?, ?, ?, ?, ?, ?)'),
    name: db.prepare('INSERT INTO names VALUES (?, ?, ?)'),
    user: db.prepare('INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
    userKey: db.prepare('INSERT INTO user_keys VALUES (?, ?, ?)'),
    group: db.prepare('INSERT INTO groups VALUES (?, ?, ?, ?)'),
    membership: db.prepare('INSERT INTO memberships VALUES (?, ?, ?, ?, ?)'),
    grant: db.prepare('INSERT INTO grants VALUES (?, ?, ?, ?, ?, ?)'),
    container: db.prepare('INSERT INTO containers VALUES (?, ?, ?, ?, ?)'),
    place: db.prepare('INSERT INTO places VALUES (?, ?, ?, ?, ?)'),
    reference: db.prepare('INSERT INTO refs VALUES (?, ?, ?, ?, ?, ?, ?)'),
  };
  const nameIds = new Map<string, number>(); // lower-case name → id
  const spellings = new Map<string, number>(); // name as written → id: spares lower-casing on every membership
  const intern = (name: string): number => {
    let id = spellings.get(name);
    if (id !== undefined) return id;
    const lower = name.toLowerCase();
    id = nameIds.get(lower);
    if (id === undefined) {
      id = nameIds.size;
      nameIds.set(lower, id);
      insert.name.run(sourceId, id, lower);
    }
    spellings.set(name, id);
    return id;
  };
  type Members = { users: IdList; groups: IdList };
  const members = new Map<string, Map<number, Members>>(); // directory → parent name id → members
  const sink: SnapshotSink = {
    directory(r) {
      counts.directories!++;
      insert.directory.run(sourceId, r.id, r.name, r.position, r.active ? 1 : 0, r.type);
    },
    user(r) {
      counts.users!++;
      insert.user.run(sourceId, r.directoryId, r.userName, intern(r.userName), r.active ? 1 : 0, r.displayName, r.email, r.updated);
    },
    userKey(r) {
      counts.userKeys!++;
      insert.userKey.run(sourceId, r.userKey, r.lowerUserName);
    },
    group(r) {
      counts.groups!++;
      insert.group.run(sourceId, r.directoryId, r.name, intern(r.name));
    },
    membership(r) {
      counts.memberships!++;
      const parentId = intern(r.parent);
      let byParent = members.get(r.directoryId);
      if (!byParent) members.set(r.directoryId, (byParent = new Map()));
      let list = byParent.get(parentId);
      if (!list) byParent.set(parentId, (list = { users: new IdList(), groups: new IdList() }));
      (r.childIsGroup ? list.groups : list.users).push(intern(r.child));
    },
    grant(r) {
      counts.grants!++;
      insert.grant.run(sourceId, r.subjectType, r.subject, r.permission, r.scope, r.scopeKey);
    },
    container(r) {
      counts.containers!++;
      insert.container.run(sourceId, r.kind, r.key, r.name, r.ref ?? null);
    },
    place(r) {
      insert.place.run(sourceId, r.ref, r.containerRef, r.item, r.parentRef ?? null);
    },
    reference(r) {
      counts.references!++;
      insert.reference.run(
        sourceId,
        r.userKey,
        r.kind,
        r.container ?? null,
        r.containerRef ?? null,
        r.item ?? null,
        r.itemRef ?? null,
      );
    },
  };
  const flush = () => {
    for (const [directoryId, byParent] of members) {
      for (const [parentId, list] of byParent) {
        insert.membership.run(sourceId, directoryId, parentId, list.users.toBuffer(), list.groups.toBuffer());
      }
    }
    members.clear();
  };
  return { sink, counts, flush };
}

/** Resolves the internal ids that readers used (PlaceRecord) into container keys and item names. */
function resolvePlaces(db: Db, sourceId: number): void {
  // A place that inherits its container from a parent place (a comment on a page).
  db.prepare(
    `UPDATE places SET container_ref = parent.container_ref
       FROM places AS parent
      WHERE places.source_id = @source AND places.container_ref = '' AND places.parent_ref IS NOT NULL
        AND parent.ref = places.parent_ref AND parent.source_id = @source`,
  ).run({ source: sourceId });
  db.prepare(
    `UPDATE refs SET container_ref = p.container_ref, item = p.item
       FROM places AS p
      WHERE refs.source_id = @source AND refs.item_ref IS NOT NULL AND p.ref = refs.item_ref AND p.source_id = @source`,
  ).run({ source: sourceId });
  db.prepare(
    `UPDATE refs SET container = c.key, item = replace(refs.item, '{key}', c.key)
       FROM containers AS c
      WHERE refs.source_id = @source AND refs.container IS NULL AND refs.container_ref IS NOT NULL
        AND c.ref = refs.container_ref AND c.source_id = @source`,
  ).run({ source: sourceId });
  db.prepare(`UPDATE refs SET container = '' WHERE source_id = @source AND container IS NULL`).run({ source: sourceId });
  db.prepare(`UPDATE refs SET item = '' WHERE source_id = @source AND item IS NULL`).run({ source: sourceId });
  db.prepare('DELETE FROM places WHERE source_id = @source').run({ source: sourceId });
}
