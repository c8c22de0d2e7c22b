/**
 * The memberships of a Jira backup, gathered in flat typed arrays while the backup streams, for a sink
 * that can take them all at once (MembershipTableSink; the workspace's does).
 *
 * A backup's bulk is its memberships: a million rows, each naming a group and a user. Looking each user
 * name up as the rows stream costs a hash-table probe in memory far from the parser's, for every row. So
 * the reader keeps what it needs to resolve them once the users are known: each row's directory, group
 * and member, the member as Jira's id of its User row (childId) together with the member's name as the
 * row spells it, in UTF-16 code units. The writer then finds the member's User row by id and takes its
 * name only when the two spellings are the same; otherwise it falls back to the row's own name. The result
 * is exactly what resolving every name would give, at the cost of array lookups.
 *
 * Memory: 20 bytes and the name's code units per membership (a million memberships: about 50 MB), which
 * the sink takes over without copying; like the memberships themselves it grows with the directory,
 * not with the rest of the backup.
 */

/** How a row names its member (ROW_FIELDS numbers per row). */
export const ROW_FIELDS = 5;
/** Row field 2: ≥ 0 is the member user's id (GROUP_USER), with its name in `chars` at fields 3 and 4. */
export const CHILD_BY_NAME = -1; // GROUP_USER, name in `strings[field 3]`
export const CHILD_GROUP = -2; // GROUP_GROUP, name in `strings[field 3]`

/** What a MembershipTable hands over: plain data, transferable to a worker thread. */
export interface MembershipTableData {
  /** Directory ids, by the index rows give. */
  directories: string[];
  /** Parent group names as written, by the index rows give. */
  parents: string[];
  /** Per row: directory index, parent index, child (a user id, CHILD_BY_NAME or CHILD_GROUP), start, length. */
  rows: Int32Array<ArrayBuffer>;
  rowCount: number;
  /** Names of members named by string (see CHILD_BY_NAME, CHILD_GROUP). */
  strings: string[];
  /** UTF-16 code units of the names of members named by id, and of users. */
  chars: Uint16Array<ArrayBuffer>;
  /**
   * Per User row the reader passed to the sink, in order: its id (-1 when it has no usable one), and
   * where its user name lies in `chars`.
   */
  users: Int32Array<ArrayBuffer>;
  userCount: number;
}

/** A sink that takes a reader's memberships as a table, once, instead of one record at a time. */
export interface MembershipTableSink {
  membershipTable(table: MembershipTableData): void;
}

/** Fields per user in MembershipTableData.users: id, start, length. */
export const USER_FIELDS = 3;

const MAX_ID = 0x7fffffff;

/** The id as a non-negative 32-bit integer, or -1 when it is not written as one. */
export function idNumber(text: string | undefined): number {
  if (text === undefined) return -1;
  const length = text.length;
  if (length === 0 || length > 10) return -1;
  let value = 0;
  for (let i = 0; i < length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9 || (digit === 0 && i === 0 && length > 1)) return -1;
    value = value * 10 + digit;
  }
  return value <= MAX_ID ? value : -1;
}

/**
 * A copy of `text` that does not keep alive the parser's chunk it was cut from (V8 cuts substrings as
 * views of the whole chunk).
 */
export function detached(text: string): string {
  return (text + ' ').slice(0, -1);
}

export class MembershipTable {
  private readonly directories: string[] = [];
  private readonly directoryIndexes = new Map<string, number>();
  private readonly parents: string[] = [];
  private rows = new Int32Array(ROW_FIELDS * 4096);
  private rowCount = 0;
  private readonly strings: string[] = [];
  private chars = new Uint16Array(65536);
  private charCount = 0;
  private users = new Int32Array(USER_FIELDS * 1024);
  private userCount = 0;
  // The directory and parent of the last row: rows come grouped by group.
  private lastDirectory: string | undefined;
  private lastDirectoryIndex = 0;
  private lastParent: string | undefined;
  private lastParentIndex = 0;

  /** A GROUP_USER row (childId: the member's User row id, or -1) or a GROUP_GROUP row. */
  add(directoryId: string, parent: string, child: string, childId: number, childIsGroup: boolean): void {
    if (directoryId !== this.lastDirectory) {
      this.lastDirectory = directoryId;
      let index = this.directoryIndexes.get(directoryId);
      if (index === undefined) {
        index = this.directories.length;
        this.directories.push(detached(directoryId));
        this.directoryIndexes.set(this.directories[index] as string, index);
      }
      this.lastDirectoryIndex = index;
      this.lastParent = undefined;
    }
    if (parent !== this.lastParent) {
      this.lastParent = parent;
      this.lastParentIndex = this.parents.length;
      this.parents.push(detached(parent));
    }
    if (this.rowCount * ROW_FIELDS === this.rows.length) this.rows = grown(this.rows);
    const at = this.rowCount++ * ROW_FIELDS;
    const rows = this.rows;
    rows[at] = this.lastDirectoryIndex;
    rows[at + 1] = this.lastParentIndex;
    if (childIsGroup || childId < 0) {
      rows[at + 2] = childIsGroup ? CHILD_GROUP : CHILD_BY_NAME;
      rows[at + 3] = this.strings.length;
      rows[at + 4] = 0;
      this.strings.push(detached(child));
    } else {
      rows[at + 2] = childId;
      rows[at + 3] = this.charCount;
      rows[at + 4] = child.length;
      this.copyChars(child);
    }
  }

  /** A User row passed to the sink (every one, in order): its id (or -1) and user name. */
  addUser(id: number, userName: string): void {
    if (this.userCount * USER_FIELDS === this.users.length) this.users = grown(this.users);
    const at = this.userCount++ * USER_FIELDS;
    this.users[at] = id;
    this.users[at + 1] = this.charCount;
    this.users[at + 2] = userName.length;
    this.copyChars(userName);
  }

  get size(): number {
    return this.rowCount;
  }

  data(): MembershipTableData {
    return {
      directories: this.directories,
      parents: this.parents,
      rows: this.rows,
      rowCount: this.rowCount,
      strings: this.strings,
      chars: this.chars,
      users: this.users,
      userCount: this.userCount,
    };
  }

  private copyChars(text: string): void {
    const length = text.length;
    if (this.charCount + length > this.chars.length) {
      const more = new Uint16Array(Math.max(this.chars.length * 2, this.charCount + length));
      more.set(this.chars.subarray(0, this.charCount));
      this.chars = more;
    }
    const chars = this.chars;
    let at = this.charCount;
    for (let i = 0; i < length; i++) chars[at++] = text.charCodeAt(i);
    this.charCount = at;
  }
}

function grown(values: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const more = new Int32Array(values.length * 2);
  more.set(values);
  return more;
}

/**
 * For each row of a table, in order: the slot (place among the table's users) of its member when the row
 * names it by id and that User row spells the name the same; -1 otherwise (see memberName).
 */
export function memberSlots(table: MembershipTableData): Int32Array {
  const { rows, chars, users, userCount, rowCount } = table;
  const slots = new Int32Array(rowCount);
  let min = MAX_ID;
  let max = -1;
  for (let slot = 0; slot < userCount; slot++) {
    const id = users[slot * USER_FIELDS] as number;
    if (id < 0) continue;
    if (id < min) min = id;
    if (id > max) max = id;
  }
  // id → slot of the first user with that id: a dense array when the ids allow, a map otherwise.
  const dense = max >= 0 && max - min < 4 * userCount + 65536 ? new Int32Array(max - min + 1).fill(-1) : undefined;
  const sparse = new Map<number, number>();
  for (let slot = userCount - 1; slot >= 0; slot--) {
    const id = users[slot * USER_FIELDS] as number;
    if (id < 0) continue;
    if (dense) dense[id - min] = slot;
    else sparse.set(id, slot);
  }
  for (let row = 0, at = 0; row < rowCount; row++, at += ROW_FIELDS) {
    const child = rows[at + 2] as number;
    let slot = -1;
    if (child >= 0) {
      slot = dense ? (child >= min && child <= max ? (dense[child - min] as number) : -1) : (sparse.get(child) ?? -1);
      if (slot >= 0) {
        // The same spelling, or the row's own name counts.
        const length = rows[at + 4] as number;
        const start = rows[at + 3] as number;
        const userStart = users[slot * USER_FIELDS + 1] as number;
        if (users[slot * USER_FIELDS + 2] !== length) slot = -1;
        else for (let i = 0; i < length; i++) if (chars[start + i] !== chars[userStart + i]) { slot = -1; break; }
      }
    }
    slots[row] = slot;
  }
  return slots;
}

const utf16 = new TextDecoder('utf-16le');

/** The member's name as the row at `at` (row × ROW_FIELDS) writes it. */
export function memberName(table: MembershipTableData, at: number): string {
  const child = table.rows[at + 2] as number;
  const start = table.rows[at + 3] as number;
  if (child < 0) return table.strings[start] as string;
  return utf16.decode(table.chars.subarray(start, start + (table.rows[at + 4] as number)));
}
