/**
 * Group checks: blocklisted admin groups (S-06), admin groups held for approval (S-10), nesting cycles
 * and flattened sizes over the limits (S-07), and dangling group references in grants (RULES.md SC-J06).
 * A group skipped by decision creates no cloud group: its admin access and its size no longer matter, so
 * those findings are reported as resolved.
 */
import { cloudGroupNames } from '../../decide/cloud-group-names.js';
import type { Finding, Subject } from '../../model/finding.js';
import { isBlocklistedGroup } from '../../model/names.js';
import { adminGroups } from '../access.js';
import type { CheckContext } from '../context.js';
import type { Estate, SourceEstate, SourceGroup } from '../estate.js';
import { groupSubject, plural, userSubject } from '../subjects.js';

export const SYNC_LIMIT_PER_GROUP = 35_000;
export const HARD_LIMIT_PER_GROUP = 290_000;

const membersOf = (source: SourceEstate, group: SourceGroup): Subject[] =>
  [...source.flattened(group)].map((index) => userSubject(source.users[index]!, `member of ${group.name}`));

export function checkBlocklistedGroups(estate: Estate): Finding[] {
  const findings: Finding[] = [];
  for (const source of estate.sources) {
    for (const group of source.groups) {
      if (!isBlocklistedGroup(group.name)) continue;
      const members = membersOf(source, group);
      findings.push({
        code: 'group-blocklisted',
        severity: 'warning',
        message: `${source.name} group ${group.name} is never created in the cloud; its ${plural(members.length, 'member')} migrate without it`,
        subjects: [groupSubject(source, group, `${members.length} members`), ...members],
        fix: 'After the migration, add the people who need it to the cloud admin groups by hand (admin.atlassian.com > Directory > Groups); the report lists them.',
      });
    }
  }
  return findings;
}

/** Is the group skipped by decision (it creates no cloud group)? */
const skippedBy = (context?: Pick<CheckContext, 'decisions'>) => {
  const names = cloudGroupNames(context?.decisions.groups ?? []);
  return (source: SourceEstate, group: SourceGroup) => names.groupName(source.name, group).via === 'skip';
};

export function checkAdminGroups(estate: Estate, context?: Pick<CheckContext, 'decisions'>): Finding[] {
  const findings: Finding[] = [];
  const skipped = skippedBy(context);
  for (const source of estate.sources) {
    for (const [group, permissions] of adminGroups(source)) {
      if (isBlocklistedGroup(group.name)) continue;
      const members = membersOf(source, group);
      if (skipped(source, group)) {
        findings.push({
          code: 'group-admin-access',
          severity: 'info',
          resolved: true,
          message: `${source.name} group ${group.name} grants administration (${permissions.join(', ')}) but is skipped by decision; no cloud group gets its admin access`,
          subjects: [groupSubject(source, group, `${permissions.join(', ')}; skipped`)],
          fix: 'Nothing to do; add the people who need admin access to a cloud admin group by hand.',
        });
        continue;
      }
      findings.push({
        code: 'group-admin-access',
        severity: 'warning',
        message: `${source.name} group ${group.name} grants administration (${permissions.join(', ')}); it migrates, and its admin access waits for approval in the cloud`,
        subjects: [groupSubject(source, group, permissions.join(', ')), ...members],
        fix: 'Review the members before approving admin access for the group in admin.atlassian.com.',
      });
    }
  }
  return findings;
}

export function checkNestedGroups(estate: Estate, context?: Pick<CheckContext, 'decisions'>): Finding[] {
  const findings: Finding[] = [];
  const skipped = skippedBy(context);
  for (const source of estate.sources) {
    for (const cycle of source.cycles) {
      findings.push({
        code: 'group-cycle',
        severity: 'warning',
        message: `${source.name} groups ${cycle.join(' ⊃ ')} contain each other; each gets the members of the whole cycle`,
        subjects: cycle.map((name) => ({ type: 'group' as const, id: name, source: source.name })),
        fix: 'Remove one of the nesting memberships at the source so that the groups no longer contain each other.',
      });
    }
    for (const group of source.groups) {
      const size = source.flattened(group).size;
      if (size > SYNC_LIMIT_PER_GROUP && skipped(source, group)) {
        findings.push({
          code: size > HARD_LIMIT_PER_GROUP ? 'group-over-limit' : 'group-over-sync-limit',
          severity: 'info',
          resolved: true,
          message: `${source.name} group ${group.name} has ${plural(size, 'member')} once flattened, but is skipped by decision and creates no cloud group`,
          subjects: [groupSubject(source, group, `${size} members; skipped`)],
          fix: 'Nothing to do.',
        });
      } else if (size > HARD_LIMIT_PER_GROUP) {
        findings.push({
          code: 'group-over-limit',
          severity: 'blocker',
          message: `${source.name} group ${group.name} has ${plural(size, 'member')} once nested groups are flattened, above the cloud's maximum of ${HARD_LIMIT_PER_GROUP.toLocaleString('en-US')}`,
          subjects: [groupSubject(source, group, `${size} members`)],
          fix: 'Split the group at the source, or skip it and grant access through smaller groups.',
        });
      } else if (size > SYNC_LIMIT_PER_GROUP) {
        findings.push({
          code: 'group-over-sync-limit',
          severity: 'warning',
          message: `${source.name} group ${group.name} has ${plural(size, 'member')} once flattened, above the ${SYNC_LIMIT_PER_GROUP.toLocaleString('en-US')} an identity provider can sync per group`,
          subjects: [groupSubject(source, group, `${size} members`)],
          fix: 'It migrates, but an IdP will not keep it in sync; plan smaller groups before turning on SCIM.',
        });
      }
    }
  }
  return findings;
}

export function checkDanglingGroupReferences(estate: Estate): Finding[] {
  const findings: Finding[] = [];
  for (const source of estate.sources) {
    const dangling = new Map<string, Subject[]>();
    for (const grant of source.grants) {
      if (grant.subjectType !== 'group' || source.groupsByLowerName.has(grant.subject.toLowerCase())) continue;
      const where = grant.scopeKey ? `${grant.scope} ${grant.scopeKey}` : grant.scope;
      const list = dangling.get(grant.subject) ?? [];
      list.push({ type: 'grant', id: grant.subject, source: source.name, detail: `${grant.permission} in ${where}` });
      dangling.set(grant.subject, list);
    }
    for (const [name, grants] of dangling) {
      findings.push({
        code: 'group-reference-dangling',
        severity: 'warning',
        message: `${plural(grants.length, 'permission')} of ${source.name} name the group ${name}, which does not exist; a project or space migration fails or drops them`,
        subjects: [{ type: 'group', id: name, source: source.name, detail: 'missing' }, ...grants],
        fix: `Remove the references to ${name} from the schemes, or create an empty group of that name at the source.`,
      });
    }
  }
  return findings;
}
