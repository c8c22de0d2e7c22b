/**
 * Loads what assessment needs from the workspace: the snapshot rows of every source, in plain arrays.
 * This is the I/O edge; everything computed from these rows is pure (src/assess).
 */
import type { Product } from '../model/snapshot.js';
import { unpackIds } from './id-list.js';
import type { Db } from './workspace.js';

export interface SourceSnapshot {
  name: string;
  product: Product;
  kind: string;
  location: string;
  scannedAt: string;
  directories: Array<{ id: string; name: string; position: number; active: boolean; type: string }>;
  /** Name id → lower-case user or group name. */
  names: string[];
  /** [directoryId, userName, nameId, active, displayName, email, updated] */
  users: Array<[string, string, number, number, string, string, string]>;
  /** userKey → lower username */
  userKeys: Map<string, string>;
  /** [directoryId, name, nameId] */
  groups: Array<[string, string, number]>;
  /** Per group and directory: the name ids of member users and member groups. */
  memberships: Array<{ directoryId: string; parentId: number; users: Int32Array; groups: Int32Array }>;
  grants: Array<{ subjectType: 'group' | 'user'; subject: string; permission: string; scope: string; scopeKey: string }>;
  /** Per referenced user key: how many references and one example. */
  referencedKeys: Array<{ userKey: string; count: number; example: string }>;
  /** Saved filters and boards by owner key (boards and filters of inactive owners become private). */
  ownedObjects: Array<{ userKey: string; kind: string; item: string }>;
}

export interface EstateSnapshot {
  sources: SourceSnapshot[];
}

export function loadEstate(db: Db): EstateSnapshot {
  const sources = db.prepare('SELECT id, name, kind, location, product, scanned_at AS scannedAt FROM sources ORDER BY id').all() as Array<{
    id: number;
    name: string;
    kind: string;
    location: string;
    product: Product;
    scannedAt: string;
  }>;
  return { sources: sources.map((source) => loadSource(db, source)) };
}

function loadSource(
  db: Db,
  source: { id: number; name: string; kind: string; location: string; product: Product; scannedAt: string },
): SourceSnapshot {
  const id = source.id;
  const directories = (
    db.prepare('SELECT dir_id AS id, name, position, active, type FROM directories WHERE source_id = ?').all(id) as Array<{
      id: string;
      name: string;
      position: number;
      active: number;
      type: string;
    }>
  ).map((row) => ({ ...row, active: row.active === 1 }));
  const names: string[] = [];
  for (const [nameId, lower] of db.prepare('SELECT name_id, lower_name FROM names WHERE source_id = ?').raw().iterate(id) as Iterable<
    [number, string]
  >) {
    names[nameId] = lower;
  }
  const users = db
    .prepare('SELECT dir_id, user_name, name_id, active, display_name, email, updated FROM users WHERE source_id = ?')
    .raw()
    .all(id) as SourceSnapshot['users'];
  const userKeys = new Map<string, string>();
  for (const [key, name] of db.prepare('SELECT user_key, lower_user_name FROM user_keys WHERE source_id = ?').raw().iterate(id) as Iterable<
    [string, string]
  >) {
    userKeys.set(key, name);
  }
  const groups = db.prepare('SELECT dir_id, name, name_id FROM groups WHERE source_id = ?').raw().all(id) as SourceSnapshot['groups'];
  const memberships = (
    db.prepare('SELECT dir_id, parent_id, user_ids, group_ids FROM memberships WHERE source_id = ?').raw().all(id) as Array<
      [string, number, Buffer, Buffer]
    >
  ).map(([directoryId, parentId, userIds, groupIds]) => ({ directoryId, parentId, users: unpackIds(userIds), groups: unpackIds(groupIds) }));
  const grants = db
    .prepare('SELECT subject_type AS subjectType, subject, permission, scope, scope_key AS scopeKey FROM grants WHERE source_id = ?')
    .all(id) as SourceSnapshot['grants'];
  const referencedKeys = db
    .prepare(
      `SELECT user_key AS userKey, count(*) AS count,
              min(kind || CASE WHEN item <> '' THEN ' ' || item ELSE '' END) AS example
         FROM refs WHERE source_id = ? GROUP BY user_key`,
    )
    .all(id) as SourceSnapshot['referencedKeys'];
  const ownedObjects = db
    .prepare(`SELECT user_key AS userKey, kind, item FROM refs WHERE source_id = ? AND kind IN ('filter-owner', 'board-owner')`)
    .all(id) as SourceSnapshot['ownedObjects'];
  return {
    ...source,
    directories,
    names,
    users,
    userKeys,
    groups,
    memberships,
    grants,
    referencedKeys,
    ownedObjects,
  };
}
