/**
 * The workspace's record of a target's cloud: the accounts, groups and memberships a full read saw, kept
 * up to date by every apply, with the directory's totals at that moment. Stored in columns
 * (src/plan/compact-cloud.ts), group members packed as integers, one row per target, so that loading it
 * costs a fraction of reading the cloud again; the account ids, which only apply needs, are read on first
 * use. Whether the record may be trusted is decided by the caller (src/targets/cloud-view.ts).
 */
import type { CompactCloud } from '../plan/compact-cloud.js';
import { packLists, unpackLists } from './packed-lists.js';
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
  cloud: CompactCloud;
}

interface Row {
  record_id: string;
  read_at: string;
  saved_at: string;
  accounts_total: number;
  groups_total: number;
  emails: string;
  active: string;
  groups: string;
  unwritable: string | null;
  members: Buffer;
  member_offsets: Buffer;
}

export function loadCloudRecord(db: Db, target: string): CloudRecord | undefined {
  const row = db
    .prepare(
      `SELECT record_id, read_at, saved_at, accounts_total, groups_total, emails, active, groups, unwritable, members, member_offsets
       FROM cloud_records WHERE target = ?`,
    )
    .get(target) as Row | undefined;
  if (!row) return undefined;
  const members = unpackLists(row.members, row.member_offsets);
  let ids: string[] | undefined;
  const cloud: CompactCloud = {
    emails: JSON.parse(row.emails) as string[],
    get ids(): string[] {
      return (ids ??= JSON.parse(db.prepare('SELECT ids FROM cloud_records WHERE target = ?').pluck().get(target) as string) as string[]);
    },
    active: row.active,
    groups: (JSON.parse(row.groups) as Array<[string, string, string]>).map(([lower, id, name], at) => ({ lower, id, name, members: members[at] as Int32Array })),
    ...(row.unwritable ? { unwritable: JSON.parse(row.unwritable) as Array<[string, string]> } : {}),
  };
  return {
    id: row.record_id,
    readAt: row.read_at,
    savedAt: row.saved_at,
    totals: { accounts: row.accounts_total, groups: row.groups_total },
    cloud,
  };
}

export function saveCloudRecord(db: Db, target: string, record: Omit<CloudRecord, 'savedAt'>): void {
  const { cloud } = record;
  const packed = packLists(cloud.groups.map((group) => group.members));
  db.prepare(
    `INSERT OR REPLACE INTO cloud_records (target, record_id, saved_at, read_at, accounts_total, groups_total, emails, ids, active, groups, unwritable, members, member_offsets)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    target,
    record.id,
    new Date().toISOString(),
    record.readAt,
    record.totals.accounts,
    record.totals.groups,
    JSON.stringify(cloud.emails),
    JSON.stringify(cloud.ids),
    cloud.active,
    JSON.stringify(cloud.groups.map((group) => [group.lower, group.id, group.name])),
    cloud.unwritable ? JSON.stringify(cloud.unwritable) : null,
    packed.values,
    packed.offsets,
  );
}

export function dropCloudRecord(db: Db, target: string): void {
  db.prepare('DELETE FROM cloud_records WHERE target = ?').run(target);
}
