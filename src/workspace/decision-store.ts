/**
 * Stores decisions and their log. Every change is one transaction: a batch of decisions is saved whole or
 * not at all. A decision that an applied plan used (applied_at set) changes only with `force`
 * (RULES.md §6 S-14); setting a decision to what it already is changes nothing and logs nothing.
 */
import os from 'node:os';
import type {
  DecisionLogEntry,
  Decisions,
  DomainDecision,
  GroupAction,
  GroupDecision,
  UserAction,
  UserDecision,
  UserRef,
} from '../model/decision.js';
import { UsermigError } from '../model/errors.js';
import type { Db } from './workspace.js';

export interface DecisionContext {
  by?: string;
  reason?: string;
  /** Allow changing decisions that an applied plan already used. */
  force?: boolean;
}

export interface UserDecisionInput {
  user: UserRef;
  action: UserAction;
  newEmail?: string | null;
  target?: UserRef | null;
}

export const actor = (): string => process.env.USERMIG_ACTOR || safeUserName();

function safeUserName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

export function describeUserDecision(decision: { action: UserAction; newEmail?: string | null; target?: UserRef | null }): string {
  switch (decision.action) {
    case 'new-email':
      return `new-email ${decision.newEmail ?? ''}`;
    case 'merge-into':
      return `merge-into ${decision.target ? `${decision.target.source}:${decision.target.userName}` : '?'}`;
    default:
      return decision.action;
  }
}

export function describeGroupDecision(decision: { action: GroupAction; value: string | null }): string {
  return decision.action === 'skip' ? 'skip' : `${decision.action} ${decision.value ?? ''}`;
}

export function loadDecisions(db: Db): Decisions {
  const users = (
    db.prepare('SELECT * FROM user_decisions ORDER BY source, user_name').all() as Array<Record<string, string | null>>
  ).map(
    (row): UserDecision => ({
      source: row.source as string,
      userKey: row.user_key as string,
      userName: row.user_name as string,
      action: row.action as UserAction,
      newEmail: row.new_email ?? null,
      target: row.target_source ? { source: row.target_source, userKey: row.target_key as string, userName: row.target_name as string } : null,
      decidedBy: row.decided_by as string,
      decidedAt: row.decided_at as string,
      reason: row.reason as string,
      appliedAt: row.applied_at ?? null,
    }),
  );
  const domains = (db.prepare('SELECT * FROM domain_decisions ORDER BY domain').all() as Array<Record<string, string | number | null>>).map(
    (row): DomainDecision => ({
      domain: row.domain as string,
      trusted: row.trusted === 1,
      decidedBy: row.decided_by as string,
      decidedAt: row.decided_at as string,
      reason: row.reason as string,
      appliedAt: (row.applied_at as string | null) ?? null,
    }),
  );
  const groups = (db.prepare('SELECT * FROM group_decisions ORDER BY group_name, source').all() as Array<Record<string, string | null>>).map(
    (row): GroupDecision => ({
      source: row.source as string,
      group: row.group_name as string,
      action: row.action as GroupAction,
      value: row.value ?? null,
      decidedBy: row.decided_by as string,
      decidedAt: row.decided_at as string,
      reason: row.reason as string,
      appliedAt: row.applied_at ?? null,
    }),
  );
  return { users, domains, groups };
}

function logEntry(db: Db, at: string, by: string, type: DecisionLogEntry['subjectType'], subject: string, decision: string, previous: string, reason: string) {
  db.prepare('INSERT INTO decision_log (at, by, subject_type, subject, decision, previous, reason) VALUES (?, ?, ?, ?, ?, ?, ?)').run(
    at,
    by,
    type,
    subject,
    decision,
    previous,
    reason,
  );
}

function refuseSticky(what: string, previous: string, next: string, appliedAt: string): never {
  throw new UsermigError(
    'usage',
    `${what} is decided "${previous}" and a plan applied on ${appliedAt} used it; changing it to "${next}" changes what was done for the people already migrated: repeat with --force if that is intended`,
  );
}

/** Saves user decisions, all or none. Returns how many changed. */
export function saveUserDecisions(db: Db, inputs: UserDecisionInput[], context: DecisionContext = {}): number {
  const by = context.by ?? actor();
  const reason = context.reason ?? '';
  const at = new Date().toISOString();
  const existing = db.prepare('SELECT * FROM user_decisions WHERE source = ? AND user_key = ?');
  const upsert = db.prepare(
    `INSERT INTO user_decisions (source, user_key, user_name, action, new_email, target_source, target_key, target_name, decided_by, decided_at, reason, applied_at)
     VALUES (@source, @userKey, @userName, @action, @newEmail, @targetSource, @targetKey, @targetName, @by, @at, @reason, @appliedAt)
     ON CONFLICT (source, user_key) DO UPDATE SET user_name = excluded.user_name, action = excluded.action, new_email = excluded.new_email,
       target_source = excluded.target_source, target_key = excluded.target_key, target_name = excluded.target_name,
       decided_by = excluded.decided_by, decided_at = excluded.decided_at, reason = excluded.reason, applied_at = excluded.applied_at`,
  );
  let changed = 0;
  db.transaction(() => {
    for (const input of inputs) {
      const next = describeUserDecision(input);
      const row = existing.get(input.user.source, input.user.userKey) as Record<string, string | null> | undefined;
      const previous = row
        ? describeUserDecision({
            action: row.action as UserAction,
            newEmail: row.new_email,
            target: row.target_source ? { source: row.target_source, userKey: row.target_key as string, userName: row.target_name as string } : null,
          })
        : '';
      const samePrevious = row && previous === next && (row.target_key ?? null) === (input.target?.userKey ?? null);
      if (samePrevious) continue;
      if (row?.applied_at && !context.force) refuseSticky(`${input.user.source}:${input.user.userName}`, previous, next, row.applied_at);
      upsert.run({
        source: input.user.source,
        userKey: input.user.userKey,
        userName: input.user.userName,
        action: input.action,
        newEmail: input.action === 'new-email' ? (input.newEmail ?? null) : null,
        targetSource: input.action === 'merge-into' ? (input.target?.source ?? null) : null,
        targetKey: input.action === 'merge-into' ? (input.target?.userKey ?? null) : null,
        targetName: input.action === 'merge-into' ? (input.target?.userName ?? null) : null,
        by,
        at,
        reason,
        appliedAt: row?.applied_at ?? null,
      });
      logEntry(db, at, by, 'user', `${input.user.source}:${input.user.userName}`, next, previous, reason);
      changed++;
    }
  })();
  return changed;
}

/**
 * Removes user decisions (the users are undecided again: `users fix` decides for them), all or none,
 * logged as `clear`. A decision an applied plan used is removed only with force. Returns how many changed.
 */
export function clearUserDecisions(db: Db, users: UserRef[], context: DecisionContext = {}): number {
  const by = context.by ?? actor();
  const reason = context.reason ?? '';
  const at = new Date().toISOString();
  const existing = db.prepare('SELECT * FROM user_decisions WHERE source = ? AND user_key = ?');
  const remove = db.prepare('DELETE FROM user_decisions WHERE source = ? AND user_key = ?');
  let changed = 0;
  db.transaction(() => {
    for (const user of users) {
      const row = existing.get(user.source, user.userKey) as Record<string, string | null> | undefined;
      if (!row) continue;
      const previous = describeUserDecision({
        action: row.action as UserAction,
        newEmail: row.new_email,
        target: row.target_source ? { source: row.target_source, userKey: row.target_key as string, userName: row.target_name as string } : null,
      });
      if (row.applied_at && !context.force) refuseSticky(`${user.source}:${user.userName}`, previous, 'clear', row.applied_at);
      remove.run(user.source, user.userKey);
      logEntry(db, at, by, 'user', `${user.source}:${user.userName}`, 'clear', previous, reason);
      changed++;
    }
  })();
  return changed;
}

/** Trusts or untrusts domains, all or none. Returns how many changed. */
export function saveDomainDecisions(db: Db, domains: string[], trusted: boolean, context: DecisionContext = {}): number {
  const by = context.by ?? actor();
  const reason = context.reason ?? '';
  const at = new Date().toISOString();
  const existing = db.prepare('SELECT trusted, applied_at FROM domain_decisions WHERE domain = ?');
  const upsert = db.prepare(
    `INSERT INTO domain_decisions (domain, trusted, decided_by, decided_at, reason) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (domain) DO UPDATE SET trusted = excluded.trusted, decided_by = excluded.decided_by,
       decided_at = excluded.decided_at, reason = excluded.reason`,
  );
  let changed = 0;
  db.transaction(() => {
    for (const raw of domains) {
      const domain = raw.trim().toLowerCase();
      const row = existing.get(domain) as { trusted: number; applied_at: string | null } | undefined;
      if (row && (row.trusted === 1) === trusted) continue;
      if (!row && !trusted) continue; // untrusted is the default
      const next = trusted ? 'trusted' : 'untrusted';
      const previous = row ? (row.trusted === 1 ? 'trusted' : 'untrusted') : '';
      if (row?.applied_at && !context.force) refuseSticky(`domain ${domain}`, previous, next, row.applied_at);
      upsert.run(domain, trusted ? 1 : 0, by, at, reason);
      logEntry(db, at, by, 'domain', domain, next, previous, reason);
      changed++;
    }
  })();
  return changed;
}

export interface GroupDecisionInput {
  source: string;
  group: string;
  action: GroupAction | 'create';
  value?: string | null;
}

/** Saves group decisions ('create' removes a decision: the default), all or none. */
export function saveGroupDecisions(db: Db, inputs: GroupDecisionInput[], context: DecisionContext = {}): number {
  const by = context.by ?? actor();
  const reason = context.reason ?? '';
  const at = new Date().toISOString();
  const existing = db.prepare('SELECT action, value, applied_at FROM group_decisions WHERE source = ? AND group_name = ?');
  const upsert = db.prepare(
    `INSERT INTO group_decisions (source, group_name, action, value, decided_by, decided_at, reason) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (source, group_name) DO UPDATE SET action = excluded.action, value = excluded.value,
       decided_by = excluded.decided_by, decided_at = excluded.decided_at, reason = excluded.reason`,
  );
  const remove = db.prepare('DELETE FROM group_decisions WHERE source = ? AND group_name = ?');
  let changed = 0;
  db.transaction(() => {
    for (const input of inputs) {
      const group = input.group.toLowerCase();
      const row = existing.get(input.source, group) as { action: GroupAction; value: string | null; applied_at: string | null } | undefined;
      const previous = row ? describeGroupDecision(row) : 'create';
      const next = input.action === 'create' ? 'create' : describeGroupDecision({ action: input.action, value: input.value ?? null });
      if (previous === next) continue;
      const subject = `${input.source === '*' ? '' : `${input.source}:`}${input.group}`;
      if (row?.applied_at && !context.force) refuseSticky(`group ${subject}`, previous, next, row.applied_at);
      if (input.action === 'create') remove.run(input.source, group);
      else upsert.run(input.source, group, input.action, input.value ?? null, by, at, reason);
      logEntry(db, at, by, 'group', subject, next, previous === 'create' && !row ? '' : previous, reason);
      changed++;
    }
  })();
  return changed;
}

export function readDecisionLog(db: Db, subject?: string): DecisionLogEntry[] {
  const rows = (
    subject
      ? db.prepare('SELECT * FROM decision_log WHERE lower(subject) = lower(?) ORDER BY id').all(subject)
      : db.prepare('SELECT * FROM decision_log ORDER BY id').all()
  ) as Array<Record<string, string | number>>;
  return rows.map((row) => ({
    id: row.id as number,
    at: row.at as string,
    by: row.by as string,
    subjectType: row.subject_type as DecisionLogEntry['subjectType'],
    subject: row.subject as string,
    decision: row.decision as string,
    previous: row.previous as string,
    reason: row.reason as string,
  }));
}
