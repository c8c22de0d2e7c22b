/**
 * The apply ledger: each operation's intent is written before it is sent and its outcome after, so that
 * an apply that crashed or was killed resumes at the first unfinished operation.
 */
import type { Operation } from '../plan/operations.js';
import type { Db } from '../workspace/workspace.js';

export type LedgerState = 'intent' | 'done' | 'skipped' | 'failed';

export class Ledger {
  private readonly write;
  private readonly createdGroup;
  private readonly states = new Map<number, LedgerState>();

  constructor(
    private readonly db: Db,
    readonly planId: string,
    target: string,
    via: 'scim' | 'org' = 'scim',
  ) {
    db.prepare('INSERT OR IGNORE INTO applied_plans (plan_id, started_at, target, via) VALUES (?, ?, ?, ?)').run(planId, new Date().toISOString(), target, via);
    for (const row of db.prepare('SELECT seq, state FROM ledger WHERE plan_id = ?').all(planId) as Array<{ seq: number; state: LedgerState }>) {
      this.states.set(row.seq, row.state);
    }
    this.createdGroup = db.prepare('INSERT OR IGNORE INTO created_groups (lower_name, plan_id) VALUES (?, ?)');
    this.write = db.prepare(
      `INSERT INTO ledger (plan_id, seq, operation, state, cloud_id, detail, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (plan_id, seq) DO UPDATE SET state = excluded.state, cloud_id = excluded.cloud_id, detail = excluded.detail, updated_at = excluded.updated_at`,
    );
  }

  /** True when an earlier run of this plan finished the operation. */
  finished(seq: number): boolean {
    const state = this.states.get(seq);
    return state === 'done' || state === 'skipped';
  }

  /** True when an earlier run sent the operation but was stopped before its answer was recorded. */
  intended(seq: number): boolean {
    return this.states.get(seq) === 'intent';
  }

  get resuming(): boolean {
    return this.states.size > 0;
  }

  record(seq: number, operation: Operation, state: LedgerState, cloudId: string | null = null, detail = ''): void {
    this.states.set(seq, state);
    if (state === 'done' && operation.kind === 'create-group') {
      this.db.transaction(() => {
        this.write.run(this.planId, seq, JSON.stringify(operation), state, cloudId, detail, new Date().toISOString());
        this.createdGroup.run(operation.name.toLowerCase(), this.planId);
      })();
      return;
    }
    this.write.run(this.planId, seq, JSON.stringify(operation), state, cloudId, detail, new Date().toISOString());
  }

  /** The account of these source users now has this email in the cloud. */
  migrated(email: string, keys: readonly string[]): void {
    const write = this.db.prepare(
      `INSERT INTO migrated_accounts (source_user, email, plan_id) VALUES (?, ?, ?)
       ON CONFLICT (source_user) DO UPDATE SET email = excluded.email, plan_id = excluded.plan_id`,
    );
    this.db.transaction(() => {
      for (const key of keys) write.run(key, email, this.planId);
    })();
  }

  memberships(group: string, emails: string[], added: boolean): void {
    const add = this.db.prepare('INSERT OR IGNORE INTO applied_memberships (group_name, email, plan_id) VALUES (?, ?, ?)');
    const remove = this.db.prepare('DELETE FROM applied_memberships WHERE group_name = ? AND email = ?');
    this.db.transaction(() => {
      for (const email of emails) {
        if (added) add.run(group.toLowerCase(), email, this.planId);
        else remove.run(group.toLowerCase(), email);
      }
    })();
  }

  finish(summary: Record<string, number>): void {
    this.db.prepare('UPDATE applied_plans SET finished_at = ?, summary = ? WHERE plan_id = ?').run(new Date().toISOString(), JSON.stringify(summary), this.planId);
    // The decisions this apply used are now sticky (RULES.md §6 S-14).
    const at = new Date().toISOString();
    for (const table of ['user_decisions', 'domain_decisions', 'group_decisions']) {
      this.db.prepare(`UPDATE ${table} SET applied_at = ? WHERE applied_at IS NULL`).run(at);
    }
  }
}

/**
 * Whether an earlier apply added the email to the group (lower case): the only memberships a plan may
 * remove. Asked only for memberships the cloud holds and the estate no longer wants, usually none.
 */
export function appliedMembership(db: Db): (group: string, email: string) => boolean {
  const statement = db.prepare('SELECT 1 FROM applied_memberships WHERE group_name = ? AND email = ?').pluck();
  return (group, email) => statement.get(group, email) !== undefined;
}

/** The email an earlier apply gave the account of these source users (`source:userKey`): the first known. */
export function migratedEmail(db: Db): (keys: readonly string[]) => string | undefined {
  const statement = db.prepare('SELECT email FROM migrated_accounts WHERE source_user = ?').pluck();
  return (keys) => {
    for (const key of keys) {
      const email = statement.get(key) as string | undefined;
      if (email !== undefined) return email;
    }
    return undefined;
  };
}

/** Lower-case names of the groups that usermig created in the cloud (any plan). */
export function groupsCreatedByUsermig(db: Db): Set<string> {
  return new Set(db.prepare('SELECT lower_name FROM created_groups').pluck().all() as string[]);
}
