/**
 * Writes one source's snapshot rows into the workspace. It runs in a worker thread (see
 * snapshot-writer-worker.ts) so that SQLite's work overlaps the parsing of the backup.
 *
 * Names are interned per source (lower-cased), and memberships are gathered per group and directory as
 * lists of name ids, written once the source has streamed: a million memberships become a few thousand
 * rows. The lists grow with memberships (4 bytes each), never with the size of the backup.
 */
import type { SourceSpec } from '../model/snapshot.js';
import { CHILD_GROUP, ROW_FIELDS, TableUsers, memberName, type MembershipTableData } from '../sources/membership-table.js';
import { IdList } from './id-list.js';
import { REFS_BY_USER_INDEX, SNAPSHOT_INDEXES, SNAPSHOT_TABLES, indexName } from './schema.js';
import { SnapshotImageBuilder } from './snapshot-image.js';
import { FIELD_SEPARATOR, NULL_FIELD } from './record-packing.js';
import type { Db } from './workspace.js';

type Members = { users: IdList; groups: IdList };

export class SnapshotWriter {
  private readonly sourceId: number;
  private readonly insert;
  private readonly nameIds = new Map<string, number>(); // lower-case name → id
  private readonly spellings = new Map<string, number>(); // name as written, when not in lower case → id: spares lower-casing
  private readonly members = new Map<string, Map<number, Members>>(); // directory → parent name id → members
  // The list of the last membership's group: memberships come grouped by group.
  private lastList: Members | undefined;
  private lastParentId = -1;
  private lastDirectoryId = '';
  /** The name id of each user written, in order (a membership table names users by this order). */
  private readonly userNameIds: number[] = [];
  /** The users of the membership tables' chunks so far. */
  private readonly tableUsers = new TableUsers();
  /** What the estate loader reads, gathered as the rows are written (snapshot-image.ts). */
  private readonly image: SnapshotImageBuilder;
  /** Membership tables whose rows wait for every user (deferRows), in order. */
  private readonly waitingTables: MembershipTableData[] = [];
  /** Field → the kind of reference its values make (FieldReferenceSink), as defined so far. */
  private readonly fieldKinds = new Map<string, string>();
  /** References made of field values (the sender could not count them). */
  private fieldReferences = 0;

  constructor(
    private readonly db: Db,
    spec: SourceSpec,
  ) {
    db.exec('BEGIN IMMEDIATE');
    this.sourceId = upsertSource(db, spec);
    for (const index of [...SNAPSHOT_INDEXES.map(indexName), REFS_BY_USER_INDEX]) db.exec(`DROP INDEX IF EXISTS ${index}`);
    for (const table of [...SNAPSHOT_TABLES, 'snapshot_image_parts']) db.prepare(`DELETE FROM ${table} WHERE source_id = ?`).run(this.sourceId);
    const imagePart = db.prepare('INSERT INTO snapshot_image_parts (source_id, part, records) VALUES (?, ?, ?)');
    const userKeys = db.prepare('SELECT user_key, lower_user_name FROM user_keys WHERE source_id = ?').raw();
    this.image = new SnapshotImageBuilder(
      (part, records) => imagePart.run(this.sourceId, part, records),
      () => userKeys.all(this.sourceId) as Array<[string, string]>,
    );
    this.insert = {
      directory: db.prepare('INSERT INTO directories VALUES (?, ?, ?, ?, ?, ?)'),
      user: db.prepare('INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      userKey: db.prepare('INSERT INTO user_keys VALUES (?, ?, ?)'),
      group: db.prepare('INSERT INTO groups VALUES (?, ?, ?, ?)'),
      membership: db.prepare('INSERT INTO memberships VALUES (?, ?, ?, ?, ?)'),
      grant: db.prepare('INSERT INTO grants VALUES (?, ?, ?, ?, ?, ?)'),
      container: db.prepare('INSERT INTO containers VALUES (?, ?, ?, ?, ?)'),
      place: db.prepare('INSERT INTO places VALUES (?, ?, ?, ?, ?)'),
      reference: db.prepare('INSERT INTO refs VALUES (?, ?, ?, ?, ?, ?, ?)'),
      notRead: db.prepare('INSERT INTO not_read VALUES (?, ?, ?, ?)'),
      directoryAttribute: db.prepare('INSERT INTO directory_attributes VALUES (?, ?, ?, ?)'),
    };
  }

  /**
   * Writes a batch: a record code, then its fields, again and again, each preceded by FIELD_SEPARATOR. Codes: 0 directory, 1 user,
   * 2 userKey, 3 group, 4 membership, 5 grant, 6 container, 7 place, 8 reference, 9 not read, a directory
   * attribute, f a field whose values are references, c a field's value (see record-packing.ts).
   */
  writeBatch(batch: string): void {
    const s = this.sourceId;
    const v: Array<string | null> = batch.split(FIELD_SEPARATOR);
    for (let k = 0; k < v.length; k++) if (v[k] === NULL_FIELD) v[k] = null;
    let i = 1; // the text starts with a separator
    while (i < v.length) {
      switch (v[i++]) {
        case '0':
          {
            const position = Number(v[i + 2]);
            const active = Number(v[i + 3]);
            this.insert.directory.run(s, v[i], v[i + 1], position, active, v[i + 4]);
            this.image.directory(v[i] as string, v[i + 1] as string, position, active, v[i + 4] as string);
          }
          i += 5;
          break;
        case '1':
          {
            const nameId = this.intern(v[i + 1] as string);
            const active = Number(v[i + 2]);
            this.userNameIds.push(nameId);
            this.insert.user.run(s, v[i], v[i + 1], nameId, active, v[i + 3], v[i + 4], v[i + 5]);
            this.image.user(v[i] as string, v[i + 1] as string, nameId, active, v[i + 3] as string, v[i + 4] as string, v[i + 5] as string);
          }
          i += 6;
          break;
        case '2':
          this.insert.userKey.run(s, v[i], v[i + 1]);
          this.image.userKey(v[i] as string, v[i + 1] as string);
          i += 2;
          break;
        case '3':
          {
            const nameId = this.intern(v[i + 1] as string);
            this.insert.group.run(s, v[i], v[i + 1], nameId);
            this.image.group(v[i] as string, v[i + 1] as string, nameId);
          }
          i += 2;
          break;
        case '4':
          this.membership(v[i] as string, this.intern(v[i + 1] as string), this.intern(v[i + 2] as string), v[i + 3] === '1');
          i += 4;
          break;
        case '5':
          this.insert.grant.run(s, v[i], v[i + 1], v[i + 2], v[i + 3], v[i + 4]);
          this.image.grant(v[i] as string, v[i + 1] as string, v[i + 2] as string, v[i + 3] as string, v[i + 4] as string);
          i += 5;
          break;
        case '6':
          this.insert.container.run(s, v[i], v[i + 1], v[i + 2], v[i + 3]);
          i += 4;
          break;
        case '7':
          this.insert.place.run(s, v[i], v[i + 1], v[i + 2], v[i + 3]);
          i += 4;
          break;
        case '8':
          this.image.reference(v[i] as string, v[i + 1] as string, v[i + 4] as string | null, this.insert.reference.run(s, v[i], v[i + 1], v[i + 2], v[i + 3], v[i + 4], v[i + 5]).lastInsertRowid);
          i += 6;
          break;
        case '9':
          this.insert.notRead.run(s, v[i], v[i + 1], v[i + 2]);
          i += 3;
          break;
        case 'a':
          this.insert.directoryAttribute.run(s, v[i], v[i + 1], v[i + 2]);
          i += 3;
          break;
        case 'f':
          this.fieldKinds.set(v[i] as string, v[i + 1] as string);
          i += 2;
          break;
        case 'c':
          {
            const kind = this.fieldKinds.get(v[i] as string);
            if (kind !== undefined) {
              this.fieldReferences++;
              this.image.reference(v[i + 1] as string, kind, null, this.insert.reference.run(s, v[i + 1], kind, null, null, null, v[i + 2]).lastInsertRowid);
            }
          }
          i += 3;
          break;
        default:
          throw new Error(`unknown snapshot record code at field ${i - 1}`);
      }
    }
    this.image.endBatch();
  }

  /**
   * Gathers the memberships of a table's chunk (see membership-table.ts), which comes after the user
   * records of its users. A member found by id has that user's name id; any other is interned by name.
   * The rows of a table that may name users of later chunks (deferRows) wait for resolveWaitingTables.
   */
  writeMembershipTable(table: MembershipTableData): void {
    const users = this.tableUsers.count + table.userCount;
    if (users > this.userNameIds.length) throw new Error(`the membership tables name ${users} users; ${this.userNameIds.length} were written`);
    this.tableUsers.add(table);
    if (table.deferRows) this.waitingTables.push(table);
    else this.resolveRows(table);
  }

  /**
   * Resolves the rows of the tables that waited for every user (sent once the source's tables are all in),
   * and sorts the references so far: what the commit would do, done while the source's last rows stream.
   */
  tablesDone(): void {
    this.resolveWaitingTables();
    this.image.sortReferences();
  }

  private resolveWaitingTables(): void {
    for (const table of this.waitingTables.splice(0)) this.resolveRows(table);
  }

  private resolveRows(table: MembershipTableData): void {
    const slots = this.tableUsers.slots(table);
    const { rows, rowCount } = table;
    const parentIds = new Int32Array(table.parents.length).fill(-1);
    const userNameIds = this.userNameIds;
    let lastParent = -1;
    let list: Members | undefined;
    for (let row = 0, at = 0; row < rowCount; row++, at += ROW_FIELDS) {
      const parent = rows[at + 1] as number;
      if (parent !== lastParent || !list) {
        // A parent index stands for one directory too (the table starts a new one when the directory changes).
        let parentId = parentIds[parent] as number;
        if (parentId < 0) parentIds[parent] = parentId = this.intern(table.parents[parent] as string);
        list = this.membersOf(table.directories[rows[at] as number] as string, parentId);
        lastParent = parent;
      }
      const slot = slots[row] as number;
      if (slot >= 0) list.users.push(userNameIds[slot] as number);
      else (rows[at + 2] === CHILD_GROUP ? list.groups : list.users).push(this.intern(memberName(table, at)));
    }
  }

  /**
   * Writes the gathered memberships and the snapshot image, records the counts and commits. Returns the
   * counts recorded (with the references made of field values, which only the writer counts).
   */
  commit(given: Record<string, number>): Record<string, number> {
    const counts = { ...given, references: (given.references ?? 0) + this.fieldReferences };
    this.resolveWaitingTables();
    for (const [directoryId, byParent] of this.members) {
      for (const [parentId, list] of byParent) {
        this.insert.membership.run(this.sourceId, directoryId, parentId, list.users.toBuffer(), list.groups.toBuffer());
      }
    }
    for (const index of SNAPSHOT_INDEXES) this.db.exec(index);
    const scannedAt = new Date().toISOString();
    this.image.write(this.db, this.sourceId, scannedAt, this.nameIds, {
      forEach: (visit) => {
        for (const [directoryId, byParent] of this.members) {
          for (const [parentId, list] of byParent) visit(directoryId, parentId, list.users.view(), list.groups.view());
        }
      },
    });
    this.members.clear();
    this.db
      .prepare('UPDATE sources SET stats = ?, scanned_at = ? WHERE id = ?')
      .run(JSON.stringify({ ...counts, names: this.nameIds.size }), scannedAt, this.sourceId);
    this.db.exec('COMMIT');
    return counts;
  }

  rollback(): void {
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
  }

  private intern(name: string): number {
    // A name already in lower case is its own key (most are): only other spellings need an entry of their own.
    let id = this.nameIds.get(name) ?? this.spellings.get(name);
    if (id !== undefined) return id;
    const lower = name.toLowerCase();
    id = this.nameIds.get(lower);
    if (id === undefined) {
      id = this.nameIds.size;
      this.nameIds.set(lower, id);
    }
    if (lower !== name) this.spellings.set(name, id);
    return id;
  }

  private membership(directoryId: string, parentId: number, childId: number, childIsGroup: boolean): void {
    let list = this.lastList;
    if (!list || parentId !== this.lastParentId || directoryId !== this.lastDirectoryId) {
      list = this.lastList = this.membersOf(directoryId, parentId);
      this.lastParentId = parentId;
      this.lastDirectoryId = directoryId;
    }
    (childIsGroup ? list.groups : list.users).push(childId);
  }

  private membersOf(directoryId: string, parentId: number): Members {
    let byParent = this.members.get(directoryId);
    if (!byParent) this.members.set(directoryId, (byParent = new Map()));
    let list = byParent.get(parentId);
    if (!list) byParent.set(parentId, (list = { users: new IdList(), groups: new IdList() }));
    return list;
  }
}

function upsertSource(db: Db, spec: SourceSpec): number {
  const existing = db.prepare('SELECT id FROM sources WHERE name = ?').get(spec.name) as { id: number } | undefined;
  if (existing) {
    db.prepare('UPDATE sources SET kind = ?, location = ?, product = ? WHERE id = ?').run(spec.kind, spec.location, spec.product, existing.id);
    return existing.id;
  }
  const result = db
    .prepare('INSERT INTO sources (name, kind, location, product, scanned_at) VALUES (?, ?, ?, ?, ?)')
    .run(spec.name, spec.kind, spec.location, spec.product, new Date().toISOString());
  return Number(result.lastInsertRowid);
}
