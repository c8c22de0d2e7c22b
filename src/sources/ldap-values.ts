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
