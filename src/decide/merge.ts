/**
 * Merging duplicated users (RULES.md AS-08, P7). The surviving account is chosen by a documented rule, never
 * at random: active before disabled, then the most recently updated, then the lowest user key. The merged
 * account gets the union of the groups; admin groups held only by disabled duplicates are not carried over.
 */
import { adminGroups } from '../assess/access.js';
import type { EffectiveUser, SourceEstate, SourceGroup } from '../assess/estate.js';

export function chooseSurvivor(users: readonly EffectiveUser[]): EffectiveUser {
  return [...users].sort(
    (a, b) =>
      Number(b.active) - Number(a.active) ||
      (b.updated || '').localeCompare(a.updated || '') ||
      (a.userKey < b.userKey ? -1 : a.userKey > b.userKey ? 1 : 0),
  )[0] as EffectiveUser;
}

export interface MergeOutcome {
  survivor: EffectiveUser;
  merged: EffectiveUser[];
  /** Groups the merged account belongs to (names). */
  groups: string[];
  /** Admin groups it belongs to, and admin groups not carried over (held only by disabled duplicates). */
  adminGroups: string[];
  droppedAdminGroups: string[];
}

/** Direct group memberships of each user of the source (group names), computed once per source. */
function groupsByUser(source: SourceEstate): Map<number, SourceGroup[]> {
  const result = new Map<number, SourceGroup[]>();
  for (const group of source.groups) {
    for (const index of source.flattened(group)) {
      const list = result.get(index);
      if (list) list.push(group);
      else result.set(index, [group]);
    }
  }
  return result;
}

export function describeMerges(source: SourceEstate, merges: Array<{ survivor: EffectiveUser; merged: EffectiveUser[] }>): MergeOutcome[] {
  const memberships = groupsByUser(source);
  const admin = adminGroups(source);
  return merges.map(({ survivor, merged }) => {
    const groups = new Set<SourceGroup>();
    const adminKept = new Set<SourceGroup>();
    const adminDropped = new Set<SourceGroup>();
    for (const user of [survivor, ...merged]) {
      for (const group of memberships.get(user.index) ?? []) {
        if (!admin.has(group)) groups.add(group);
        else if (user.active || user === survivor) adminKept.add(group);
        else adminDropped.add(group);
      }
    }
    for (const group of adminKept) {
      groups.add(group);
      adminDropped.delete(group);
    }
    return {
      survivor,
      merged,
      groups: [...groups].map((g) => g.name).sort(),
      adminGroups: [...adminKept].map((g) => g.name).sort(),
      droppedAdminGroups: [...adminDropped].map((g) => g.name).sort(),
    };
  });
}
