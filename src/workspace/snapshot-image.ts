/**
 * The snapshot image: everything the estate loader (estate-loader.ts) reads of one source, kept in a row
 * of `snapshot_images` (migration 10) and its records in parts of about a megabyte in
 * `snapshot_image_parts` (migration 14), so that loading the estate is a few queries, a split of each
 * part and one view of a blob, instead of a dozen queries that build and parse JSON. The parts are written
 * as the source streams: the writer holds one part at a time, however large the source.
 *
 * The scan's writer (snapshot-writer.ts) builds it while the source streams, from the records it writes
 * anyway (the references counted as they are written; only the examples of unknown keys are read back,
 * through the loader's own view), and stores it in the scan's transaction, stamped with the `scanned_at` it gives the source: an
 * image whose stamp is not the source's is never read (the loader falls back to the tables), and a scan
 * that fails or is killed leaves the previous snapshot and its image as they were.
 *
 * Layout. The records: texts (each part's, see encodeRecords; parts end between records) of fields
 * separated by IMAGE_SEPARATOR; each record is a code and its fields:
 *   d  directory: id, name, position, active (0/1), type
 *   u  user: directory id, user name, name id, active (0/1), display name, email, updated
 *   k  user key: key, lower-case user name
 *   g  group: directory id, name, name id
 *   p  grant: subject type, subject, permission, scope, scope key
 *   o  owned object (a filter or board): owner key, kind, item (NULL_FIELD for none)
 *   r  referenced key: key, number of references, example ('' for keys of known users), known (0/1)
 *   m  a directory of the memberships, numbered in order (the blob names directories by that number)
 *   n  how many name ids the source has
 * in the order the loader's queries of the tables give them. `members`: little-endian 32-bit integers,
 * per membership row (group and directory): directory number, parent name id, number of member users,
 * number of member groups, the users' name ids, the groups' name ids.
 */
import { LITTLE_ENDIAN } from './id-list.js';
import type { Db } from './workspace.js';

/** Bumped whenever the layout changes: images of another format are not read. */
export const IMAGE_FORMAT = 4;

/** Records per part of the image (about a megabyte). */
const PART_RECORDS = 8192;

export const IMAGE_SEPARATOR = '\u0001';
/** Stands for a missing (null) field. */
export const IMAGE_NULL = '\u0002';

export interface MembershipLists {
  /** directory → parent name id → member users' and groups' name ids, in the order they are written */
  forEach(visit: (directoryId: string, parentId: number, users: Int32Array, groups: Int32Array) => void): void;
}

export class SnapshotImageBuilder {
  /** The records of the part being filled: one text per batch (joined, so they hold no slices of the batches' texts). */
  private texts: string[] = [];
  private partRecords = 0;
  private parts = 0;
  private pieces: string[] = [];
  /** User key → lower-case user name, from the first reference on (a source without references, such as a directory, needs none). */
  private userKeys: Map<string, string> | undefined;
  /** Name ids of users (any directory). */
  private readonly userNameIds = new Set<number>();
  /** Per referenced key: the number of references and the rowid of the first. */
  private readonly referenceCounts = new Map<string, { count: number; first: number | bigint }>();
  /** Referenced keys in order (sortReferences), and how many of referenceCounts' keys they are. */
  private sortedKeys: string[] = [];
  private sortedCount = 0;
  /** 'o' records of filters and boards, in the order they were written. */
  private readonly owned: string[] = [];

  /**
   * @param storePart writes part `part` (numbered from 0) of the records, encoded (encodeRecords)
   * @param writtenUserKeys the user keys written so far, as [key, lower-case user name]
   */
  constructor(
    private readonly storePart: (part: number, records: Buffer) => void,
    private readonly writtenUserKeys: () => Iterable<[string, string]>,
  ) {}

  directory(id: string, name: string, position: number, active: number, type: string): void {
    this.pieces.push('d', id, name, String(position), String(active), type);
    this.recorded();
  }

  user(directoryId: string, userName: string, nameId: number, active: number, displayName: string, email: string, updated: string): void {
    this.userNameIds.add(nameId);
    this.pieces.push('u', directoryId, userName, String(nameId), String(active), displayName, email, updated);
    this.recorded();
  }

  userKey(key: string, lowerUserName: string): void {
    this.userKeys?.set(own(key), own(lowerUserName));
    this.pieces.push('k', key, lowerUserName);
    this.recorded();
  }

  group(directoryId: string, name: string, nameId: number): void {
    this.pieces.push('g', directoryId, name, String(nameId));
    this.recorded();
  }

  grant(subjectType: string, subject: string, permission: string, scope: string, scopeKey: string): void {
    this.pieces.push('p', subjectType, subject, permission, scope, scopeKey);
    this.recorded();
  }

  /** A reference written as row `rowid` of refs. */
  reference(key: string, kind: string, item: string | null, rowid: number | bigint): void {
    this.userKeys ??= new Map(this.writtenUserKeys());
    const counted = this.referenceCounts.get(key);
    if (counted) counted.count++;
    else this.referenceCounts.set(own(key), { count: 1, first: rowid });
    if (kind === 'filter-owner' || kind === 'board-owner') this.owned.push('o', own(key), kind, item === null ? IMAGE_NULL : own(item));
  }

  /**
   * Ends a batch: its records become one text of the part being filled (joined, so that they hold no
   * slices of the batch's text).
   */
  endBatch(): void {
    if (this.pieces.length === 0) return;
    this.texts.push(this.pieces.join(IMAGE_SEPARATOR));
    this.pieces = [];
  }

  /**
   * Counts a record; a part is stored once it holds PART_RECORDS of them. Parts are cut by records, not
   * by batches, so that the same records make the same parts however a reader batched them.
   */
  private recorded(): void {
    if (++this.partRecords < PART_RECORDS) return;
    this.endBatch();
    this.storeTexts();
  }

  private storeTexts(): void {
    if (this.texts.length === 0) return;
    this.storePart(this.parts++, encodeRecords(this.texts.join(IMAGE_SEPARATOR)));
    this.texts = [];
    this.partRecords = 0;
  }

  /**
   * Stores the image of source `sourceId` stamped `scannedAt`. Runs inside the scan's transaction, once
   * every row is written and the snapshot's indexes are built (the examples resolve references).
   */
  write(
    db: Db,
    sourceId: number,
    scannedAt: string,
    nameIds: ReadonlyMap<string, number>,
    memberships: MembershipLists,
  ): void {
    this.endBatch();
    const referenced = this.references(db, nameIds);
    // The references, the directories of the memberships and the count of names end the last part.
    if (referenced !== '') this.texts.push(referenced);
    const directories: string[] = [];
    const directoryNumbers = new Map<string, number>();
    let size = 0;
    memberships.forEach((directoryId, _parentId, users, groups) => {
      if (!directoryNumbers.has(directoryId)) {
        directoryNumbers.set(directoryId, directoryNumbers.size);
        directories.push('m', directoryId);
      }
      size += 4 + users.length + groups.length;
    });
    if (directories.length > 0) this.texts.push(directories.join(IMAGE_SEPARATOR));
    this.texts.push(`n${IMAGE_SEPARATOR}${nameIds.size}`);
    this.storeTexts();
    const members = new Int32Array(size);
    let at = 0;
    memberships.forEach((directoryId, parentId, users, groups) => {
      members[at++] = directoryNumbers.get(directoryId) as number;
      members[at++] = parentId;
      members[at++] = users.length;
      members[at++] = groups.length;
      members.set(users, at);
      at += users.length;
      members.set(groups, at);
      at += groups.length;
    });
    // The records are in the parts; the row's own column stays empty.
    db.prepare('INSERT OR REPLACE INTO snapshot_images (source_id, scanned_at, format, records, members) VALUES (?, ?, ?, ?, ?)').run(
      sourceId,
      scannedAt,
      IMAGE_FORMAT,
      '',
      packInt32(members),
    );
    this.parts = 0;
  }

  /**
   * Sorts the referenced keys so far (as the loader's query orders them), a head start for the sort at the
   * end: the keys that come later are few, and the sort runs fast over the sorted ones.
   */
  sortReferences(): void {
    if (this.sortedCount === this.referenceCounts.size) return;
    let at = 0;
    for (const key of this.referenceCounts.keys()) if (at++ >= this.sortedCount) this.sortedKeys.push(key);
    this.sortedCount = this.referenceCounts.size;
    // The engine's own sort where every key is below the surrogates (the usual case): the same order, faster.
    this.sortedKeys.sort(this.sortedKeys.some((key) => SURROGATE_OR_ABOVE.test(key)) ? sqliteTextOrder : undefined);
  }

  /**
   * The references as the loader would read them from the tables (estate-loader.ts, in the order of its
   * query: by key, as SQLite orders text): per referenced key, the count and, for keys that name no user
   * of the snapshot, one resolved example (read through the loader's view, on the indexes the scan has
   * just built); and the filters and boards by owner.
   */
  private references(db: Db, nameIds: ReadonlyMap<string, number>): string {
    if (this.referenceCounts.size === 0 && this.owned.length === 0) return '';
    const example = db.prepare(`SELECT kind || CASE WHEN item <> '' THEN ' ' || item ELSE '' END FROM resolved_refs WHERE ref_id = ?`).pluck();
    const fields: string[] = [];
    this.sortReferences();
    const keys = this.sortedKeys;
    for (const key of keys) {
      const { count, first } = this.referenceCounts.get(key) as { count: number; first: number | bigint };
      const nameId = nameIds.get(this.userKeys?.get(key) ?? key.toLowerCase());
      const known = nameId !== undefined && this.userNameIds.has(nameId);
      fields.push('r', key, String(count), known ? '' : ((example.get(first) as string | undefined) ?? ''), known ? '1' : '0');
    }
    this.referenceCounts.clear();
    this.sortedKeys = [];
    this.sortedCount = 0;
    for (const field of this.owned) fields.push(field);
    this.owned.length = 0;
    return fields.join(IMAGE_SEPARATOR);
  }
}

/**
 * SQLite's order of text (BINARY: the bytes of UTF-8), which is the order of code points: UTF-16 code
 * units compare the same way except surrogates (U+D800–U+DFFF), which stand for code points above
 * every other unit (U+E000–U+FFFF included).
 */
const SURROGATE_OR_ABOVE = /[\ud800-\uffff]/;

export function sqliteTextOrder(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x < 0xe000 ? x + 0x2000 : x - 0x800;
      y = y < 0xe000 ? y + 0x2000 : y - 0x800;
    }
    return x - y;
  }
  return a.length - b.length;
}

/**
 * A copy of a field that holds on to no more than itself. Fields cut from a batch's text may point into
 * it, and keeping one would keep the whole batch.
 */
const own = (text: string): string => (text.length < 13 ? text : ` ${text}`.slice(1));

/**
 * The records' text as bytes: a first byte saying how the rest is encoded, then the text, in Latin-1 when
 * every character fits (bytes turn back into such a string by a copy), else UTF-8.
 */
export function encodeRecords(text: string): Buffer {
  if (!BEYOND_LATIN1.test(text)) {
    const bytes = Buffer.allocUnsafe(1 + text.length);
    bytes[0] = LATIN1;
    bytes.write(text, 1, 'latin1');
    return bytes;
  }
  return Buffer.concat([Buffer.of(UTF8), Buffer.from(text, 'utf8')]);
}

export function decodeRecords(bytes: Buffer): string {
  return bytes.toString(bytes[0] === LATIN1 ? 'latin1' : 'utf8', 1);
}

const BEYOND_LATIN1 = /[^\u0000-\u00ff]/;
const LATIN1 = 0x4c; // 'L'
const UTF8 = 0x55; // 'U'

function packInt32(values: Int32Array): Buffer {
  if (LITTLE_ENDIAN) return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  const packed = Buffer.alloc(values.length * 4);
  for (let i = 0; i < values.length; i++) packed.writeInt32LE(values[i] as number, i * 4);
  return packed;
}
