/**
 * S-05: cloud group names compare case-insensitively. Spellings that differ only by case become one
 * cloud group (warning); the same group in several sources with different members becomes one group with
 * the union of members (warning, naming who gains membership).
 */
import type { Finding, Subject } from '../../model/finding.js';
import type { EffectiveUser, Estate, SourceEstate, SourceGroup } from '../estate.js';
import { plural } from '../subjects.js';

/** A person across sources: the normalised valid email, else the source and username. */
export const personKey = (user: EffectiveUser): string => (user.email.valid ? user.email.normalised : `${user.source}:${user.lowerName}`);

export function checkGroupCaseCollisions(estate: Estate): Finding[] {
  const spellings = new Map<string, Map<string, Set<string>>>();
  for (const source of estate.sources) {
    for (const group of source.groups) {
      const bySpelling = spellings.get(group.lowerName) ?? new Map<string, Set<string>>();
      for (const spelling of group.spellings) {
        const sources = bySpelling.get(spelling) ?? new Set<string>();
        sources.add(source.name);
        bySpelling.set(spelling, sources);
      }
      spellings.set(group.lowerName, bySpelling);
    }
  }
  const findings: Finding[] = [];
  for (const bySpelling of spellings.values()) {
    if (bySpelling.size < 2) continue;
    const names = [...bySpelling.keys()];
    findings.push({
      code: 'group-case-collision',
      severity: 'warning',
      message: `groups ${names.join(', ')} differ only by case and become one cloud group`,
      subjects: names.map((name) => ({ type: 'group' as const, id: name, detail: `in ${[...(bySpelling.get(name) ?? [])].join(', ')}` })),
      fix: 'Rename one of them (usermig groups rename) if they are meant to stay apart; otherwise nothing to do.',
    });
  }
  return findings;
}

export function checkGroupsMergedAcrossProducts(estate: Estate): Finding[] {
  if (estate.sources.length < 2) return [];
  const occurrences = new Map<string, Array<{ source: SourceEstate; group: SourceGroup }>>();
  for (const source of estate.sources) {
    for (const group of source.groups) {
      const list = occurrences.get(group.lowerName) ?? [];
      list.push({ source, group });
      occurrences.set(group.lowerName, list);
    }
  }
  const findings: Finding[] = [];
  for (const list of occurrences.values()) {
    if (list.length < 2) continue;
    const memberSets = list.map(({ source, group }) => {
      const people = new Map<string, EffectiveUser>();
      for (const index of source.flattened(group)) {
        const user = source.users[index]!;
        people.set(personKey(user), user);
      }
      return { source, group, people };
    });
    const union = new Map<string, EffectiveUser>();
    for (const { people } of memberSets) for (const [key, user] of people) if (!union.has(key)) union.set(key, user);
    const gains: Subject[] = [];
    for (const { source, group, people } of memberSets) {
      for (const [key, user] of union) {
        if (!people.has(key)) {
          gains.push({ type: 'user', id: user.userName, source: user.source, detail: `gains ${source.name}'s ${group.name}` });
        }
      }
    }
    if (gains.length === 0) continue;
    const first = list[0]!.group;
    findings.push({
      code: 'group-merged-across-products',
      severity: 'warning',
      message: `group ${first.name} exists in ${list.map(({ source }) => source.name).join(' and ')} with different members; the cloud group gets all of them, so ${plural(gains.length, 'membership')} and the access they bring are gained`,
      subjects: [
        ...list.map(({ source, group }) => ({ type: 'group' as const, id: group.name, source: source.name, detail: `${source.flattened(group).size} members` })),
        ...gains,
      ],
      fix: 'Rename the group in one product (usermig groups rename) so that each keeps its own members, or accept the union.',
    });
  }
  return findings;
}
