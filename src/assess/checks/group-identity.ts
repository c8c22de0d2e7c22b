/**
 * S-05: cloud group names compare case-insensitively. Spellings that differ only by case become one
 * cloud group (warning); the same group in several sources with different members becomes one group with
 * the union of members (warning, naming who gains membership). Both are computed on the cloud names the
 * group decisions give (a renamed group takes its new name, a skipped group creates none); a group mapped
 * into a cloud group merges by consent, so its merge is reported as resolved.
 */
import { cloudGroups, cloudSpellings, type GroupDecisionLike, type GroupOccurrence } from '../../decide/cloud-group-names.js';
import type { Finding, Subject } from '../../model/finding.js';
import type { CheckContext } from '../context.js';
import { productAccessGroups, type ProductKey } from '../access.js';
import type { EffectiveUser, Estate, SourceEstate } from '../estate.js';
import { memoised } from '../memo.js';
import { plural } from '../subjects.js';

/** A person across sources: the normalised valid email, else the source and username. */
export const personKey = (user: EffectiveUser): string => (user.email.valid ? user.email.normalised : `${user.source}:${user.lowerName}`);

const groupDecisionsOf = (context?: Pick<CheckContext, 'decisions'>): readonly GroupDecisionLike[] => context?.decisions.groups ?? [];

/** The occurrences that end in their cloud group by their own name (not by a map decision). */
export const isNatural = (occurrence: GroupOccurrence): boolean => occurrence.cloud.via !== 'map';

/** Spelling → where it comes from, over the non-mapped occurrences of one cloud group. */
export function spellingsOf(occurrences: readonly GroupOccurrence[]): Map<string, Set<string>> {
  const bySpelling = new Map<string, Set<string>>();
  for (const occurrence of occurrences) {
    if (!isNatural(occurrence)) continue;
    const where = occurrence.cloud.via === 'rename' ? `${occurrence.source.name} (${occurrence.group.name} renamed)` : occurrence.source.name;
    for (const spelling of cloudSpellings(occurrence)) {
      const sources = bySpelling.get(spelling) ?? new Set<string>();
      sources.add(where);
      bySpelling.set(spelling, sources);
    }
  }
  return bySpelling;
}

export function checkGroupCaseCollisions(estate: Estate, context?: Pick<CheckContext, 'decisions'>): Finding[] {
  const findings: Finding[] = [];
  for (const occurrences of cloudGroups(estate, groupDecisionsOf(context)).values()) {
    const bySpelling = spellingsOf(occurrences);
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

/** Who gains membership when the occurrences become one cloud group: everyone of the union missing from one of them. */
export function membershipGains(occurrences: readonly GroupOccurrence[]): Subject[] {
  const memberSets = occurrences.map(({ source, group }) => {
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
      if (!people.has(key)) gains.push({ type: 'user', id: user.userName, source: user.source, detail: `gains ${source.name}'s ${group.name}` });
    }
  }
  return gains;
}

/** The cloud groups whose non-mapped occurrences merge with different members: lower cloud name → gains. */
export function unconsentedMerges(estate: Estate, decisions: readonly GroupDecisionLike[]): Map<string, { occurrences: GroupOccurrence[]; gains: Subject[] }> {
  const result = new Map<string, { occurrences: GroupOccurrence[]; gains: Subject[] }>();
  for (const [lower, occurrences] of cloudGroups(estate, decisions)) {
    const natural = occurrences.filter(isNatural);
    if (natural.length < 2) continue;
    const gains = membershipGains(natural);
    if (gains.length > 0) result.set(lower, { occurrences: natural, gains });
  }
  return result;
}

/** Per source: lower-case group name → the products it grants (S-09), for GR-03. */
const accessByGroup = memoised((source: SourceEstate): Map<string, ProductKey[]> => {
  const result = new Map<string, ProductKey[]>();
  for (const [product, groups] of productAccessGroups(source)) {
    for (const group of groups) result.set(group, [...(result.get(group) ?? []), product]);
  }
  return result;
});

const accessOf = (occurrence: GroupOccurrence): ProductKey[] => accessByGroup(occurrence.source).get(occurrence.group.lowerName) ?? [];

const occurrenceSubject = (occurrence: GroupOccurrence): Subject => {
  const size = `${occurrence.source.flattened(occurrence.group).size} members`;
  const how =
    occurrence.cloud.via === 'rename' ? `, renamed to ${occurrence.cloud.name}` : occurrence.cloud.via === 'map' ? `, mapped into ${occurrence.cloud.name}` : '';
  const access = accessOf(occurrence);
  return { type: 'group', id: occurrence.group.name, source: occurrence.source.name, detail: `${size}${how}${access.length > 0 ? `, grants ${access.join(', ')}` : ''}` };
};

/**
 * GR-03: occurrences granting different product access become one cloud group, which cannot keep them
 * apart ('' when they all grant the same).
 */
function accessDiffers(occurrences: readonly GroupOccurrence[]): string {
  const grants = occurrences.map((occurrence) => ({ source: occurrence.source.name, access: accessOf(occurrence).join(', ') }));
  if (new Set(grants.map((g) => g.access)).size < 2) return '';
  const listed = grants.map((g) => `${g.access || 'no product'} in ${g.source}`).join(', ');
  return `; it grants ${listed}, and one cloud group gives its members whatever access the cloud group is given, whichever product they came from (GR-03)`;
}

const sourcesOf = (occurrences: readonly GroupOccurrence[]) => [...new Set(occurrences.map(({ source }) => source.name))].join(' and ');

export function checkGroupsMergedAcrossProducts(estate: Estate, context?: Pick<CheckContext, 'decisions'>): Finding[] {
  const decisions = groupDecisionsOf(context);
  if (estate.sources.length < 2 && decisions.length === 0) return [];
  const merges = unconsentedMerges(estate, decisions);
  const findings: Finding[] = [];
  for (const [lower, occurrences] of cloudGroups(estate, decisions)) {
    const merge = merges.get(lower);
    if (merge) {
      const first = merge.occurrences[0]!;
      findings.push({
        code: 'group-merged-across-products',
        severity: 'warning',
        message: `group ${first.cloud.name} exists in ${sourcesOf(merge.occurrences)} with different members; the cloud group gets all of them, so ${plural(merge.gains.length, 'membership')} and the access they bring are gained${accessDiffers(merge.occurrences)}`,
        subjects: [...merge.occurrences.map(occurrenceSubject), ...merge.gains],
        fix: 'Rename the group in one product (usermig groups rename) so that each keeps its own members, map it on purpose (usermig groups map), or accept the union.',
      });
    }
    const mapped = occurrences.filter((occurrence) => !isNatural(occurrence));
    if (mapped.length === 0 || occurrences.length < 2) continue;
    const gains = membershipGains(occurrences);
    const target = (occurrences.find(isNatural) ?? mapped[0]!).cloud.name as string;
    const names = mapped.map(({ source, group }) => `${source.name}:${group.name}`);
    findings.push({
      code: 'group-merged-across-products',
      severity: 'info',
      resolved: true,
      message: `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} mapped into the cloud group ${target} by decision; the merge is consented (${plural(gains.length, 'membership')} gained)`,
      subjects: [...occurrences.map(occurrenceSubject), ...gains],
      fix: 'Nothing to do.',
    });
  }
  return findings;
}
