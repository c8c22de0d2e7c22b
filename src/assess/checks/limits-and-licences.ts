/**
 * Directory limits of the cloud organization (RULES.md LIM-01, LIM-02) and the licence projection per
 * product (S-09, LIC-01).
 */
import type { Finding } from '../../model/finding.js';
import { billableUsers } from '../access.js';
import type { Estate, SourceEstate, SourceGroup } from '../estate.js';
import { personKey } from './group-identity.js';

const LIMITS = [
  { what: 'users', recommended: 500_000, maximum: 1_000_000 },
  { what: 'groups', recommended: 200_000, maximum: 250_000 },
  { what: 'group memberships', recommended: 2_500_000, maximum: 8_000_000 },
] as const;

/** What the cloud directory will hold once everything migrates (people, cloud groups, flattened memberships). */
export function projectedDirectory(estate: Estate): Record<(typeof LIMITS)[number]['what'], number> {
  const people = new Set<string>();
  const occurrences = new Map<string, Array<{ source: SourceEstate; group: SourceGroup }>>();
  for (const source of estate.sources) {
    for (const user of source.users) people.add(personKey(user));
    for (const group of source.groups) {
      const list = occurrences.get(group.lowerName);
      if (list) list.push({ source, group });
      else occurrences.set(group.lowerName, [{ source, group }]);
    }
  }
  let memberships = 0;
  for (const list of occurrences.values()) {
    if (list.length === 1) {
      memberships += list[0]!.source.flattened(list[0]!.group).size;
      continue;
    }
    // A group in several sources: its members are people, who may be in more than one of them.
    const members = new Set<string>();
    for (const { source, group } of list) for (const index of source.flattened(group)) members.add(personKey(source.users[index]!));
    memberships += members.size;
  }
  return { users: people.size, groups: occurrences.size, 'group memberships': memberships };
}

export function checkDirectoryLimits(estate: Estate): Finding[] {
  const projected = projectedDirectory(estate);
  const findings: Finding[] = [];
  for (const limit of LIMITS) {
    const value = projected[limit.what];
    if (value <= limit.recommended) continue;
    const over = value > limit.maximum;
    findings.push({
      code: over ? 'directory-over-limit' : 'directory-over-recommended-size',
      severity: over ? 'blocker' : 'warning',
      message: `the cloud directory would hold ${value.toLocaleString('en-US')} ${limit.what}, above the ${over ? 'maximum' : 'recommended size'} of ${(over ? limit.maximum : limit.recommended).toLocaleString('en-US')}`,
      subjects: [{ type: 'estate', id: limit.what, detail: String(value) }],
      fix: over
        ? 'Migrate fewer users or groups (a scoped plan), or ask Atlassian support to raise the limit first.'
        : 'Expect slower syncs and admin screens; consider skipping unused groups.',
    });
  }
  return findings;
}

/** Per product: the people (across sources) who would be billed. */
export function licenceProjection(estate: Estate): Map<string, number> {
  const result = new Map<string, number>();
  for (const source of estate.sources) {
    for (const [product, users] of billableUsers(source)) result.set(product, (result.get(product) ?? 0) + users.size);
  }
  return result;
}

export function checkLicences(estate: Estate): Finding[] {
  const projection = licenceProjection(estate);
  if (projection.size === 0) return [];
  return [
    {
      code: 'licence-projection',
      severity: 'info',
      message: `billable users once product access is approved: ${[...projection].map(([product, count]) => `${product} ${count.toLocaleString('en-US')}`).join(', ')}`,
      subjects: [...projection].map(([product, count]) => ({ type: 'product' as const, id: product, detail: `${count} billable users` })),
      fix: 'Compare with your cloud subscription tiers before approving product access for migrated groups.',
    },
  ];
}
