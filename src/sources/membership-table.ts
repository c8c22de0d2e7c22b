/**
 * The memberships of a source, gathered in flat typed arrays while the source streams and handed in
 * chunks to a sink that takes them as tables (MembershipTableSink; the workspace's does).
 *
 * A backup's bulk is its memberships: a million rows, each naming a group and a user. Looking each user
 * name up as the rows stream costs a hash-table probe in memory far from the parser's, for every row. So
 * the reader keeps what it needs to resolve them: each row's directory, group and member, the member as
 * Jira's id of its User row (childId) together with the member's name as the row spells it, in UTF-16
 * code units. The writer (TableUsers below) finds the member's User row by id and takes its name only
 * when the two spellings are the same; otherwise, or when that User row has not come yet (a real Jira
 * backup writes Membership rows before User rows), it falls back to the row's own name. The result is
 * exactly what resolving every name would give, at the cost of array lookups where the order allows.
 * A reader that knows the member is one of its users (LDAP) names it by that user's id alone, without
 * copying the name (SAME_AS_USER).
 *
 * Chunks: every CHUNK_ROWS rows (or as the reader chooses) the table goes to the sink (its arrays move to
 * the writer's thread, uncopied) and starts afresh, with the users added since the previous chunk. So a
 * reader whose users come first (LDAP) holds at most a chunk (about 1.5 MB) and the writer resolves the
 * rows while the source still streams; a Jira backup, whose users come last, hands its table over whole
 * at the end. The writer keeps the users' names (their code units) and 4 bytes per membership.
 */

/** Rows per chunk handed to the sink. */
export const CHUNK_ROWS = 1 << 16;

/** How a row names its member (ROW_FIELDS numbers per row). */
export const ROW_FIELDS = 5;
/**
 * Row field 2: ≥ 0 is the member user's id (GROUP_USER), with its name in `chars` at fields 3 and 4, or,
 * when field 4 is SAME_AS_USER, spelled as that user (whose name is then the only one there is).
 */
export const CHILD_BY_NAME = -1; // GROUP_USER, name in `strings[field 3]`
export const CHILD_GROUP = -2; // GROUP_GROUP, name in `strings[field 3]`
export const SAME_AS_USER = -1;

/** A chunk of a MembershipTable: plain data, transferable to a worker thread. */
export interface MembershipTableData {
  /** Directory ids, by the index the chunk's rows give. */
  directories: string[];
  /** Parent group names as written, by the index the chunk's rows give. */
  parents: string[];
  /** Per row: directory index, parent index, child (a user id, CHILD_BY_NAME or CHILD_GROUP), start, length. */
  rows: Int32Array<ArrayBuffer>;
  rowCount: number;
  /** Names of members named by string (see CHILD_BY_NAME, CHILD_GROUP). */
  strings: string[];
  /** UTF-16 code units of the names of members named by id, and of the chunk's users. */
  chars: Uint16Array<ArrayBuffer>;
  /**
   * Per User row the reader passed to the sink since the previous chunk, in order: its id (-1 when it
   * has no usable one), and where its user name lies in `chars`.
   */
  users: Int32Array<ArrayBuffer>;
  userCount: number;
  /**
   * The rows may name users of later chunks (a part of a backup parsed on its own thread): the writer
   * resolves them once every chunk is in, as it would one table handed over at the end.
   */
  deferRows?: boolean;
}

/**
 * A sink that takes a reader's memberships as tables, chunk after chunk, instead of one record at a time.
 * A chunk comes after the user records of its users.
 */
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
  private directories: string[] = [];
  private readonly directoryIndexes = new Map<string, number>();
  private parents: string[] = [];
  /** Parent name → its index in `parents`, for the directory of the rows being added. */
  private readonly parentIndexes = new Map<string, number>();
  private rows = new Int32Array(ROW_FIELDS * 4096);
  private rowCount = 0;
  private strings: string[] = [];
  private chars = new Uint16Array(65536);
  private charCount = 0;
  private users = new Int32Array(USER_FIELDS * 1024);
  private userCount = 0;
  // The directory and parent of the last row: rows come grouped by group.
  private lastDirectory: string | undefined;
  private lastDirectoryIndex = 0;
  private lastParent: string | undefined;
  private lastParentIndex = 0;

  /**
   * `onChunk` takes each chunk (see CHUNK_ROWS); `finish` hands over the last one. With `deferRows`, the
   * chunks are parts of a table the writer keeps whole (MembershipTableData.deferRows): a chunk goes over
   * when it has users even if it has no rows, its arrays cut to their length.
   */
  constructor(
    private readonly onChunk: (table: MembershipTableData) => void,
    private readonly chunkRows = CHUNK_ROWS,
    private readonly deferRows = false,
  ) {}

  /** A GROUP_USER row (childId: the member's User row id, or -1) or a GROUP_GROUP row. */
  add(directoryId: string, parent: string, child: string, childId: number, childIsGroup: boolean): void {
    const at = this.startRow(directoryId, parent);
    const rows = this.rows;
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
    this.endRow();
  }

  /** A GROUP_USER row whose member is the user added with `userId` (addUser), spelled as that user. */
  addUserMember(directoryId: string, parent: string, userId: number): void {
    const at = this.startRow(directoryId, parent);
    this.rows[at + 2] = userId;
    this.rows[at + 3] = 0;
    this.rows[at + 4] = SAME_AS_USER;
    this.endRow();
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

  /** Hands over the rows that wait (users that no row follows are not needed). */
  finish(): void {
    if (this.rowCount > 0 || (this.deferRows && this.userCount > 0)) this.handOver();
  }

  private startRow(directoryId: string, parent: string): number {
    if (directoryId !== this.lastDirectory) {
      this.lastDirectory = directoryId;
      this.lastDirectoryIndex = indexIn(this.directories, this.directoryIndexes, directoryId);
      this.lastParent = undefined;
      this.parentIndexes.clear(); // a parent index stands for one directory too
    }
    if (parent !== this.lastParent) {
      // Rows usually come grouped by group, but Jira writes them in id order: each parent once per directory.
      this.lastParent = parent;
      this.lastParentIndex = indexIn(this.parents, this.parentIndexes, parent);
    }
    if (this.rowCount * ROW_FIELDS === this.rows.length) this.rows = grown(this.rows);
    const at = this.rowCount * ROW_FIELDS;
    this.rows[at] = this.lastDirectoryIndex;
    this.rows[at + 1] = this.lastParentIndex;
    return at;
  }

  private endRow(): void {
    if (++this.rowCount >= this.chunkRows) this.handOver();
  }

  private handOver(): void {
    const kept = this.deferRows;
    const chunk: MembershipTableData = {
      directories: this.directories,
      parents: this.parents,
      rows: kept ? this.rows.slice(0, this.rowCount * ROW_FIELDS) : this.rows,
      rowCount: this.rowCount,
      strings: this.strings,
      chars: kept ? this.chars.slice(0, this.charCount) : this.chars,
      users: kept ? this.users.slice(0, this.userCount * USER_FIELDS) : this.users,
      userCount: this.userCount,
      ...(kept ? { deferRows: true } : {}),
    };
    this.directories = [];
    this.directoryIndexes.clear();
    this.parents = [];
    this.parentIndexes.clear();
    this.rows = new Int32Array(ROW_FIELDS * Math.min(this.chunkRows, 4096));
    this.rowCount = 0;
    this.strings = [];
    this.chars = new Uint16Array(65536);
    this.charCount = 0;
    this.users = new Int32Array(USER_FIELDS * 1024);
    this.userCount = 0;
    this.lastDirectory = undefined;
    this.lastParent = undefined;
    this.onChunk(chunk); // last: the arrays may move to another thread
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

/** The index of `value` in `list` (added, as a copy, if absent), found through `indexes`. */
function indexIn(list: string[], indexes: Map<string, number>, value: string): number {
  let index = indexes.get(value);
  if (index === undefined) {
    index = list.length;
    list.push(detached(value));
    indexes.set(list[index] as string, index);
  }
  return index;
}

function grown(values: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const more = new Int32Array(values.length * 2);
  more.set(values);
  return more;
}

/**
 * The writer's side: the users of the chunks seen so far (their ids and names), against which each
 * chunk's rows are resolved.
 */
export class TableUsers {
  /**
   * Id → 1 + slot (place among the users, counting from the first chunk) of the first user with that id,
   * 0 for none, for ids below a few times the number of users (LDAP's ids are the slots; Jira's run from
   * 10000 up): an array is 4 bytes a user where a map takes some 40, and far quicker to read.
   */
  private slotByDenseId = new Int32Array(1024);
  /** The same for the other ids. */
  private readonly slotById = new Map<number, number>();
  /** Per slot: start and length of the user's name in `chars`. */
  private spans = new Int32Array(2 * 1024);
  private chars = new Uint16Array(65536);
  private charCount = 0;
  count = 0;

  /** Takes the chunk's users (call once per chunk, before `slots`). */
  add(table: MembershipTableData): void {
    const { users, userCount, chars } = table;
    for (let i = 0; i < userCount; i++) {
      const id = users[i * USER_FIELDS] as number;
      const start = users[i * USER_FIELDS + 1] as number;
      const length = users[i * USER_FIELDS + 2] as number;
      const slot = this.count++;
      if (id >= 0 && this.slotOf(id) < 0) this.setSlot(id, slot);
      if (2 * slot + 2 > this.spans.length) this.spans = grown(this.spans);
      if (this.charCount + length > this.chars.length) {
        const more = new Uint16Array(Math.max(this.chars.length * 2, this.charCount + length));
        more.set(this.chars.subarray(0, this.charCount));
        this.chars = more;
      }
      this.chars.set(chars.subarray(start, start + length), this.charCount);
      this.spans[2 * slot] = this.charCount;
      this.spans[2 * slot + 1] = length;
      this.charCount += length;
    }
  }

  /**
   * For each row of the chunk, in order: the slot of its member when the row names it by id, that user
   * has come, and spells the name the same; -1 otherwise (see memberName).
   */
  slots(table: MembershipTableData): Int32Array {
    const { rows, chars, rowCount } = table;
    const slots = new Int32Array(rowCount);
    const own = this.chars;
    for (let row = 0, at = 0; row < rowCount; row++, at += ROW_FIELDS) {
      const child = rows[at + 2] as number;
      let slot = -1;
      if (child >= 0) {
        slot = this.slotOf(child);
        const length = rows[at + 4] as number;
        if (length === SAME_AS_USER) {
          if (slot < 0) throw new Error(`a membership row names user id ${child}, which no chunk gave`);
        } else if (slot >= 0) {
          // The same spelling, or the row's own name counts.
          const start = rows[at + 3] as number;
          const userStart = this.spans[2 * slot] as number;
          if (this.spans[2 * slot + 1] !== length) slot = -1;
          else for (let i = 0; i < length; i++) if (chars[start + i] !== own[userStart + i]) { slot = -1; break; }
        }
      }
      slots[row] = slot;
    }
    return slots;
  }

  /** The slot of the first user with `id` so far, or -1. */
  private slotOf(id: number): number {
    if (id < this.slotByDenseId.length) {
      const dense = this.slotByDenseId[id] as number;
      if (dense > 0) return dense - 1;
    }
    return this.slotById.get(id) ?? -1;
  }

  private setSlot(id: number, slot: number): void {
    if (id >= this.slotByDenseId.length && id < 4 * this.count + 65536) {
      const more = new Int32Array(Math.max(id + 1, 2 * this.slotByDenseId.length));
      more.set(this.slotByDenseId);
      this.slotByDenseId = more;
    }
    if (id < this.slotByDenseId.length) this.slotByDenseId[id] = slot + 1;
    else this.slotById.set(id, slot);
  }
}

const utf16 = new TextDecoder('utf-16le');

/** The member's name as the row at `at` (row × ROW_FIELDS) writes it, for a row `slots` gave no slot. */
export function memberName(table: MembershipTableData, at: number): string {
  const child = table.rows[at + 2] as number;
  const start = table.rows[at + 3] as number;
  if (child < 0) return table.strings[start] as string;
  return utf16.decode(table.chars.subarray(start, start + (table.rows[at + 4] as number)));
}
