/**
 * Loads what assessment needs from the workspace: the snapshot rows of every source, in plain arrays.
 * This is the I/O edge; everything computed from these rows is pure (src/assess).
 */
import type { DirectoryAttributeRecord, NotReadRecord, Product } from '../model/snapshot.js';
import { unpackIds } from './id-list.js';
import { IMAGE_FORMAT, IMAGE_NULL, IMAGE_SEPARATOR, decodeRecords } from './snapshot-image.js';
import type { Db } from './workspace.js';

export interface SourceSnapshot {
  name: string;
  product: Product;
  kind: string;
  location: string;
  scannedAt: string;
  directories: Array<{ id: string; name: string; position: number; active: boolean; type: string }>;
  /** How many name ids the source has (user and group names share them). */
  nameCount: number;
  /** [directoryId, userName, nameId, active, displayName, email, updated] */
  users: Array<[string, string, number, number, string, string, string]>;
  /** userKey → lower username */
  userKeys: Map<string, string>;
  /** [directoryId, name, nameId] */
  groups: Array<[string, string, number]>;
  /** Per group and directory: the name ids of member users and member groups. */
  memberships: Array<{ directoryId: string; parentId: number; users: Int32Array; groups: Int32Array }>;
  grants: Array<{ subjectType: 'group' | 'user'; subject: string; permission: string; scope: string; scopeKey: string }>;
  /**
   * Per referenced user key: how many references and one example. `known`: whether the key names a user
   * of the snapshot, in any directory (when absent, readers look it up).
   */
  referencedKeys: Array<{ userKey: string; count: number; example: string; known?: boolean }>;
  /** Saved filters and boards by owner key (boards and filters of inactive owners become private). */
  ownedObjects: Array<{ userKey: string; kind: string; item: string }>;
  /** What the source could not read (absent: nothing recorded). */
  notRead?: NotReadRecord[];
  /** Directory settings that name the external directory behind a directory (absent: none recorded). */
  directoryAttributes?: DirectoryAttributeRecord[];
}

export interface EstateSnapshot {
  sources: SourceSnapshot[];
}

type SourceFields = { id: number; name: string; kind: string; location: string; product: Product; scannedAt: string };

export function loadEstate(db: Db): EstateSnapshot {
  // A source's image (snapshot-image.ts) is read only when the scan that wrote the snapshot wrote it too.
  const sources = db
    .prepare(
      `SELECT s.id, s.name, s.kind, s.location, s.product, s.scanned_at AS scannedAt, i.records, i.members
         FROM sources AS s LEFT JOIN snapshot_images AS i ON i.source_id = s.id AND i.scanned_at = s.scanned_at AND i.format = ?
        ORDER BY s.id`,
    )
    .all(IMAGE_FORMAT) as Array<SourceFields & { records: Buffer | null; members: Buffer | null }>;
  const notRead = db.prepare('SELECT topic, text, consequence FROM not_read WHERE source_id = ? ORDER BY rowid');
  const attributes = db.prepare('SELECT dir_id AS directoryId, name, value FROM directory_attributes WHERE source_id = ? ORDER BY rowid');
  const imageParts = db.prepare('SELECT records FROM snapshot_image_parts WHERE source_id = ? ORDER BY part').pluck();
  return {
    sources: sources.map(({ records, members, ...source }) => {
      const snapshot =
        records !== null && members !== null ? fromImage(source, imageParts.iterate(source.id) as Iterable<Buffer>, members) : loadSource(db, source);
      // Few rows, kept beside the image: read for every source either way.
      snapshot.notRead = notRead.all(source.id) as NotReadRecord[];
      snapshot.directoryAttributes = attributes.all(source.id) as DirectoryAttributeRecord[];
      return snapshot;
    }),
  };
}

/** A source's snapshot from its image: the same values, in the same order, as loadSource reads from the tables. */
function fromImage(source: SourceFields, parts: Iterable<Buffer>, members: Buffer): SourceSnapshot {
  const snapshot: SourceSnapshot = {
    ...source,
    directories: [],
    nameCount: 0,
    users: [],
    userKeys: new Map(),
    groups: [],
    memberships: [],
    grants: [],
    referencedKeys: [],
    ownedObjects: [],
  };
  const { directories, users, userKeys, groups, grants, referencedKeys, ownedObjects } = snapshot;
  const membershipDirectories: string[] = [];
  // Parts end between records: each is read on its own.
  for (const part of parts) {
    const v = decodeRecords(part).split(IMAGE_SEPARATOR);
    let i = 0;
    while (i < v.length) {
      switch (v[i++]) {
        case 'u':
          users.push([v[i] as string, v[i + 1] as string, Number(v[i + 2]), Number(v[i + 3]), v[i + 4] as string, v[i + 5] as string, v[i + 6] as string]);
          i += 7;
          break;
        case 'k':
          userKeys.set(v[i] as string, v[i + 1] as string);
          i += 2;
          break;
        case 'r':
          referencedKeys.push({ userKey: v[i] as string, count: Number(v[i + 1]), example: v[i + 2] as string, known: v[i + 3] === '1' });
          i += 4;
          break;
        case 'g':
          groups.push([v[i] as string, v[i + 1] as string, Number(v[i + 2])]);
          i += 3;
          break;
        case 'p':
          grants.push({
            subjectType: v[i] as 'group' | 'user',
            subject: v[i + 1] as string,
            permission: v[i + 2] as string,
            scope: v[i + 3] as string,
            scopeKey: v[i + 4] as string,
          });
          i += 5;
          break;
        case 'o':
          ownedObjects.push({ userKey: v[i] as string, kind: v[i + 1] as string, item: (v[i + 2] === IMAGE_NULL ? null : v[i + 2]) as string });
          i += 3;
          break;
        case 'd':
          directories.push({ id: v[i] as string, name: v[i + 1] as string, position: Number(v[i + 2]), active: Number(v[i + 3]) === 1, type: v[i + 4] as string });
          i += 5;
          break;
        case 'm':
          membershipDirectories.push(v[i++] as string);
          break;
        case 'n':
          snapshot.nameCount = Number(v[i++]);
          break;
        default:
          throw new Error(`the snapshot image of ${source.name} is damaged at field ${i - 1}`);
      }
    }
  }
  // Per membership row: directory number, parent name id, member user count, member group count, ids.
  const ids = unpackIds(members);
  for (let at = 0; at < ids.length; ) {
    const directoryId = membershipDirectories[ids[at] as number] as string;
    const parentId = ids[at + 1] as number;
    const userCount = ids[at + 2] as number;
    const groupCount = ids[at + 3] as number;
    at += 4;
    const rowUsers = ids.subarray(at, (at += userCount));
    const rowGroups = ids.subarray(at, (at += groupCount));
    snapshot.memberships.push({ directoryId, parentId, users: rowUsers, groups: rowGroups });
  }
  return snapshot;
}

function loadSource(db: Db, source: SourceFields): SourceSnapshot {
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
  const stats = JSON.parse((db.prepare('SELECT stats FROM sources WHERE id = ?').pluck().get(id) as string | undefined) ?? '{}') as { names?: number };
  const nameCount = stats.names ?? 0;
  const users = jsonRows<SourceSnapshot['users'][number]>(
    db,
    'dir_id, user_name, name_id, active, display_name, email, updated',
    'FROM users WHERE source_id = ?',
    id,
  );
  const userKeys = new Map(jsonRows<[string, string]>(db, 'user_key, lower_user_name', 'FROM user_keys WHERE source_id = ?', id));
  const groups = db.prepare('SELECT dir_id, name, name_id FROM groups WHERE source_id = ?').raw().all(id) as SourceSnapshot['groups'];
  const memberships = (
    db.prepare('SELECT dir_id, parent_id, user_ids, group_ids FROM memberships WHERE source_id = ?').raw().all(id) as Array<
      [string, number, Buffer, Buffer]
    >
  ).map(([directoryId, parentId, userIds, groupIds]) => ({ directoryId, parentId, users: unpackIds(userIds), groups: unpackIds(groupIds) }));
  const grants = db
    .prepare('SELECT subject_type AS subjectType, subject, permission, scope, scope_key AS scopeKey FROM grants WHERE source_id = ?')
    .all(id) as SourceSnapshot['grants'];
  const referencedKeys = referencesByKey(db, id, userKeys, new Set(users.map((user) => user[1].toLowerCase())));
  // Filters and boards name their owner and themselves directly: no places to resolve.
  const ownedObjects = db
    .prepare(`SELECT user_key AS userKey, kind, item FROM refs WHERE source_id = ? AND kind IN ('filter-owner', 'board-owner')`)
    .all(id) as SourceSnapshot['ownedObjects'];
  return {
    ...source,
    directories,
    nameCount,
    users,
    userKeys,
    groups,
    memberships,
    grants,
    referencedKeys,
    ownedObjects,
  };
}

/**
 * Per referenced user key, the number of references; for keys that name no user of the snapshot (deleted
 * users), also one resolved example, which is all the report shows of them.
 */
function referencesByKey(db: Db, sourceId: number, userKeys: Map<string, string>, userNames: Set<string>): SourceSnapshot['referencedKeys'] {
  const example = db.prepare(
    `SELECT kind || CASE WHEN item <> '' THEN ' ' || item ELSE '' END FROM resolved_refs WHERE ref_id = ?`,
  ).pluck();
  const rows = jsonRows<[string, number, number]>(db, 'user_key, count(*), min(rowid)', 'FROM refs WHERE source_id = ? GROUP BY user_key', sourceId);
  return rows.map(([userKey, count, first]) => {
    const known = userNames.has(userKeys.get(userKey) ?? userKey.toLowerCase());
    return { userKey, count, example: known ? '' : ((example.get(first) as string | undefined) ?? ''), known };
  });
}

/**
 * Fetches rows as arrays: `columns` is a list of SQL expressions, `rest` the query from FROM on. SQLite
 * builds one JSON text and V8 parses it, which for tens of thousands of rows is several times faster
 * than fetching the rows one by one.
 */
function jsonRows<Row>(db: Db, columns: string, rest: string, ...parameters: unknown[]): Row[] {
  const text = db
    .prepare(`SELECT json_group_array(json(row)) FROM (SELECT json_array(${columns}) AS row ${rest})`)
    .pluck()
    .get(...parameters) as string | null;
  return text ? (JSON.parse(text) as Row[]) : [];
}
