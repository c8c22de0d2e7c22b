/**
 * The workspace's record of a target's cloud: the accounts, groups and memberships a full read saw, kept
 * up to date by every apply, with the directory's totals at that moment. Stored compactly
 * (src/plan/compact-cloud.ts) in one row per target, so that loading it costs a fraction of reading
 * the cloud again. Whether it may be trusted is decided by the caller (src/targets/cloud-view.ts).
 */
import type { CompactCloud } from '../plan/compact-cloud.js';
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
  state: string;
}

export function loadCloudRecord(db: Db, target: string): CloudRecord | undefined {
  const row = db.prepare('SELECT record_id, read_at, saved_at, accounts_total, groups_total, state FROM cloud_records WHERE target = ?').get(target) as Row | undefined;
  if (!row) return undefined;
  const cloud = JSON.parse(row.state) as CompactCloud;
  if (!Array.isArray(cloud.emails)) return undefined; // an older layout: read the cloud again
  return {
    id: row.record_id,
    readAt: row.read_at,
    savedAt: row.saved_at,
    totals: { accounts: row.accounts_total, groups: row.groups_total },
    cloud,
  };
}

export function saveCloudRecord(db: Db, target: string, record: Omit<CloudRecord, 'savedAt'>): void {
  db.prepare(
    `INSERT INTO cloud_records (target, record_id, read_at, saved_at, accounts_total, groups_total, state) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (target) DO UPDATE SET record_id = excluded.record_id, read_at = excluded.read_at, saved_at = excluded.saved_at,
       accounts_total = excluded.accounts_total, groups_total = excluded.groups_total, state = excluded.state`,
  ).run(target, record.id, record.readAt, new Date().toISOString(), record.totals.accounts, record.totals.groups, JSON.stringify(record.cloud));
}

export function dropCloudRecord(db: Db, target: string): void {
  db.prepare('DELETE FROM cloud_records WHERE target = ?').run(target);
}
