/**
 * The users page's index: every effective user of the loaded estate in columns (small integers for the
 * source, directory, activity, decision and findings; one lower-case text per user for the search), built
 * once per load, so that a filtered, sorted page of 100 out of 100,000 users and the facet counts take a
 * few passes over typed arrays (issue #8: < 200 ms). Pure: estate, decisions and assessment in.
 */
import type { Assessment } from '../assess/index.js';
import type { EffectiveUser, Estate } from '../assess/estate.js';
import { USER_ACTIONS, type Decisions, type UserAction } from '../model/decision.js';
import type { Finding, Subject } from '../model/finding.js';
import type { Facet, UserDecisionFilter, UserRow, UserSort, UsersFacets, UsersResponse } from './api-types.js';

/** The opaque, URL-safe id of a user: (source, user key) in base64url. */
export const userId = (user: { source: string; userKey: string }): string => Buffer.from(`${user.source}\u0000${user.userKey}`, 'utf8').toString('base64url');

export function parseUserId(id: string): { source: string; userKey: string } | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(id)) return undefined;
  const text = Buffer.from(id, 'base64url').toString('utf8');
  const at = text.indexOf('\u0000');
  return at < 0 ? undefined : { source: text.slice(0, at), userKey: text.slice(at + 1) };
}

export interface UserFilter {
  q?: string;
  finding?: string;
  source?: string;
  directory?: string;
  active?: boolean;
  decision?: UserDecisionFilter;
}

/** Decision numbers: 0 none, then USER_ACTIONS in order. */
const DECISION_NAMES: readonly UserDecisionFilter[] = ['none', ...USER_ACTIONS];

/**
 * The users a finding concerns: its user subjects (by source and name), and for email and domain
 * subjects the users holding that address or domain.
 */
function findingUsers(
  estate: Estate,
  finding: Finding,
  byEmail: Map<string, EffectiveUser[]>,
  byDomain: Map<string, EffectiveUser[]>,
): Array<{ user: EffectiveUser; subject: Subject }> {
  const found: Array<{ user: EffectiveUser; subject: Subject }> = [];
  for (const subject of finding.subjects) {
    if (subject.type === 'user') {
      const sources = subject.source ? estate.sources.filter((s) => s.name === subject.source) : estate.sources;
      for (const source of sources) {
        const user = source.usersByLowerName.get(subject.id.toLowerCase());
        if (user) found.push({ user, subject });
      }
    } else if (subject.type === 'email') {
      for (const user of byEmail.get(subject.id.toLowerCase()) ?? []) if (!subject.source || user.source === subject.source) found.push({ user, subject });
    } else if (subject.type === 'domain' && !finding.resolved) {
      for (const user of byDomain.get(subject.id.toLowerCase()) ?? []) found.push({ user, subject });
    }
  }
  return found;
}

/**
 * What depends on the estate alone (the users in columns, their ids, search texts and sort orders): built
 * once per scan and kept while only decisions change.
 */
class EstateColumns {
  readonly users: EffectiveUser[] = [];
  readonly byId = new Map<string, number>();
  readonly position = new Map<EffectiveUser, number>();
  readonly sourceNames: string[];
  readonly directoryNames: string[] = [];
  readonly source: Uint16Array;
  readonly directory: Uint16Array;
  readonly active: Uint8Array;
  readonly text: string[];
  readonly byEmail = new Map<string, EffectiveUser[]>();
  readonly byDomain = new Map<string, EffectiveUser[]>();
  readonly orders = new Map<UserSort, Int32Array>();

  constructor(estate: Estate) {
    for (const source of estate.sources) for (const user of source.users) this.users.push(user);
    const n = this.users.length;
    this.sourceNames = estate.sources.map((s) => s.name);
    this.source = new Uint16Array(n);
    this.directory = new Uint16Array(n);
    this.active = new Uint8Array(n);
    this.text = new Array<string>(n);
    const sourceNumber = new Map(this.sourceNames.map((name, i) => [name, i]));
    const directoryNumber = new Map<string, number>();
    // Directories by name, as the scan recorded them (the id when a source does not describe one).
    const directoryNames = new Map(estate.sources.map((source) => [source.name, new Map(source.directories.map((d) => [d.id, d.name]))]));
    const directoryNameOf = (user: EffectiveUser) => directoryNames.get(user.source)?.get(user.directoryId) ?? user.directoryId;
    this.users.forEach((user, i) => {
      this.position.set(user, i);
      this.byId.set(userId(user), i);
      this.source[i] = sourceNumber.get(user.source) ?? 0;
      const directory = directoryNameOf(user);
      let d = directoryNumber.get(directory);
      if (d === undefined) {
        d = this.directoryNames.length;
        directoryNumber.set(directory, d);
        this.directoryNames.push(directory);
      }
      this.directory[i] = d;
      this.active[i] = user.active ? 1 : 0;
      this.text[i] = `${user.userName}\u0000${user.displayName}\u0000${user.rawEmail}`.toLowerCase();
      if (user.email.normalised) push(this.byEmail, user.email.normalised, user);
      if (user.email.domain) push(this.byDomain, user.email.domain, user);
    });
    const sortKey = (pick: (u: EffectiveUser) => string) => {
      const keys = this.users.map((u) => pick(u).toLowerCase());
      const order = Int32Array.from({ length: n }, (_, i) => i);
      return order.sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : a - b));
    };
    this.orders.set('username', sortKey((u) => u.userName));
    this.orders.set('email', sortKey((u) => u.rawEmail));
    this.orders.set('displayName', sortKey((u) => u.displayName));
  }
}

const columnsOf = new WeakMap<Estate, EstateColumns>();

export class UserIndex {
  readonly users: EffectiveUser[];
  private readonly byId: Map<string, number>;
  private readonly sourceNames: string[];
  private readonly directoryNames: string[];
  private readonly findingCodes: string[] = [];
  private readonly source: Uint16Array;
  private readonly directory: Uint16Array;
  private readonly active: Uint8Array;
  private readonly decision: Uint8Array;
  /** Finding numbers of each user. */
  private readonly findings: number[][];
  /** Each user's findings with the first subject of each that concerns them (the user page shows its detail). */
  private readonly concerning: Array<Array<{ finding: Finding; subject: Subject }>>;
  private readonly text: string[];
  private readonly orders: Map<UserSort, Int32Array>;

  /** What depends on the estate alone is built once per estate and shared by the indexes of later decisions. */
  constructor(estate: Estate, decisions: Decisions, assessment: Assessment) {
    let columns = columnsOf.get(estate);
    if (!columns) columnsOf.set(estate, (columns = new EstateColumns(estate)));
    ({ users: this.users, byId: this.byId, sourceNames: this.sourceNames, directoryNames: this.directoryNames } = columns);
    ({ source: this.source, directory: this.directory, active: this.active, text: this.text, orders: this.orders } = columns);
    const n = this.users.length;
    this.decision = new Uint8Array(n);
    this.findings = Array.from({ length: n }, () => []);
    this.concerning = Array.from({ length: n }, () => []);
    for (const decision of decisions.users) {
      const i = this.byId.get(userId(decision));
      if (i !== undefined) this.decision[i] = DECISION_NAMES.indexOf(decision.action);
    }
    for (const finding of assessment.findings) {
      let code = this.findingCodes.indexOf(finding.code);
      if (code < 0) code = this.findingCodes.push(finding.code) - 1;
      for (const { user, subject } of findingUsers(estate, finding, columns.byEmail, columns.byDomain)) {
        const i = columns.position.get(user)!;
        const list = this.findings[i]!;
        if (!list.includes(code)) list.push(code);
        const concerning = this.concerning[i]!;
        if (!concerning.some((c) => c.finding === finding)) concerning.push({ finding, subject });
      }
    }
  }

  /** The findings that concern user `i`, each with its first subject that names them, in the assessment's order. */
  concerns(i: number): ReadonlyArray<{ finding: Finding; subject: Subject }> {
    return this.concerning[i]!;
  }

  /** The index of a user id, or undefined. */
  find(id: string): number | undefined {
    return this.byId.get(id);
  }

  row(i: number): UserRow {
    const user = this.users[i]!;
    const decision = this.decision[i]!;
    return {
      id: userId(user),
      source: user.source,
      username: user.userName,
      displayName: user.displayName,
      email: user.rawEmail,
      directory: this.directoryNames[this.directory[i]!]!,
      active: this.active[i] === 1,
      findings: this.findings[i]!.map((code) => this.findingCodes[code]!),
      decision: decision === 0 ? null : (DECISION_NAMES[decision] as UserAction),
    };
  }

  /** A sorted page of the users matching the filter, with the facet counts. */
  query(filter: UserFilter, sort: UserSort, offset: number, limit: number): UsersResponse {
    const n = this.users.length;
    const wanted = {
      source: filter.source === undefined ? -1 : this.sourceNames.indexOf(filter.source),
      directory: filter.directory === undefined ? -1 : this.directoryNames.indexOf(filter.directory),
      active: filter.active === undefined ? -1 : filter.active ? 1 : 0,
      decision: filter.decision === undefined ? -1 : DECISION_NAMES.indexOf(filter.decision),
      finding: filter.finding === undefined ? -1 : this.findingCodes.indexOf(filter.finding),
    };
    // A filter naming nothing that exists matches nothing (but is not an error: the page may be stale).
    const impossible =
      (filter.source !== undefined && wanted.source < 0) ||
      (filter.directory !== undefined && wanted.directory < 0) ||
      (filter.decision !== undefined && wanted.decision < 0) ||
      (filter.finding !== undefined && wanted.finding < 0);
    const q = (filter.q ?? '').trim().toLowerCase();
    // Bit per dimension a user fails: 1 q, 2 source, 4 directory, 8 active, 16 decision, 32 finding.
    const fails = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      let f = 0;
      if (q !== '' && !this.text[i]!.includes(q)) f |= 1;
      if (wanted.source >= 0 && this.source[i] !== wanted.source) f |= 2;
      if (wanted.directory >= 0 && this.directory[i] !== wanted.directory) f |= 4;
      if (wanted.active >= 0 && this.active[i] !== wanted.active) f |= 8;
      if (wanted.decision >= 0 && this.decision[i] !== wanted.decision) f |= 16;
      if (wanted.finding >= 0 && !this.findings[i]!.includes(wanted.finding)) f |= 32;
      fails[i] = f;
    }
    const facets = this.facets(fails, impossible);
    const rows: UserRow[] = [];
    let total = 0;
    if (!impossible) {
      const order = this.orders.get(sort)!;
      for (let k = 0; k < n; k++) {
        const i = order[k]!;
        if (fails[i] !== 0) continue;
        if (total >= offset && rows.length < limit) rows.push(this.row(i));
        total++;
      }
    }
    return { total, offset, limit, rows, facets };
  }

  /** Per dimension, counts over the users that pass every other filter. */
  private facets(fails: Uint8Array, impossible: boolean): UsersFacets {
    const sources = new Array<number>(this.sourceNames.length).fill(0);
    const directories = new Array<number>(this.directoryNames.length).fill(0);
    const decisions = new Array<number>(DECISION_NAMES.length).fill(0);
    const findings = new Array<number>(this.findingCodes.length).fill(0);
    if (!impossible) {
      for (let i = 0; i < fails.length; i++) {
        const f = fails[i]!;
        if ((f & ~2) === 0) sources[this.source[i]!]!++;
        if ((f & ~4) === 0) directories[this.directory[i]!]!++;
        if ((f & ~16) === 0) decisions[this.decision[i]!]!++;
        if ((f & ~32) === 0) for (const code of this.findings[i]!) findings[code]!++;
      }
    }
    const named = (names: readonly string[], counts: number[]): Facet[] => names.map((name, i) => ({ name, count: counts[i]! }));
    return {
      findings: this.findingCodes.map((code, i) => ({ code, count: findings[i]! })).filter((f) => f.count > 0),
      sources: named(this.sourceNames, sources),
      directories: named(this.directoryNames, directories),
      decisions: named(DECISION_NAMES, decisions),
    };
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
