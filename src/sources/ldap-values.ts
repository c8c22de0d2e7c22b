/**
 * Pure helpers for the values an LDAP server returns: attribute lookup by name whatever its case, Active
 * Directory's range retrieval (`member;range=0-1499`), DN comparison, objectGUID and objectSid, and
 * generalized time. Kept apart from the reader so that they can be tested without a server.
 */

/** An entry as ldapts returns it: the DN and one property per returned attribute type. */
export type LdapEntry = { dn: string } & Record<string, string | string[] | Buffer | Buffer[]>;

type Value = string | Buffer;

function asList(value: string | string[] | Buffer | Buffer[] | undefined): Value[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The entry's attributes by lower-case name (attribute types are case-insensitive). */
export function attributesOf(entry: LdapEntry): Map<string, Value[]> {
  const map = new Map<string, Value[]>();
  for (const key of Object.keys(entry)) {
    if (key === 'dn') continue;
    const values = asList(entry[key]);
    const lower = key.toLowerCase();
    const existing = map.get(lower);
    if (existing) existing.push(...values);
    else map.set(lower, values.slice());
  }
  return map;
}

export function firstText(attributes: Map<string, Value[]>, name: string): string {
  if (!name) return '';
  const value = attributes.get(name.toLowerCase())?.[0];
  return value === undefined ? '' : typeof value === 'string' ? value : value.toString('utf8');
}

export function firstBuffer(attributes: Map<string, Value[]>, name: string): Buffer | undefined {
  const value = attributes.get(name.toLowerCase())?.[0];
  return value === undefined ? undefined : typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
}

export interface RangedValues {
  values: string[];
  /** The first index of the next range to ask for; undefined when every value has come. */
  next: number | undefined;
}

const RANGE = /^(.*?);range=(\d+)-(\d+|\*)$/i;

/**
 * The values of a multi-valued attribute, whether whole (`member`) or a range of it (`member;range=0-1499`,
 * `member;binary;range=10-19`): Active Directory answers with a range, and no plain attribute, when the
 * attribute holds more values than its MaxValRange (1500), and the client asks again for
 * `member;range=1500-*` until a range ends in `*`. Plain and ranged values are combined.
 */
export function rangedValues(attributes: Map<string, Value[]>, name: string): RangedValues {
  const lower = name.toLowerCase();
  const values: string[] = [];
  let next: number | undefined;
  for (const [key, list] of attributes) {
    let ranged: RegExpExecArray | null = null;
    if (key !== lower) {
      if (!key.startsWith(lower) || !(ranged = RANGE.exec(key))) continue;
      const base = ranged[1] as string;
      // The attribute itself, possibly with options such as ;binary.
      if (base !== lower && !base.startsWith(`${lower};`)) continue;
    }
    for (const value of list) values.push(typeof value === 'string' ? value : value.toString('utf8'));
    if (ranged && ranged[3] !== '*') {
      const end = Number(ranged[3]);
      next = Math.max(next ?? 0, end + 1);
    }
  }
  return { values, next };
}

/** The attribute description asking for the values from `start` on: `member;range=1500-*`. */
export function rangeRequest(name: string, start: number): string {
  return `${name};range=${start}-*`;
}

/**
 * A DN in a form that compares equal for equal DNs: attribute types and values lower-cased, spaces
 * around separators dropped, hex escapes (`\C3\AD`) decoded, the parts of a multi-valued RDN sorted.
 * Fast for the common case (no escapes, no spaces after commas, no '+').
 */
export function normaliseDn(dn: string): string {
  const lower = dn.toLowerCase();
  if (!/[\\+"]|\s[,=]|[,=]\s|^\s|\s$/.test(lower)) return lower;
  const rdns: string[] = [];
  let part = '';
  let rdn: string[] = [];
  let quoted = false;
  const endPart = () => {
    const eq = part.indexOf('=');
    rdn.push(eq < 0 ? part.trim() : `${part.slice(0, eq).trim()}=${part.slice(eq + 1).trim()}`);
    part = '';
  };
  const endRdn = () => {
    endPart();
    rdns.push(rdn.sort().join('+'));
    rdn = [];
  };
  for (let i = 0; i < lower.length; i++) {
    const c = lower[i] as string;
    if (c === '\\' && i + 1 < lower.length) {
      const hex = lower.slice(i + 1, i + 3);
      if (/^[0-9a-f]{2}$/.test(hex)) {
        // A run of hex escapes is UTF-8 bytes.
        const bytes: number[] = [];
        while (lower[i] === '\\' && /^[0-9a-f]{2}$/.test(lower.slice(i + 1, i + 3))) {
          bytes.push(parseInt(lower.slice(i + 1, i + 3), 16));
          i += 3;
        }
        i--;
        const text = Buffer.from(bytes).toString('utf8');
        part += /^[,+"\\<>;=]$/.test(text) ? `\\${text}` : text;
      } else {
        const next = lower[i + 1] as string;
        part += /[,+"\\<>;=]/.test(next) ? `\\${next}` : next;
        i++;
      }
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && (c === ',' || c === ';')) {
      endRdn();
    } else if (!quoted && c === '+') {
      endPart();
    } else {
      part += c;
    }
  }
  endRdn();
  return rdns.join(',');
}

/** The RDN value of a DN's first component (`cn=Amy Wong+sn=Kroker,…` → `Amy Wong`). */
export function firstRdnValue(dn: string): string {
  const match = /^[^=]+=((?:\\.|[^,+\\])*)/.exec(dn);
  return match ? (match[1] as string).replace(/\\(.)/g, '$1').trim() : dn;
}

/** objectGUID (16 bytes, the first three groups little-endian) as Active Directory writes it. */
export function formatGuid(bytes: Buffer): string {
  if (bytes.length !== 16) return bytes.toString('hex');
  const hex = (indexes: number[]) => indexes.map((i) => (bytes[i] as number).toString(16).padStart(2, '0')).join('');
  return `${hex([3, 2, 1, 0])}-${hex([5, 4])}-${hex([7, 6])}-${hex([8, 9])}-${hex([10, 11, 12, 13, 14, 15])}`;
}

/** objectSid (binary) as `S-1-5-21-…`; undefined when the bytes are not a SID. */
export function formatSid(bytes: Buffer): string | undefined {
  if (bytes.length < 8) return undefined;
  const count = bytes[1] as number;
  if (bytes.length !== 8 + 4 * count) return undefined;
  const authority = bytes.readUIntBE(2, 6);
  const parts = [`S-${bytes[0]}-${authority}`];
  for (let i = 0; i < count; i++) parts.push(String(bytes.readUInt32LE(8 + 4 * i)));
  return parts.join('-');
}

/** The domain part of a SID (all but the last sub-authority, the RID). */
export function domainOfSid(sid: string): string {
  return sid.slice(0, sid.lastIndexOf('-'));
}

/** userAccountControl's ACCOUNTDISABLE bit (0x2); AD may return the value signed. */
export function isDisabledAccount(userAccountControl: string): boolean {
  if (!userAccountControl) return false;
  const value = Number(userAccountControl);
  return Number.isFinite(value) && (value & 0x2) !== 0;
}

/** Generalized time (`20240131120000Z`, `20240131120000.0Z`, with offsets) as ISO text; '' when unreadable. */
export function generalizedTime(text: string): string {
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,]\d+)?(Z|[+-]\d{2,4})?$/.exec(text.trim());
  if (!match) return '';
  const [, y, mo, d, h, mi = '00', s = '00', zone = 'Z'] = match;
  const offset = zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(3, 5) || '00'}`;
  return `${y}-${mo}-${d}T${h}:${mi}:${s}${offset}`;
}

/** A `uniqueMember` value may end with an optional unique identifier: `cn=x,dc=y#'0101'B`. */
export function stripUniqueIdentifier(value: string): string {
  const hash = value.lastIndexOf('#');
  return hash > 0 && /#'[01]*'B$/.test(value) ? value.slice(0, hash) : value;
}

/** Key bytes are kept in pages of this many bytes (a longer key gets a page of its own). */
const PAGE_BITS = 20;
const PAGE_SIZE = 1 << PAGE_BITS;
const MAX_PAGES = 1 << (31 - PAGE_BITS);
/** Per entry in TextIndex.entries: hash, where the key lies (page and offset), length × 2 + wide, value. */
const ENTRY_FIELDS = 4;

/**
 * A map from texts to non-negative integers that keeps its keys in typed arrays, outside the JavaScript
 * heap: the key's length in bytes (two per character when one is above U+00FF) and 16 bytes per entry,
 * plus 8 to 16 bytes of table, where a Map of strings costs 30 to 60 bytes per entry and the string 16
 * bytes plus its text — and, since V8 lets its old generation grow to a few times what is live before
 * collecting it, each byte live on the heap costs several in RSS. The LDAP reader keeps one entry per user
 * and group (their DNs and names): this index is what grows with the directory.
 *
 * Open addressing with linear probing. `getDn` and `setDn` take a DN as normaliseDn writes it, with no
 * copy when normalising would only lower-case it (what servers write, as a rule: see hashPlainDn).
 */
export class TextIndex {
  /** Per table slot: entry number + 1, or 0 when the slot is free; at least twice as many slots as entries. */
  private slots = new Int32Array(64);
  private entries = new Int32Array(ENTRY_FIELDS * 32);
  private readonly pages: Uint8Array[] = [];
  /** Bytes used of the last page. */
  private used = PAGE_SIZE;
  size = 0;
  // What the last hashing found.
  private hash = 0;
  private wide = 0;

  /** The value for `key`, or -1. */
  get(key: string): number {
    this.hashText(key);
    return this.valueOf(this.find(key, false));
  }

  /** Sets the value for `key` (a non-negative integer), replacing any earlier one, as Map.set does. */
  set(key: string, value: number): void {
    this.hashText(key);
    this.put(key, false, value);
  }

  /** The value for the DN `dn` (compared as normaliseDn writes it), or -1. */
  getDn(dn: string): number {
    if (this.hashPlainDn(dn)) return this.valueOf(this.find(dn, true));
    return this.get(normaliseDn(dn));
  }

  /** Sets the value for the DN `dn` (compared as normaliseDn writes it). */
  setDn(dn: string, value: number): void {
    if (this.hashPlainDn(dn)) this.put(dn, true, value);
    else this.set(normaliseDn(dn), value);
  }

  private valueOf(entry: number): number {
    return entry < 0 ? -1 : (this.entries[entry * ENTRY_FIELDS + 3] as number);
  }

  private hashText(key: string): void {
    let hash = 0x811c9dc5;
    let all = 0;
    const length = key.length;
    for (let i = 0; i < length; i++) {
      const c = key.charCodeAt(i);
      all |= c;
      hash = Math.imul(hash ^ c, 0x01000193);
    }
    this.hash = mix(hash);
    this.wide = all > 0xff ? 1 : 0;
  }

  /**
   * Hashes `dn` with its ASCII letters lower-cased, as long as it is plain: when normaliseDn would only
   * lower-case it (ASCII, and nothing else to normalise: escapes, quotes, '+', spaces at either end or next
   * to ',' or '='). False when it is not.
   */
  private hashPlainDn(dn: string): boolean {
    let hash = 0x811c9dc5;
    let previous = DN_SEPARATOR; // a space first is not plain
    const length = dn.length;
    for (let i = 0; i < length; i++) {
      const c = dn.charCodeAt(i);
      if (c >= 0x80) return false;
      const kind = DN_CHAR[c] as number;
      if (kind !== 0 && (kind === DN_SPECIAL || ((previous | kind) & (DN_SPACE | DN_SEPARATOR)) === (DN_SPACE | DN_SEPARATOR))) return false;
      previous = kind;
      hash = Math.imul(hash ^ (ASCII_LOWER[c] as number), 0x01000193);
    }
    if (previous === DN_SPACE) return false;
    this.hash = mix(hash);
    this.wide = 0;
    return true;
  }

  /** The entry of `key` (hashed just before); when there is none, -(the free slot where it would go) - 1. */
  private find(key: string, lower: boolean): number {
    const hash = this.hash;
    const shape = key.length * 2 + this.wide;
    const slots = this.slots;
    const entries = this.entries;
    const mask = slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const entry = (slots[slot] as number) - 1;
      if (entry < 0) return -slot - 1;
      const at = entry * ENTRY_FIELDS;
      if (entries[at] === hash && entries[at + 2] === shape && this.same(entries[at + 1] as number, key, lower)) return entry;
    }
  }

  private same(where: number, key: string, lower: boolean): boolean {
    const page = this.pages[where >>> PAGE_BITS] as Uint8Array;
    const start = where & (PAGE_SIZE - 1);
    const length = key.length;
    if (this.wide) {
      for (let i = 0, at = start; i < length; i++, at += 2) {
        if (((page[at] as number) | ((page[at + 1] as number) << 8)) !== key.charCodeAt(i)) return false;
      }
    } else if (lower) {
      // A plain DN: ASCII only.
      for (let i = 0; i < length; i++) if ((page[start + i] as number) !== ASCII_LOWER[key.charCodeAt(i)]) return false;
    } else {
      for (let i = 0; i < length; i++) if ((page[start + i] as number) !== key.charCodeAt(i)) return false;
    }
    return true;
  }

  private put(key: string, lower: boolean, value: number): void {
    const found = this.find(key, lower);
    if (found >= 0) {
      this.entries[found * ENTRY_FIELDS + 3] = value;
      return;
    }
    const entry = this.size++;
    if ((entry + 1) * ENTRY_FIELDS > this.entries.length) {
      const more = new Int32Array(this.entries.length * 2);
      more.set(this.entries);
      this.entries = more;
    }
    const at = entry * ENTRY_FIELDS;
    this.entries[at] = this.hash;
    this.entries[at + 1] = this.store(key, lower);
    this.entries[at + 2] = key.length * 2 + this.wide;
    this.entries[at + 3] = value;
    this.slots[-found - 1] = entry + 1;
    if (this.size * 2 > this.slots.length) this.rehash();
  }

  /** Copies the key's characters into the pages; returns where they lie (page number and offset). */
  private store(key: string, lower: boolean): number {
    const wide = this.wide;
    const bytes = key.length << wide;
    let page: Uint8Array;
    if (this.used + bytes > PAGE_SIZE) {
      if (this.pages.length >= MAX_PAGES) throw new Error("the LDAP reader's index of names is full (2 GB)");
      page = new Uint8Array(Math.max(PAGE_SIZE, bytes));
      this.pages.push(page);
      this.used = 0;
    } else {
      page = this.pages[this.pages.length - 1] as Uint8Array;
    }
    const start = this.used;
    for (let i = 0; i < key.length; i++) {
      const c = lower ? (ASCII_LOWER[key.charCodeAt(i)] as number) : key.charCodeAt(i);
      if (wide) {
        page[start + 2 * i] = c & 0xff;
        page[start + 2 * i + 1] = c >>> 8;
      } else {
        page[start + i] = c;
      }
    }
    // A key with a page of its own fills it.
    this.used = bytes > PAGE_SIZE ? PAGE_SIZE : start + bytes;
    return ((this.pages.length - 1) << PAGE_BITS) | start;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.size; entry++) {
      let slot = (this.entries[entry * ENTRY_FIELDS] as number) & mask;
      while (slots[slot] !== 0) slot = (slot + 1) & mask;
      slots[slot] = entry + 1;
    }
    this.slots = slots;
  }
}

/** What the characters of a DN are to hashPlainDn: 0 for most. */
const DN_SPECIAL = 1; // \ + "
const DN_SPACE = 2;
const DN_SEPARATOR = 4; // , =
const DN_CHAR = new Uint8Array(128);
for (const c of '\\+"') DN_CHAR[c.charCodeAt(0)] = DN_SPECIAL;
for (const c of ' \t\n\v\f\r') DN_CHAR[c.charCodeAt(0)] = DN_SPACE;
for (const c of ',=') DN_CHAR[c.charCodeAt(0)] = DN_SEPARATOR;
/** ASCII code → the code lower-cased (A–Z → a–z). */
const ASCII_LOWER = new Uint8Array(128).map((_, c) => (c >= 0x41 && c <= 0x5a ? c + 32 : c));

/** The last step of MurmurHash3: every bit of the hash depends on every bit of the input. */
function mix(hash: number): number {
  let h = hash ^ (hash >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
