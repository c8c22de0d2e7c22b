/**
 * The group cascade of a scoped plan (RULES.md SC-C04, P1, REP-02): for every group the plan migrates, how
 * many of its members are in scope on their own account, how many come in only through this group, how
 * many through other groups or the same account, how many stay out, and the group's whole size. The
 * MIG-2590 case, one scoped user in a 1,156-member group, shows as "1 direct, 0 through the group,
 * 1,155 left out" (scoped members) or "1 direct, 1,155 through the group" (migrated whole).
 */
import type { SourceEstate, SourceGroup } from '../assess/estate.js';
import type { DesiredState } from '../plan/desired-state.js';
import type { ResolvedScope } from './resolve.js';

export interface CascadeRow {
  /** Cloud group name. */
  group: string;
  why: string[];
  /** Migrated whole (every active member) rather than with its in-scope members only. */
  whole: boolean;
  /** Accounts in the scope that are members: what the plan puts in the group. */
  inScope: number;
  /** Of those, in scope on their own account (referenced, granted, customers). */
  direct: number;
  /** Of those, in scope only through this group (space permission, +roles, migrated whole). */
  throughThisGroupOnly: number;
  /** The rest of the in-scope members: through other groups, or the same account as an in-scope user. */
  throughOther: number;
  /** Active members with an account who stay out of the scope (and of the group). */
  leftOut: number;
  /** Every active member with an account: the group's whole size. */
  total: number;
}

interface AccountStatus {
  direct: boolean;
  /** Lower-case source group names the account's users come in through. */
  groups: Set<string>;
  /** Some user of the account comes in another way (same account). */
  other: boolean;
}

export function groupCascade(desired: DesiredState, scope: ResolvedScope): CascadeRow[] {
  const status = new Map<string, AccountStatus>();
  for (const scoped of scope.users.values()) {
    const email = desired.identities.byUser.get(scoped.user)?.email;
    if (!email) continue;
    let entry = status.get(email);
    if (!entry) status.set(email, (entry = { direct: false, groups: new Set(), other: false }));
    if (scoped.direct) entry.direct = true;
    for (const reason of scoped.reasons) {
      if (reason.group) entry.groups.add(reason.group);
      else if (!reason.direct) entry.other = true;
    }
  }
  // Each active source user's account as a number (-1: inactive, or no account), so that a group's
  // distinct accounts are counted with an array of stamps instead of a set of emails per group.
  const accountNumbers = new Map<string, number>();
  const accountsOf = new Map<SourceEstate, Int32Array>();
  const accountsIn = (source: SourceEstate): Int32Array => {
    let accounts = accountsOf.get(source);
    if (!accounts) {
      accounts = new Int32Array(source.users.length).fill(-1);
      for (const user of source.users) {
        if (!user.active) continue;
        const email = desired.identities.byUser.get(user)?.email;
        if (!email) continue;
        let number = accountNumbers.get(email);
        if (number === undefined) accountNumbers.set(email, (number = accountNumbers.size));
        accounts[user.index] = number;
      }
      accountsOf.set(source, accounts);
      if (stamps.length < accountNumbers.size) {
        const grown = new Int32Array(Math.max(accountNumbers.size, stamps.length * 2));
        grown.set(stamps);
        stamps = grown;
      }
    }
    return accounts;
  };
  let stamps = new Int32Array(0);
  let stamp = 0;

  const rows: CascadeRow[] = [];
  for (const group of desired.groups.values()) rows.push(row(group.name, group.occurrences, group.members, group.rule));
  for (const entry of desired.blocklisted) {
    const lower = entry.name.toLowerCase();
    const occurrences = [...scope.groups.values()].filter((g) => g.group.lowerName === lower).map((g) => ({ source: g.source, group: g.group }));
    rows.push(row(entry.name, occurrences, entry.members));
  }
  return rows.sort((a, b) => b.inScope - a.inScope || (a.group.toLowerCase() < b.group.toLowerCase() ? -1 : 1));

  function row(name: string, occurrences: ReadonlyArray<{ source: SourceEstate; group: SourceGroup }>, members: ReadonlySet<string>, rule?: string): CascadeRow {
    const lowerNames = new Set(occurrences.map((o) => o.group.lowerName));
    /** The distinct accounts of the active members: the group's whole size. */
    let all = 0;
    stamp++;
    const why: string[] = rule ? [rule] : [];
    let whole = false;
    for (const { source, group } of occurrences) {
      const scoped = scope.groups.get(group);
      if (scoped) {
        whole ||= scoped.whole;
        for (const text of scoped.why) if (!why.includes(text)) why.push(text);
      }
      const accounts = accountsIn(source);
      for (const index of source.flattened(group)) {
        const account = accounts[index] as number;
        if (account < 0 || stamps[account] === stamp) continue;
        stamps[account] = stamp;
        all++;
      }
    }
    let direct = 0;
    let only = 0;
    for (const email of members) {
      const entry = status.get(email);
      if (!entry) continue;
      if (entry.direct) direct++;
      else if (!entry.other && entry.groups.size > 0 && [...entry.groups].every((g) => lowerNames.has(g))) only++;
    }
    return {
      group: name,
      why,
      whole,
      inScope: members.size,
      direct,
      throughThisGroupOnly: only,
      throughOther: members.size - direct - only,
      leftOut: Math.max(0, all - members.size),
      total: Math.max(all, members.size),
    };
  }
}
