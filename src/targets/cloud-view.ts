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
import { dropCloudRecord, loadCloudRecord, saveCloudRecord, type CloudTotals } from '../workspace/cloud-record-store.js';
import type { Db } from '../workspace/workspace.js';
import type { CloudState } from './cloud-writer.js';
import type { Target } from './target.js';

export interface CloudView {
  state: CloudState;
  fingerprint: string;
  /** 'record': the workspace's record, checked against the cloud's totals; 'read': read in full now. */
  source: 'record' | 'read';
  /** When the cloud was last read in full. */
  readAt: string;
}

const newRecordId = (): string => `record-${crypto.randomBytes(8).toString('hex')}`;

/** The record is complete when it holds exactly as many accounts and groups as the cloud says it has. */
const matches = (state: CloudState, totals: CloudTotals): boolean => state.accounts.size === totals.accounts && state.groups.size === totals.groups;

export async function readCloud(db: Db, target: Target, options: { refresh?: boolean } = {}): Promise<CloudView> {
  const writer = target.writer;
  if (!writer.totals) {
    const state = await writer.readState();
    return { state, fingerprint: cloudFingerprint(state), source: 'read', readAt: new Date().toISOString() };
  }
  const record = options.refresh ? undefined : loadCloudRecord(db, target.recordKey);
  // Totals first, then the read: a change between the two makes the record fail its next check, never
  // pass it wrongly.
  const totals = await writer.totals();
  if (record && record.totals.accounts === totals.accounts && record.totals.groups === totals.groups && matches(record.state, totals)) {
    return { state: record.state, fingerprint: record.id, source: 'record', readAt: record.readAt };
  }
  const readAt = new Date().toISOString();
  const state = await writer.readState();
  if (!matches(state, totals)) {
    // Changed while being read, or two accounts share an email: no record; the state itself is the fingerprint.
    dropCloudRecord(db, target.recordKey);
    return { state, fingerprint: cloudFingerprint(state), source: 'read', readAt };
  }
  const id = newRecordId();
  saveCloudRecord(db, target.recordKey, { id, readAt, totals, state });
  return { state, fingerprint: id, source: 'read', readAt };
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
export async function recordAfterApply(db: Db, target: Target, state: CloudState, readAt: string, complete: boolean): Promise<void> {
  if (!target.writer.totals || !complete) return;
  const totals = await target.writer.totals();
  if (!matches(state, totals)) return;
  saveCloudRecord(db, target.recordKey, { id: newRecordId(), readAt, totals, state });
}
