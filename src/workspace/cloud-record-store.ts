/**
 * The workspace's record of a target's cloud: the accounts, groups and memberships a full read saw, kept
 * up to date by every apply, with the directory's totals at that moment. Stored compactly (members as
 * indexes into the account list) in one row per target, so that loading it costs a fraction of reading
 * the cloud again. Whether it may be trusted is decided by the caller (src/targets/cloud-view.ts).
 */
import type { CloudState } from '../targets/cloud-writer.js';
import type { Db } from './workspace.js';

export interface CloudTotals {
  accounts: number;
  groups: number;
}

export interface CloudRecord {
  /** Changes whenever the record is written: a plan names the record it was computed against. */
  id: string;
  /** When the cloud was last read in full; the record has been kept up to date by applies since. */
  readAt: string;
  savedAt: string;
  totals: CloudTotals;
  state: CloudState;
}

/** accounts: [email, id, active]; groups: [lower name, id, name, member account indexes]; unwritable: [lower, name] */
interface CompactState {
  accounts: Array<[string, string, 0 | 1]>;
  groups: Array<[string, string, string, number[]]>;
  unwritable?: Array<[string, string]>;
}

function compact(state: CloudState): CompactState {
  const index = new Map<string, number>();
  const accounts: CompactState['accounts'] = [];
  for (const [email, account] of state.accounts) {
    index.set(email, accounts.length);
    accounts.push([email, account.id, account.active ? 1 : 0]);
  }
  const groups: CompactState['groups'] = [];
  for (const [lower, group] of state.groups) {
    const members: number[] = [];
    for (const email of group.members) {
      const at = index.get(email);
      if (at !== undefined) members.push(at);
    }
    groups.push([lower, group.id, group.name, members]);
  }
  return { accounts, groups, ...(state.unwritableGroups ? { unwritable: [...state.unwritableGroups] } : {}) };
}

function expand(stored: CompactState): CloudState {
  const accounts: CloudState['accounts'] = new Map();
  const emailById = new Map<string, string>();
  const idByEmail = new Map<string, string>();
  const emails: string[] = [];
  for (const [email, id, active] of stored.accounts) {
    accounts.set(email, { id, active: active === 1 });
    emailById.set(id, email);
    idByEmail.set(email, id);
    emails.push(email);
  }
  const groups: CloudState['groups'] = new Map();
  for (const [lower, id, name, members] of stored.groups) {
    groups.set(lower, { id, name, members: new Set(members.map((at) => emails[at] as string)) });
  }
  return { accounts, groups, emailById, idByEmail, ...(stored.unwritable ? { unwritableGroups: new Map(stored.unwritable) } : {}) };
}

interface Row {
  record_id: string;
  read_at: string;
  saved_at: string;
  accounts_total: number;
  groups_total: number;
  state: string;
}

export function loadCloudRecord(db: Db, target: string): CloudRecord | undefined {
  const row = db.prepare('SELECT record_id, read_at, saved_at, accounts_total, groups_total, state FROM cloud_records WHERE target = ?').get(target) as Row | undefined;
  if (!row) return undefined;
  return {
    id: row.record_id,
    readAt: row.read_at,
    savedAt: row.saved_at,
    totals: { accounts: row.accounts_total, groups: row.groups_total },
    state: expand(JSON.parse(row.state) as CompactState),
  };
}

export function saveCloudRecord(db: Db, target: string, record: Omit<CloudRecord, 'savedAt'>): void {
  db.prepare(
    `INSERT INTO cloud_records (target, record_id, read_at, saved_at, accounts_total, groups_total, state) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (target) DO UPDATE SET record_id = excluded.record_id, read_at = excluded.read_at, saved_at = excluded.saved_at,
       accounts_total = excluded.accounts_total, groups_total = excluded.groups_total, state = excluded.state`,
  ).run(target, record.id, record.readAt, new Date().toISOString(), record.totals.accounts, record.totals.groups, JSON.stringify(compact(record.state)));
}

export function dropCloudRecord(db: Db, target: string): void {
  db.prepare('DELETE FROM cloud_records WHERE target = ?').run(target);
}
