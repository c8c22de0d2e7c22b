/**
 * The cloud name of every source group once the group decisions apply (RULES.md §6 S-05, S-06, S-14):
 * a renamed group takes its new name, a mapped group merges into the cloud group it names, a skipped
 * group creates no cloud group, and any other group keeps its own name. A decision for one source
 * (`jira:team-1`) wins over the decision for the name in every source (`*`). Blocklisted groups stay
 * blocklisted whatever the decision. Pure: the checks and `usermig groups` share it.
 */
import type { Estate, SourceEstate, SourceGroup } from '../assess/estate.js';
import type { GroupDecision } from '../model/decision.js';
import { isBlocklistedGroup } from '../model/names.js';

/** The part of a group decision that decides the name. */
export type GroupDecisionLike = Pick<GroupDecision, 'source' | 'group' | 'action' | 'value'>;

export type CloudNameVia = 'default' | 'rename' | 'map' | 'skip' | 'blocklisted';

export interface CloudGroupName {
  /** The cloud group the source group becomes or joins; null when it creates none (skipped). */
  name: string | null;
  via: CloudNameVia;
  /** The decision that applies (also for a blocklisted group, where it is ignored). */
  decision: GroupDecisionLike | null;
}

/** A source group and the cloud group it ends in. */
export interface GroupOccurrence {
  source: SourceEstate;
  group: SourceGroup;
  cloud: CloudGroupName;
}

const key = (source: string, lowerName: string) => `${source}\u0000${lowerName}`;

export interface CloudGroupNames {
  /** The decision that applies to the group: the source's own, else the one for every source. */
  decisionFor(source: string, groupName: string): GroupDecisionLike | null;
  /** The cloud name of a source group. */
  groupName(source: string, group: Pick<SourceGroup, 'name'>): CloudGroupName;
}

export function cloudGroupNames(decisions: readonly GroupDecisionLike[]): CloudGroupNames {
  const byKey = new Map<string, GroupDecisionLike>();
  for (const decision of decisions) byKey.set(key(decision.source, decision.group.toLowerCase()), decision);
  const decisionFor = (source: string, groupName: string): GroupDecisionLike | null => {
    const lower = groupName.toLowerCase();
    return byKey.get(key(source, lower)) ?? byKey.get(key('*', lower)) ?? null;
  };
  return {
    decisionFor,
    groupName(source, group) {
      const decision = decisionFor(source, group.name);
      if (isBlocklistedGroup(group.name)) return { name: group.name, via: 'blocklisted', decision };
      if (!decision) return { name: group.name, via: 'default', decision };
      if (decision.action === 'skip') return { name: null, via: 'skip', decision };
      const value = (decision.value ?? '').trim();
      if (value === '') return { name: group.name, via: 'default', decision };
      return { name: value, via: decision.action, decision };
    },
  };
}

/** The cloud name of one source group under the decisions. */
export const groupName = (decisions: readonly GroupDecisionLike[], source: string, group: Pick<SourceGroup, 'name'>): CloudGroupName =>
  cloudGroupNames(decisions).groupName(source, group);

/** Every source group of the estate with its cloud name, skipped ones included, in source and group order. */
export function groupOccurrences(estate: Estate, decisions: readonly GroupDecisionLike[]): GroupOccurrence[] {
  const names = cloudGroupNames(decisions);
  const result: GroupOccurrence[] = [];
  for (const source of estate.sources) for (const group of source.groups) result.push({ source, group, cloud: names.groupName(source.name, group) });
  return result;
}

const cache = new WeakMap<Estate, WeakMap<readonly GroupDecisionLike[], Map<string, GroupOccurrence[]>>>();

/**
 * The cloud groups: lower-case cloud name → the source groups that end in it (S-05: names compare
 * case-insensitively). Skipped groups are in none.
 */
export function cloudGroups(estate: Estate, decisions: readonly GroupDecisionLike[]): Map<string, GroupOccurrence[]> {
  let byDecisions = cache.get(estate);
  if (!byDecisions) cache.set(estate, (byDecisions = new WeakMap()));
  const cached = byDecisions.get(decisions);
  if (cached) return cached;
  const result = new Map<string, GroupOccurrence[]>();
  for (const occurrence of groupOccurrences(estate, decisions)) {
    if (occurrence.cloud.name === null) continue;
    const lower = occurrence.cloud.name.toLowerCase();
    const list = result.get(lower);
    if (list) list.push(occurrence);
    else result.set(lower, [occurrence]);
  }
  byDecisions.set(decisions, result);
  return result;
}

/** The spellings a non-mapped occurrence brings to its cloud group: the source's spellings, or the new name. */
export const cloudSpellings = (occurrence: GroupOccurrence): string[] =>
  occurrence.cloud.via === 'rename' ? [occurrence.cloud.name as string] : occurrence.group.spellings;
