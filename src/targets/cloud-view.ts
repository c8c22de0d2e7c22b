/**
 * The cloud as plan and apply see it: read in full, or taken from the workspace's record of it.
 *
 * Reading a directory of 100,000 accounts takes a thousand paged requests, minutes against a rate-limited
 * cloud; yet between two runs of usermig the cloud has usually changed only by what usermig itself did.
 * So every full read is recorded in the workspace, every apply keeps the record up to date, and the next
 * plan trusts the record when the cloud's totals (two requests: how many accounts, how many groups) still
 * match it. `--refresh` reads everything again. Writers whose API cannot give totals are always read in
 * full.
 *
 * The fingerprint that ties a plan to the cloud it was computed against is the record's id (a new id
 * whenever the record changes), or a hash of the whole state when there is no record.
 */
import crypto from 'node:crypto';
import { cloudFingerprint } from '../plan/plan-file.js';
import { compactCloud, expandCloud, type CompactCloud } from '../plan/compact-cloud.js';
import { dropCloudRecord, loadCloudRecord, saveCloudRecord, type CloudRecord, type CloudTotals } from '../workspace/cloud-record-store.js';
import type { Db } from '../workspace/workspace.js';
import type { CloudState } from './cloud-writer.js';
import type { Target } from './target.js';

export interface CloudView {
  /** The cloud in the shape apply works on; from a record, expanded on first use. */
  readonly state: CloudState;
  /** The cloud in compact form, for the planner. */
  readonly compact: CompactCloud;
  fingerprint: string;
  /** 'record': the workspace's record, checked against the cloud's totals; 'read': read in full now. */
  source: 'record' | 'read';
  /** When the cloud was last read in full. */
  readAt: string;
}

const newRecordId = (): string => `record-${crypto.randomBytes(8).toString('hex')}`;

/** Complete when it holds exactly as many accounts and groups as the cloud says it has. */
const complete = (cloud: CompactCloud, totals: CloudTotals): boolean => cloud.emails.length === totals.accounts && cloud.groups.length === totals.groups;

function fromRead(state: CloudState, fingerprint: string, readAt: string, compact = compactCloud(state)): CloudView {
  return { state, compact, fingerprint, source: 'read', readAt };
}

function fromRecord(record: CloudRecord): CloudView {
  let state: CloudState | undefined;
  return {
    get state() {
      return (state ??= expandCloud(record.cloud));
    },
    compact: record.cloud,
    fingerprint: record.id,
    source: 'record',
    readAt: record.readAt,
  };
}

export async function readCloud(db: Db, target: Target, options: { refresh?: boolean } = {}): Promise<CloudView> {
  const writer = target.writer;
  if (!writer.totals) {
    const state = await writer.readState();
    return fromRead(state, cloudFingerprint(state), new Date().toISOString());
  }
  const record = options.refresh ? undefined : loadCloudRecord(db, target.recordKey);
  // Totals first, then the read: a change between the two makes the record fail its next check, never
  // pass it wrongly.
  const totals = await writer.totals();
  if (record && record.totals.accounts === totals.accounts && record.totals.groups === totals.groups && complete(record.cloud, totals)) {
    return fromRecord(record);
  }
  const readAt = new Date().toISOString();
  const state = await writer.readState();
  const compact = compactCloud(state);
  if (!complete(compact, totals)) {
    // Changed while being read, or two accounts share an email: no record; the state itself is the fingerprint.
    dropCloudRecord(db, target.recordKey);
    return fromRead(state, cloudFingerprint(state), readAt, compact);
  }
  const id = newRecordId();
  saveCloudRecord(db, target.recordKey, { id, readAt, totals, cloud: compact });
  return fromRead(state, id, readAt, compact);
}

/** Before apply writes anything: a run that is killed must leave no record that looks current. */
export function forgetCloudRecord(db: Db, target: Target): void {
  dropCloudRecord(db, target.recordKey);
}

/**
 * After apply: the state it started from, changed by what it did, becomes the record again, provided the
 * cloud's totals agree with it (nobody else created or deleted anything meanwhile) and apply adopted
 * nothing it had not known of (an adopted account or group may carry memberships the record lacks).
 */
export async function recordAfterApply(db: Db, target: Target, state: CloudState, readAt: string, adoptedUnknown: boolean): Promise<void> {
  if (!target.writer.totals || adoptedUnknown) return;
  const totals = await target.writer.totals();
  const compact = compactCloud(state);
  if (!complete(compact, totals)) return;
  saveCloudRecord(db, target.recordKey, { id: newRecordId(), readAt, totals, cloud: compact });
}
