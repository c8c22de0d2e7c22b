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
import { compactCloud, isCompactCloud, type CompactCloud } from './compact-cloud.js';
import { isPlanBasis, planBasis, type PlanBasis } from './plan-basis.js';

export const MEMBERS_PER_OPERATION = 100;

export interface CurrentCloud {
  /** Email (lower case) → account. */
  accounts: Map<string, { id: string; active: boolean }>;
  /** Lower-case group name → group, with the emails of its members. */
  groups: Map<string, { id: string; name: string; members: Set<string> }>;
}

export type Operation =
  /** `keys`: the source users' `source:userKey`, which apply records so that a later plan can follow an email change. */
  | { kind: 'create-account'; email: string; displayName: string; reasons: string[]; keys?: string[] }
  /** An account an earlier apply made or linked for these source users, whose email changed at the source. */
  | {
      kind: 'change-email';
      from: string;
      email: string;
      displayName: string;
      reasons: string[];
      keys?: string[];
      /**
       * True when the account keeps its identity and groups (a managed account moving to a verified
       * domain); false when Atlassian gives the SCIM user a new, unmanaged account and drops it from its
       * groups (TARGETS.md §1 quirk 5): the plan then adds the memberships back.
       */
      keepsGroups: boolean;
    }
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

/** The email an earlier apply gave the account of these source users (`source:userKey`), if any. */
export type MigratedEmail = (keys: readonly string[]) => string | undefined;

/** Whether an account keeps its identity and groups when its email changes from one to the other. */
export type KeepsGroups = (from: string, to: string) => boolean;

/**
 * The operations, from the desired state or its saved basis, against the cloud or its compact form.
 * Linear in accounts + memberships, on integers: each group's cloud members are marked in an array, and
 * the desired members looked up in it.
 */
export function planOperations(
  desired: DesiredState | PlanBasis,
  current: CurrentCloud | CompactCloud,
  applied: AppliedMembership = () => false,
  migrated: MigratedEmail = () => undefined,
  keepsGroups: KeepsGroups = () => false,
): PlannedChanges {
  const basis = isPlanBasis(desired) ? desired : planBasis(desired);
  const cloud = isCompactCloud(current) ? current : compactCloud(current);
  const operations: Operation[] = [];
  const linked: string[] = [];
  const cloudIndex = new Map<string, number>();
  cloud.emails.forEach((email, at) => cloudIndex.set(email, at));
  /** Basis account index → cloud account index, or -1. */
  const inCloud = new Int32Array(basis.emails.length);
  /** Basis account index → the cloud account whose memberships it has, or -1 (none, or dropped by an email change). */
  const memberAs = new Int32Array(basis.emails.length);
  let desiredEmails: Set<string> | undefined;
  const claimed = new Set<number>();
  basis.emails.forEach((email, at) => {
    const found = cloudIndex.get(email);
    inCloud[at] = found ?? -1;
    memberAs[at] = found ?? -1;
    if (found !== undefined) {
      linked.push(email);
      return;
    }
    const { displayName, reasons, keys } = basis.detail(at);
    // Its source users were migrated before under another email, which the cloud still has and no other
    // account of the plan wants: the same person, whose email changed at the source. Change it; never a
    // second account.
    const before = migrated(keys);
    const previous = before === undefined ? undefined : cloudIndex.get(before);
    desiredEmails ??= previous === undefined ? undefined : new Set(basis.emails);
    if (before !== undefined && previous !== undefined && !claimed.has(previous) && !desiredEmails?.has(before)) {
      claimed.add(previous);
      inCloud[at] = previous;
      const keeps = keepsGroups(before, email);
      memberAs[at] = keeps ? previous : -1;
      operations.push({ kind: 'change-email', from: before, email, displayName, reasons, keys, keepsGroups: keeps });
      return;
    }
    operations.push({ kind: 'create-account', email, displayName, reasons, keys });
  });
  const cloudGroups = new Map(cloud.groups.map((group) => [group.lower, group]));
  const member = new Int32Array(cloud.emails.length);
  const wanted = new Int32Array(cloud.emails.length);
  let stamp = 0;
  for (const group of basis.groups) {
    stamp++;
    const existing = cloudGroups.get(group.lower);
    if (!existing) operations.push({ kind: 'create-group', name: group.name });
    else for (const at of existing.members) member[at] = stamp;
    const name = existing?.name ?? group.name;
    const missing: string[] = [];
    let present = 0;
    for (const at of group.members) {
      const there = memberAs[at] as number;
      if (there >= 0 && member[there] === stamp) present++;
      else missing.push(basis.emails[at] as string);
    }
    for (const emails of chunks(missing, MEMBERS_PER_OPERATION)) operations.push({ kind: 'add-members', group: name, emails });
    // Members of the cloud group that are not desired: more than those found present (an account whose email
    // change drops its groups counts as wanted: it leaves them by itself).
    if (existing && existing.members.length > present) {
      for (const at of group.members) if ((inCloud[at] as number) >= 0) wanted[inCloud[at] as number] = stamp;
      const stale: string[] = [];
      for (const at of existing.members) {
        const email = cloud.emails[at] as string;
        if (wanted[at] !== stamp && applied(group.lower, email)) stale.push(email);
      }
      stale.sort();
      for (const emails of chunks(stale, MEMBERS_PER_OPERATION)) operations.push({ kind: 'remove-members', group: name, emails });
    }
  }
  return { operations, linked, writes: operations.length };
}
