/**
 * The difference between the desired cloud state and what the cloud holds, as the list of operations
 * that make it so (RULES.md DIFF-02, GR-11, S-15; LESSONS: calls in O(users + groups + membership chunks)).
 * Pure: desired state, the cloud's current state and what earlier applies did in; operations out.
 *
 * - An account that already exists (same email) is linked, never created again (ID-02, ID-06).
 * - A group that exists (same name, case-insensitively) is reused: only its missing members are added.
 * - Members are added in chunks of at most 100, the cloud's page size.
 * - Removals are proposed only for memberships that an earlier apply added and that are no longer
 *   desired; they run only with --prune (S-15). Nothing else in the cloud is ever touched.
 */
import type { DesiredState } from './desired-state.js';

export const MEMBERS_PER_OPERATION = 100;

export interface CurrentCloud {
  /** Email (lower case) → account. */
  accounts: Map<string, { id: string; active: boolean }>;
  /** Lower-case group name → group, with the emails of its members. */
  groups: Map<string, { id: string; name: string; members: Set<string> }>;
}

export type Operation =
  | { kind: 'create-account'; email: string; displayName: string; reasons: string[] }
  | { kind: 'create-group'; name: string }
  | { kind: 'add-members'; group: string; emails: string[] }
  | { kind: 'remove-members'; group: string; emails: string[] };

export interface PlannedChanges {
  operations: Operation[];
  /** Accounts that exist already and are linked, not created. */
  linked: string[];
  /** Write requests the operations need: one per account, group and chunk of members. */
  writes: number;
}

const chunks = <T>(items: T[], size: number): T[][] => {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
};

/** Whether an earlier apply added the email to the group (lower case): only such memberships may be removed. */
export type AppliedMembership = (group: string, email: string) => boolean;

export function planOperations(desired: DesiredState, current: CurrentCloud, applied: AppliedMembership = () => false): PlannedChanges {
  const operations: Operation[] = [];
  const linked: string[] = [];
  const byEmail = [...desired.accounts.values()].sort((a, b) => (a.email < b.email ? -1 : 1));
  for (const account of byEmail) {
    if (current.accounts.has(account.email)) {
      linked.push(account.email);
      continue;
    }
    operations.push({
      kind: 'create-account',
      email: account.email,
      displayName: account.displayName,
      reasons: account.users.map(({ user, via }) => `${user.source}:${user.userName}${via === 'merged' ? ' (merged)' : ''}`),
    });
  }
  const groups = [...desired.groups.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  for (const [lower, group] of groups) {
    const existing = current.groups.get(lower);
    if (!existing) operations.push({ kind: 'create-group', name: group.name });
    const name = existing?.name ?? group.name;
    const missing = [...group.members].filter((email) => !existing?.members.has(email)).sort();
    for (const emails of chunks(missing, MEMBERS_PER_OPERATION)) operations.push({ kind: 'add-members', group: name, emails });
    if (existing) {
      const stale = [...existing.members].filter((email) => !group.members.has(email) && applied(lower, email)).sort();
      for (const emails of chunks(stale, MEMBERS_PER_OPERATION)) operations.push({ kind: 'remove-members', group: name, emails });
    }
  }
  return { operations, linked, writes: operations.length };
}
