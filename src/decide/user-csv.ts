/**
 * The user CSV: `usermig users export` writes one row per effective user in Atlassian's advanced-experience
 * layout (RULES.md CSV-02) followed by usermig's own columns; `usermig users import` reads that file back,
 * or Atlassian's advanced (CSV-02) or simple (CSV-01) layout, and turns it into user decisions.
 *
 * Pure: estate, stored decisions and the file's text in; rows, or the decisions to save, out. A file with
 * any problem yields an input error that lists every problem with its line, and no decisions.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { duplicatedAddresses } from '../assess/checks/duplicated-emails.js';
import type { EffectiveUser, Estate, SourceEstate } from '../assess/estate.js';
import { USER_ACTIONS, type UserAction, type UserDecision, type UserRef } from '../model/decision.js';
import { isValidEmail } from '../model/email.js';
import { inputError, UsermigError } from '../model/errors.js';
import type { UserDecisionInput } from '../workspace/decision-store.js';
import { describeRef, refKey, resolveIdentities, type CloudIdentity, type Identities } from './identities.js';

/** Atlassian's advanced-experience columns (CSV-02), in order. */
export const ATLASSIAN_ADVANCED_COLUMNS = ['UserKey', 'UserName', 'ErrorType', 'OldEmail', 'NewEmail', 'Tombstone', 'AccountType'] as const;
/** Atlassian's simple-experience columns (CSV-01), in order. */
export const ATLASSIAN_SIMPLE_COLUMNS = ['UserKey', 'UserName', 'Type', 'OldEmail', 'NewEmail', 'Tombstone'] as const;
/** usermig's own columns, after Atlassian's advanced ones. */
export const USERMIG_COLUMNS = ['Source', 'Directory', 'Active', 'Decision', 'MergeInto', 'Note'] as const;
export const USER_EXPORT_COLUMNS = [...ATLASSIAN_ADVANCED_COLUMNS, ...USERMIG_COLUMNS] as const;

export type UserCsvLayout = 'usermig' | 'atlassian-advanced' | 'atlassian-simple';

const bool = (value: boolean): string => (value ? 'TRUE' : 'FALSE');
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const keyCollator = new Intl.Collator('en', { numeric: true });

// ---------------------------------------------------------------------------------------------- export

/** The email an export row shows in NewEmail for a user, given the current identities. */
function exportedNewEmail(identity: CloudIdentity): string {
  const { user } = identity;
  if (identity.outcome === 'former-user' || identity.outcome === 'skip') return user.email.valid ? user.email.normalised : '';
  return identity.email ?? '';
}

/** One row per effective user: all sources by name, then users by username. */
export function userExportRows(estate: Estate, decisions: readonly UserDecision[]): string[][] {
  const identities = resolveIdentities(estate, decisions);
  const problems = new Map<string, string>();
  for (const { decision, message } of identities.problems) if (!problems.has(refKey(decision))) problems.set(refKey(decision), message);
  const users = new Map<string, EffectiveUser>();
  for (const source of estate.sources) for (const user of source.users) users.set(refKey(user), user);

  const rows: string[][] = [];
  const sources = [...estate.sources].sort((a, b) => byText(a.name, b.name));
  for (const source of sources) {
    const duplicated = duplicatedAddresses(source);
    const ordered = [...source.users].sort((a, b) => byText(a.lowerName, b.lowerName) || byText(a.userName, b.userName));
    for (const user of ordered) {
      const identity = identities.byUser.get(user) as CloudIdentity;
      const decision = identity.decision;
      const errorType = !user.email.valid ? 'INV' : duplicated.has(user.email.normalised) ? 'DUP' : '';
      let mergeInto = '';
      if (decision?.action === 'merge-into' && decision.target) {
        const target = users.get(refKey(decision.target));
        mergeInto = target ? describeRef(target) : describeRef(decision.target);
      }
      rows.push([
        user.userKey,
        user.userName,
        errorType,
        user.rawEmail.trim(),
        exportedNewEmail(identity),
        bool(identity.outcome === 'former-user'),
        'USER',
        user.source,
        user.directoryId,
        bool(user.active),
        decision?.action ?? 'migrate',
        mergeInto,
        problems.get(refKey(user)) ?? decision?.reason ?? '',
      ]);
    }
  }
  return rows;
}

/** The export file's text. */
export function userExportCsv(estate: Estate, decisions: readonly UserDecision[]): string {
  return stringify(userExportRows(estate, decisions), { header: true, columns: [...USER_EXPORT_COLUMNS] });
}

// ---------------------------------------------------------------------------------------------- import

export interface UserCsvImport {
  layout: UserCsvLayout;
  /** Data rows in the file. */
  rows: number;
  /** The decisions that differ from the stored ones, for one saveUserDecisions call. */
  changes: UserDecisionInput[];
}

interface Problem {
  line: number | null;
  message: string;
}

interface CsvRecord {
  fields: string[];
  /** The physical line where the record starts. */
  line: number;
}

/** What a row asks for: a decision, or to leave the user's decision as it is. */
interface RowIntent {
  line: number;
  user: EffectiveUser;
  decision: Omit<UserDecisionInput, 'user'> | null;
}

interface DeriveRow {
  line: number;
  user: EffectiveUser;
  /** Normalised NewEmail, valid. */
  email: string;
}

const lower = (text: string): string => text.trim().toLowerCase();

/** Parses the text; line numbers are those where each record starts. */
function readRecords(file: string, text: string): CsvRecord[] {
  // Line ends are made \n so that csv-parse counts lines the way editors do.
  const normalised = text.replace(/\r\n?/g, '\n');
  let parsed: Array<{ record: string[]; info: { lines: number } }>;
  try {
    parsed = parse(normalised, { bom: true, skip_empty_lines: true, relax_column_count: false, info: true }) as unknown as typeof parsed;
  } catch (error) {
    const lines = (error as { lines?: unknown }).lines;
    const message = (error as Error).message.replace(/ on line \d+$/, '');
    throw importError(file, [{ line: typeof lines === 'number' ? lines : null, message: `not a readable CSV file: ${message}` }]);
  }
  // info.lines is the line where the record ends; it starts as many lines earlier as its fields hold.
  return parsed.map(({ record, info }) => ({
    fields: record,
    line: info.lines - record.reduce((sum, field) => sum + (field.match(/\n/g)?.length ?? 0), 0),
  }));
}

function importError(file: string, problems: Problem[]): UsermigError {
  const sorted = [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  const lines = sorted.map(({ line, message }) => `${file}: ${line === null ? '' : `line ${line}: `}${message}`);
  return inputError(`${file}: ${problems.length} ${problems.length === 1 ? 'problem' : 'problems'}, nothing imported:\n${lines.join('\n')}`);
}

interface Layout {
  layout: UserCsvLayout;
  /** Column index by lower-case name. */
  columns: Map<string, number>;
}

const LAYOUTS: Array<{ layout: UserCsvLayout; required: readonly string[]; optional: readonly string[] }> = [
  { layout: 'usermig', required: ATLASSIAN_ADVANCED_COLUMNS, optional: USERMIG_COLUMNS },
  { layout: 'atlassian-advanced', required: ATLASSIAN_ADVANCED_COLUMNS, optional: [] },
  { layout: 'atlassian-simple', required: ATLASSIAN_SIMPLE_COLUMNS, optional: [] },
];

function detectLayout(header: CsvRecord): Layout | Problem {
  const names = header.fields.map(lower);
  const columns = new Map<string, number>();
  for (const [index, name] of names.entries()) {
    if (columns.has(name)) return { line: header.line, message: `the header names column "${header.fields[index]?.trim()}" twice` };
    columns.set(name, index);
  }
  const hasUsermigColumn = USERMIG_COLUMNS.some((name) => columns.has(name.toLowerCase()));
  for (const candidate of LAYOUTS) {
    if (candidate.layout === 'usermig' && !hasUsermigColumn) continue;
    const known = new Set([...candidate.required, ...candidate.optional].map((name) => name.toLowerCase()));
    if (candidate.required.every((name) => columns.has(name.toLowerCase())) && names.every((name) => known.has(name))) {
      return { layout: candidate.layout, columns };
    }
  }
  return {
    line: header.line,
    message:
      `unknown header "${header.fields.map((f) => f.trim()).join(',')}": expected usermig's export (${USER_EXPORT_COLUMNS.join(',')}), ` +
      `Atlassian's advanced CSV (${ATLASSIAN_ADVANCED_COLUMNS.join(',')}) or its simple CSV (${ATLASSIAN_SIMPLE_COLUMNS.join(',')})`,
  };
}

/** Finds users by (source, lower-case user key). */
class UserLookup {
  private readonly byKey = new Map<string, EffectiveUser[]>();
  private readonly sources = new Map<string, SourceEstate>();

  constructor(private readonly estate: Estate) {
    for (const source of estate.sources) {
      this.sources.set(source.name.toLowerCase(), source);
      for (const user of source.users) {
        const key = user.userKey.toLowerCase();
        const list = this.byKey.get(key);
        if (list) list.push(user);
        else this.byKey.set(key, [user]);
      }
    }
  }

  source(name: string): SourceEstate | undefined {
    return this.sources.get(name.trim().toLowerCase());
  }

  sourceNames(): string {
    return this.estate.sources.map((s) => s.name).join(', ');
  }

  /** The row's user, or why there is none. */
  row(sourceName: string, userKey: string, userName: string): EffectiveUser | string {
    const key = userKey.trim().toLowerCase();
    const name = userName.trim();
    const shown = `user key "${userKey.trim()}"${name ? ` (UserName "${name}")` : ''}`;
    if (key === '') return 'UserKey is empty';
    const all = this.byKey.get(key) ?? [];
    if (sourceName.trim() !== '') {
      const source = this.source(sourceName);
      if (!source) return `no source "${sourceName.trim()}" in the workspace (it has ${this.sourceNames()})`;
      const found = all.find((user) => user.source === source.name);
      return found ?? `no user with ${shown} in ${source.name}`;
    }
    if (all.length === 1) return all[0] as EffectiveUser;
    if (all.length === 0) return `no user with ${shown} in the workspace`;
    const named = all.filter((user) => user.lowerName === name.toLowerCase());
    if (named.length === 1) return named[0] as EffectiveUser;
    return `${shown} is a user of several sources (${all.map((u) => u.source).join(', ')}) and the UserName does not tell which; add a Source column`;
  }

  /** A MergeInto value: SOURCE:USERNAME, or a username or user key of the row's own source. */
  mergeTarget(text: string, from: EffectiveUser): EffectiveUser | undefined {
    const value = text.trim();
    const colon = value.indexOf(':');
    const named = colon > 0 ? this.source(value.slice(0, colon)) : undefined;
    const source = named ?? this.source(from.source);
    const name = (named ? value.slice(colon + 1) : value).trim().toLowerCase();
    if (!source) return undefined;
    return source.usersByLowerName.get(name) ?? source.users.find((user) => user.userKey.toLowerCase() === name);
  }
}

const asUserRef = (user: EffectiveUser): UserRef => ({ source: user.source, userKey: user.userKey, userName: user.userName });

/** Atlassian's merge picks the survivor among users given one address (AS-08); usermig makes it deterministic. */
function chooseSurvivor(users: EffectiveUser[], email: string, current: Identities): EffectiveUser {
  const owners = users.filter((user) => user.email.valid && user.email.normalised === email);
  const candidates = owners.length > 0 ? owners : users;
  const holdsAccount = (user: EffectiveUser) => {
    const identity = current.byUser.get(user);
    return identity?.outcome === 'account' && identity.email === email ? 0 : 1;
  };
  const updated = (user: EffectiveUser) => {
    const time = Date.parse(user.updated.trim().replace(' ', 'T'));
    return Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
  };
  return [...candidates].sort(
    (a, b) =>
      holdsAccount(a) - holdsAccount(b) ||
      Number(b.active) - Number(a.active) ||
      (updated(b) === updated(a) ? 0 : updated(b) > updated(a) ? 1 : -1) ||
      keyCollator.compare(a.userKey, b.userKey),
  )[0] as EffectiveUser;
}

/** Does the decision differ from the stored one? No decision and `migrate` are the same. */
function differs(stored: UserDecision | undefined, next: Omit<UserDecisionInput, 'user'>): boolean {
  const action: UserAction = stored?.action ?? 'migrate';
  if (action !== next.action) return true;
  if (action === 'new-email') return lower(stored?.newEmail ?? '') !== lower(next.newEmail ?? '');
  if (action === 'merge-into') return stored?.target?.source !== next.target?.source || stored?.target?.userKey !== next.target?.userKey;
  return false;
}

/**
 * Reads the file's text into the decisions it asks for. Throws an input error listing every problem
 * when there is any.
 */
export function planUserCsvImport(file: string, text: string, estate: Estate, stored: readonly UserDecision[]): UserCsvImport {
  const records = readRecords(file, text);
  const header = records[0];
  if (!header) throw importError(file, [{ line: null, message: 'the file is empty; it needs a header row' }]);
  const detected = detectLayout(header);
  if (!('layout' in detected)) throw importError(file, [detected]);
  const { layout, columns } = detected;
  const field = (record: CsvRecord, name: string): string => {
    const index = columns.get(name.toLowerCase());
    return index === undefined ? '' : (record.fields[index] ?? '');
  };

  const problems: Problem[] = [];
  const lookup = new UserLookup(estate);
  const current = resolveIdentities(estate, stored);
  const storedByUser = new Map<string, UserDecision>();
  for (const decision of stored) storedByUser.set(refKey(decision), decision);
  const seen = new Map<string, number>();
  const intents: RowIntent[] = [];
  const derived: DeriveRow[] = [];
  const rows = records.slice(1);

  for (const record of rows) {
    const { line } = record;
    const problem = (message: string) => problems.push({ line, message });
    const found = lookup.row(field(record, 'Source'), field(record, 'UserKey'), field(record, 'UserName'));
    if (typeof found === 'string') {
      problem(found);
      continue;
    }
    const user = found;
    const earlier = seen.get(refKey(user));
    if (earlier !== undefined) {
      problem(`${describeRef(user)} (key ${user.userKey}) already has a row, at line ${earlier}`);
      continue;
    }
    seen.set(refKey(user), line);

    let ok = true;
    const fail = (message: string) => {
      problem(message);
      ok = false;
    };
    const tombstoneText = field(record, 'Tombstone').trim();
    const tombstone = tombstoneText.toUpperCase() === 'TRUE' ? true : tombstoneText.toUpperCase() === 'FALSE' ? false : null;
    if (tombstone === null) fail(`Tombstone is "${tombstoneText}" for ${describeRef(user)}; it must be TRUE or FALSE`);
    const newEmailText = field(record, 'NewEmail').trim();
    const newEmail = newEmailText.toLowerCase();
    if (newEmail !== '' && !isValidEmail(newEmailText)) fail(`NewEmail "${newEmailText}" of ${describeRef(user)} is not a valid email address`);

    // usermig's Decision and MergeInto columns, when filled in, say what to do.
    const decisionText = lower(field(record, 'Decision'));
    const mergeText = field(record, 'MergeInto').trim();
    let action: UserAction | null = null;
    if (decisionText !== '') {
      if ((USER_ACTIONS as readonly string[]).includes(decisionText)) action = decisionText as UserAction;
      else fail(`Decision "${field(record, 'Decision').trim()}" of ${describeRef(user)} is not one of ${USER_ACTIONS.join(', ')}`);
    } else if (mergeText !== '') {
      action = 'merge-into';
    }
    if (decisionText !== '' && action === null) continue;
    if (action !== null) {
      const clear = 'or empty the Decision column to derive the decision from NewEmail and Tombstone';
      let target: EffectiveUser | undefined;
      if (mergeText !== '' && action !== 'merge-into') fail(`MergeInto "${mergeText}" is set but the Decision of ${describeRef(user)} is ${action}; MergeInto goes with merge-into only`);
      if (tombstone === true && action !== 'former-user') fail(`Tombstone is TRUE but the Decision of ${describeRef(user)} is ${action}; set Decision to former-user, ${clear}`);
      if (tombstone === false && action === 'former-user') fail(`Decision is former-user but Tombstone is FALSE for ${describeRef(user)}; set Tombstone to TRUE, or choose another Decision`);
      if (action === 'new-email' && newEmail === '') fail(`Decision new-email needs the address in NewEmail for ${describeRef(user)}`);
      if (action === 'migrate' && newEmail !== '' && !(user.email.valid && user.email.normalised === newEmail)) {
        fail(`NewEmail "${newEmailText}" is not ${describeRef(user)}'s own address, but the Decision is migrate; set Decision to new-email, ${clear}`);
      }
      if (action === 'merge-into') {
        if (mergeText === '') fail(`Decision merge-into needs the surviving user in MergeInto (SOURCE:USERNAME) for ${describeRef(user)}`);
        else {
          target = lookup.mergeTarget(mergeText, user);
          if (!target) fail(`MergeInto "${mergeText}" of ${describeRef(user)} names no user of the workspace`);
        }
      }
      if (!ok) continue;
      intents.push({
        line,
        user,
        decision: {
          action,
          newEmail: action === 'new-email' ? newEmail : null,
          target: action === 'merge-into' && target ? asUserRef(target) : null,
        },
      });
      continue;
    }
    if (!ok) continue;

    // Atlassian's rules (CSV-01, CSV-02): Tombstone overrides everything (IN-05), else NewEmail decides.
    if (tombstone) {
      intents.push({ line, user, decision: { action: 'former-user' } });
      continue;
    }
    const identity = current.byUser.get(user) as CloudIdentity;
    if (newEmail === '' || (identity.outcome === 'skip' && newEmail === exportedNewEmail(identity))) {
      intents.push({ line, user, decision: null });
      continue;
    }
    derived.push({ line, user, email: newEmail });
  }

  // Rows of one source giving the same NewEmail become one account (CSV-02: "merge any users").
  const groups = new Map<string, DeriveRow[]>();
  for (const row of derived) {
    const key = `${row.user.source}\u0000${row.email}`;
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  for (const group of groups.values()) {
    const first = group[0] as DeriveRow;
    const { email } = first;
    if (group.length === 1) {
      const { user, line } = first;
      const identity = current.byUser.get(user) as CloudIdentity;
      if ((identity.outcome === 'account' || identity.outcome === 'merged') && identity.email === email) intents.push({ line, user, decision: null });
      else if (user.email.valid && user.email.normalised === email) intents.push({ line, user, decision: { action: 'migrate' } });
      else intents.push({ line, user, decision: { action: 'new-email', newEmail: email } });
      continue;
    }
    const survivor = chooseSurvivor(
      group.map((row) => row.user),
      email,
      current,
    );
    for (const { user, line } of group) {
      if (user === survivor) {
        const own = user.email.valid && user.email.normalised === email;
        intents.push({ line, user, decision: own ? { action: 'migrate' } : { action: 'new-email', newEmail: email } });
      } else {
        intents.push({ line, user, decision: { action: 'merge-into', target: asUserRef(survivor) } });
      }
    }
  }

  // The decisions as they would be after the import, and what they make of everyone.
  const rowOf = new Map<string, RowIntent>();
  for (const intent of intents) rowOf.set(refKey(intent.user), intent);
  const resulting = new Map<string, UserDecision>(storedByUser);
  for (const intent of intents) {
    if (!intent.decision) continue;
    const previous = storedByUser.get(refKey(intent.user));
    resulting.set(refKey(intent.user), {
      ...asUserRef(intent.user),
      action: intent.decision.action,
      newEmail: intent.decision.newEmail ?? null,
      target: intent.decision.target ?? null,
      decidedBy: previous?.decidedBy ?? '',
      decidedAt: previous?.decidedAt ?? '',
      reason: previous?.reason ?? '',
      appliedAt: previous?.appliedAt ?? null,
    });
  }
  const after = resolveIdentities(estate, [...resulting.values()]);

  // Merges that cannot apply: into oneself, into a user who is merged, skipped or a Former user.
  const before = new Set(current.problems.map((p) => `${refKey(p.decision)}\u0000${p.message}`));
  for (const { decision, message } of after.problems) {
    if (before.has(`${refKey(decision)}\u0000${message}`)) continue; // as it was: assess reports it
    const own = rowOf.get(refKey(decision));
    if (own?.decision) problems.push({ line: own.line, message });
    else {
      const targetRow = decision.target ? rowOf.get(refKey(decision.target)) : undefined;
      const line = own?.line ?? targetRow?.line ?? null;
      problems.push({ line, message: `${message} (a decision taken before${own ? ', which this row leaves as it is' : ', not in this file'})` });
    }
  }

  // A new email must not be an address that another user of the source keeps for an account.
  const accountsByEmail = new Map<string, EffectiveUser[]>();
  for (const identity of after.byUser.values()) {
    if (identity.outcome !== 'account' || !identity.email) continue;
    const key = `${identity.user.source}\u0000${identity.email}`;
    const list = accountsByEmail.get(key);
    if (list) list.push(identity.user);
    else accountsByEmail.set(key, [identity.user]);
  }
  for (const identity of after.byUser.values()) {
    if (identity.decision?.action !== 'new-email' || identity.outcome !== 'account' || !identity.email) continue;
    const { user, email } = identity;
    const others = (accountsByEmail.get(`${user.source}\u0000${email}`) ?? []).filter((other) => other !== user);
    for (const other of others) {
      const was = current.byUser.get(user);
      const otherWas = current.byUser.get(other);
      if (was?.outcome === 'account' && was.email === email && otherWas?.outcome === 'account' && otherWas.email === email) continue; // not new
      const own = rowOf.get(refKey(user));
      const otherRow = rowOf.get(refKey(other));
      const keeps = other.email.valid && other.email.normalised === email ? 'keeps as its own address' : 'is also given';
      problems.push({
        line: own?.line ?? otherRow?.line ?? null,
        message:
          `the new email ${email} of ${describeRef(user)} is an address ${describeRef(other)} ${keeps}` +
          `${otherRow ? ` (line ${otherRow.line})` : ''}, which would make two accounts with one address; ` +
          'give them the same NewEmail to merge them, or choose another address',
      });
    }
  }

  if (problems.length > 0) throw importError(file, problems);

  const changes: UserDecisionInput[] = [];
  for (const intent of [...intents].sort((a, b) => a.line - b.line)) {
    if (!intent.decision || !differs(storedByUser.get(refKey(intent.user)), intent.decision)) continue;
    changes.push({ user: asUserRef(intent.user), ...intent.decision });
  }
  return { layout, rows: rows.length, changes };
}
