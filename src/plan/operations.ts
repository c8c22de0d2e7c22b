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
import { isPlanBasis, planBasis, type BasisAccount, type PlanBasis } from './plan-basis.js';

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

/**
 * The operations, from the desired state or its saved basis. Linear in accounts + memberships: a group
 * whose cloud members are all desired is recognised by counting, without building a set of its members.
 */
export function planOperations(desired: DesiredState | PlanBasis, current: CurrentCloud, applied: AppliedMembership = () => false): PlannedChanges {
  const basis = isPlanBasis(desired) ? desired : planBasis(desired);
  const operations: Operation[] = [];
  const linked: string[] = [];
  for (const account of basis.accounts) {
    if (current.accounts.has(account.email)) {
      linked.push(account.email);
      continue;
    }
    operations.push({ kind: 'create-account', email: account.email, displayName: account.displayName, reasons: account.reasons });
  }
  for (const group of basis.groups) {
    const existing = current.groups.get(group.lower);
    if (!existing) operations.push({ kind: 'create-group', name: group.name });
    const name = existing?.name ?? group.name;
    const missing: string[] = [];
    let present = 0;
    for (const at of group.members) {
      const email = (basis.accounts[at] as BasisAccount).email;
      if (existing?.members.has(email)) present++;
      else missing.push(email);
    }
    for (const emails of chunks(missing, MEMBERS_PER_OPERATION)) operations.push({ kind: 'add-members', group: name, emails });
    if (existing && existing.members.size > present) {
      const wanted = new Set(group.members.map((at) => (basis.accounts[at] as BasisAccount).email));
      const stale = [...existing.members].filter((email) => !wanted.has(email) && applied(group.lower, email)).sort();
      for (const emails of chunks(stale, MEMBERS_PER_OPERATION)) operations.push({ kind: 'remove-members', group: name, emails });
    }
  }
  return { operations, linked, writes: operations.length };
}
