/**
 * A saved plan as a diff in numbers: accounts and groups to create, accounts linked, accounts that
 * several source users land in, email changes, membership changes, and per group what is added and
 * proposed for removal (with a scoped plan's cascade row). `usermig plan` prints the same per-group counts.
 */
import type { CascadeRow } from '../scope/cascade.js';
import type { PlanFile } from './plan-file.js';

export interface GroupChange {
  group: string;
  /** The plan creates the group. */
  created: boolean;
  adds: number;
  removes: number;
  /** A scoped plan's cascade row for the group. */
  scope?: CascadeRow;
}

export interface PlanDiff {
  creates: { accounts: number; groups: number };
  links: number;
  /** New accounts that several source users land in (merged users, one email in several sources). */
  merges: number;
  emailChanges: number;
  membershipChanges: { adds: number; removes: number };
  cascade: GroupChange[];
}

/** Members added (or proposed for removal) per group, in the plan's order. */
export function membersPerGroup(plan: PlanFile, kind: 'add-members' | 'remove-members'): Map<string, number> {
  const counts = new Map<string, number>();
  for (const operation of plan.operations) if (operation.kind === kind) counts.set(operation.group, (counts.get(operation.group) ?? 0) + operation.emails.length);
  return counts;
}

export function planDiff(plan: PlanFile): PlanDiff {
  let accounts = 0;
  let groups = 0;
  let merges = 0;
  let emailChanges = 0;
  const created = new Set<string>();
  for (const operation of plan.operations) {
    if (operation.kind === 'create-account') {
      accounts++;
      if ((operation.keys?.length ?? 0) > 1) merges++;
    } else if (operation.kind === 'create-group') {
      groups++;
      created.add(operation.name.toLowerCase());
    } else if (operation.kind === 'change-email') emailChanges++;
  }
  const adds = membersPerGroup(plan, 'add-members');
  const removes = membersPerGroup(plan, 'remove-members');
  const cascadeRows = new Map((plan.scope?.groups ?? []).map((row) => [row.group.toLowerCase(), row]));
  const names = new Map<string, string>();
  for (const operation of plan.operations) {
    if (operation.kind === 'create-group') names.set(operation.name.toLowerCase(), operation.name);
    else if (operation.kind === 'add-members' || operation.kind === 'remove-members') names.set(operation.group.toLowerCase(), operation.group);
  }
  for (const row of plan.scope?.groups ?? []) if (!names.has(row.group.toLowerCase())) names.set(row.group.toLowerCase(), row.group);
  const cascade: GroupChange[] = [...names].map(([lower, group]) => {
    const scope = cascadeRows.get(lower);
    return { group, created: created.has(lower), adds: adds.get(group) ?? 0, removes: removes.get(group) ?? 0, ...(scope ? { scope } : {}) };
  });
  let added = 0;
  let removed = 0;
  for (const count of adds.values()) added += count;
  for (const count of removes.values()) removed += count;
  return {
    creates: { accounts, groups },
    links: plan.linked.length,
    merges,
    emailChanges,
    membershipChanges: { adds: added, removes: removed },
    cascade,
  };
}
