/**
 * Identity provider and Guard (RULES.md CUM-06, CUM-07, GR-10, GR-12, GR-13, LIM-03, LIM-04, ID-08, GR-15).
 * External directories (LDAP, Active Directory, Crowd: CONNECTOR, DELEGATING and CROWD directories of a
 * backup, or ldap:/crowd: sources) cannot be connected to the cloud directly: an identity provider goes in
 * between, with Atlassian Guard for SCIM and SSO. With --idp, what that provider does with this estate's
 * nested groups, which migrated groups a later SCIM sync would overwrite or cannot sync, and the SCIM
 * limits this estate would break.
 */
import type { EffectiveUser, Estate, SourceEstate, SourceGroup } from '../assess/estate.js';
import { cloudGroupNames } from '../decide/cloud-group-names.js';
import type { Identities } from '../decide/identities.js';
import type { Decisions } from '../model/decision.js';
import { isBlocklistedGroup } from '../model/names.js';
import { count, n } from './numbers.js';
import type { Idp, Point, Section, SourceInfo, Strategy } from './types.js';

/** LIM-03: users an external directory can sync, and users per synced group. */
export const SCIM_USERS_PER_DIRECTORY = 150_000;
export const SCIM_USERS_PER_GROUP = 35_000;

const EXTERNAL_TYPES = new Set(['CONNECTOR', 'DELEGATING', 'CROWD']);
const EXTERNAL_PRODUCTS = new Set(['ldap', 'crowd']);

/** Names of the cloud's default access groups (legacy names, and the modern ones before the site suffix). */
const DEFAULT_ACCESS = /^(jira-software-users|jira-servicedesk-users|jira-servicemanagement-users|jira-core-users|jira-users|confluence-users|jira-administrators|jira-admins|confluence-administrators|confluence-admins)(-.+)?$/i;

interface IdpTraits {
  label: string;
  flattens: boolean;
  needsGuard: boolean;
  note: string;
}

/** CUM-07, per provider. */
export const IDP_TRAITS: Record<Exclude<Idp, 'none'>, IdpTraits> = {
  okta: { label: 'Okta', flattens: true, needsGuard: true, note: 'flattens nested groups natively; needs Guard' },
  jumpcloud: { label: 'JumpCloud', flattens: true, needsGuard: true, note: 'flattens nested groups natively; needs Guard' },
  onelogin: { label: 'OneLogin', flattens: true, needsGuard: true, note: 'flattens nested groups natively; needs Guard' },
  ping: { label: 'Ping', flattens: true, needsGuard: true, note: 'flattens nested groups natively; needs Guard' },
  entra: { label: 'Microsoft Entra ID (SCIM)', flattens: false, needsGuard: true, note: 'syncs over SCIM without flattening; needs Guard' },
  'entra-nested': { label: 'Microsoft Entra ID ("Azure AD for nested groups")', flattens: true, needsGuard: false, note: 'flattens nested groups and verifies domains; no Guard needed' },
  google: { label: 'Google Workspace', flattens: false, needsGuard: false, note: 'without Guard: no flattening, every user lands in one "All users" group; with Guard it flattens' },
};

export interface ExternalDirectory {
  source: string;
  id: string;
  name: string;
  type: string;
  active: boolean;
  users: number;
}

export function externalDirectories(estate: Estate, sources: SourceInfo[]): ExternalDirectory[] {
  const result: ExternalDirectory[] = [];
  for (const info of sources) {
    const source = estate.sources.find((s) => s.name === info.name);
    for (const directory of info.directories) {
      if (!EXTERNAL_TYPES.has(directory.type.toUpperCase()) && !EXTERNAL_PRODUCTS.has(info.product)) continue;
      const users = source ? source.users.filter((u) => u.directoryId === directory.id).length : 0;
      result.push({ source: info.name, id: directory.id, name: directory.name, type: directory.type, active: directory.active, users });
    }
  }
  return result;
}

interface CloudGroup {
  name: string;
  occurrences: Array<{ source: SourceEstate; group: SourceGroup }>;
}

function cloudGroups(estate: Estate, decisions: Decisions): CloudGroup[] {
  const names = cloudGroupNames(decisions.groups);
  const byLower = new Map<string, CloudGroup>();
  for (const source of estate.sources) {
    for (const group of source.groups) {
      const cloud = names.groupName(source.name, group);
      if (cloud.name === null || cloud.via === 'skip') continue;
      const lower = cloud.name.toLowerCase();
      const entry = byLower.get(lower) ?? { name: cloud.name, occurrences: [] };
      entry.occurrences.push({ source, group });
      byLower.set(lower, entry);
    }
  }
  return [...byLower.values()].sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : 1));
}

const members = (group: CloudGroup, person: (user: EffectiveUser) => string): Set<string> => {
  const result = new Set<string>();
  for (const { source, group: g } of group.occurrences) for (const i of source.flattened(g)) result.add(person(source.users[i]!));
  return result;
};

const list = (names: string[], shown = 8): string => (names.length <= shown ? names.join(', ') : `${names.slice(0, shown).join(', ')} and ${n(names.length - shown)} more`);

export function identityProvider(
  estate: Estate,
  decisions: Decisions,
  identities: Identities,
  sources: SourceInfo[],
  idp: Idp,
  person: (user: EffectiveUser) => string,
): { section: Section; external: ExternalDirectory[]; numbers: Pick<Strategy['numbers'], 'externalDirectories' | 'usersInExternalDirectories' | 'nestedGroups'> } {
  const points: Point[] = [];
  const all = externalDirectories(estate, sources);
  const external = all.filter((d) => d.active);
  const externalUsers = external.reduce((sum, d) => sum + d.users, 0);
  const describe = (d: ExternalDirectory) => `${d.source}: ${d.name} (${d.type}, ${count(d.users, 'user')})`;
  // Groups held in an external directory: the IdP will push groups of those names.
  const externalGroups = new Map<string, Set<string>>();
  const externalIds = new Map<string, Set<string>>();
  for (const d of external) {
    const info = sources.find((s) => s.name === d.source);
    const names = externalGroups.get(d.source) ?? new Set<string>();
    for (const name of info?.groupsByDirectory.get(d.id) ?? []) names.add(name);
    externalGroups.set(d.source, names);
    const ids = externalIds.get(d.source) ?? new Set<string>();
    ids.add(d.id);
    externalIds.set(d.source, ids);
  }

  if (external.length === 0) {
    points.push({
      level: 'ok',
      text: 'No identity provider is needed for the migration: the estate has no external directory. Guard is optional (SSO, SCIM, policies).',
      because: `every user is in an internal directory${all.length > 0 ? ` (${count(all.length, 'inactive external directory', 'inactive external directories')} ignored: ${all.map(describe).join('; ')})` : ''}`,
      rules: ['CUM-06'],
    });
  } else {
    const exempt = idp === 'google' || idp === 'entra-nested';
    points.push({
      level: 'insist',
      text: exempt
        ? `Connect the directory through ${IDP_TRAITS[idp].label}, which the cloud supports without Guard; the external directories cannot connect to the cloud directly.`
        : 'Put a cloud identity provider between the external directories and the cloud, with Atlassian Guard for SCIM provisioning and SAML SSO (the exceptions: Google Workspace, Entra ID "Azure AD for nested groups").',
      because: `${count(external.length, 'external directory', 'external directories')} hold ${count(externalUsers, 'user')}: ${external.map(describe).join('; ')}`,
      rules: ['CUM-06', 'CUM-07'],
    });
  }

  // Nested groups and what the provider does with them.
  let nestedGroups = 0;
  let inherited = 0;
  const nestedNames: string[] = [];
  for (const source of estate.sources) {
    for (const group of source.groups) {
      if (group.children.size === 0) continue;
      nestedGroups++;
      nestedNames.push(`${source.name}:${group.name}`);
      const flat = source.flattened(group);
      let own = 0;
      for (const i of flat) if (group.directUsers.has(i)) own++;
      inherited += flat.size - own;
    }
  }
  if (nestedGroups > 0) {
    const because = `${count(nestedGroups, 'nested group')} (${list(nestedNames)}) give ${count(inherited, 'membership')} through a child group`;
    if (idp === 'none') {
      points.push({
        level: 'info',
        text: 'usermig flattens the nested groups at migration. When an identity provider will sync them later, choose one that flattens (Okta, JumpCloud, OneLogin, Ping, Entra ID "for nested groups", Google Workspace with Guard); --idp shows what yours does.',
        because,
        rules: ['CUM-07', 'GR-10'],
      });
    } else {
      const traits = IDP_TRAITS[idp];
      if (traits.flattens) {
        points.push({ level: 'ok', text: `${traits.label} flattens nested groups: the memberships held through child groups stay.`, because: `${because}; ${traits.note}`, rules: ['CUM-07'] });
      } else {
        points.push({
          level: 'warn',
          text:
            idp === 'google'
              ? `${traits.label} without Guard does not flatten: the nested groups are lost (every user lands in one "All users" group); with Guard it flattens. Keep the nesting in the directory and use Guard, or a flattening provider.`
              : `${traits.label} does not flatten: synced groups arrive flat and users lose their membership of parent groups, so inherited permissions break. Keep the nesting in the directory and use a flattened structure in the cloud.`,
          because: `${because}, lost at the first sync`,
          rules: ['CUM-07', 'GR-10'],
        });
      }
    }
  }

  // SCIM: groups a sync would overwrite or cannot sync.
  const groups = cloudGroups(estate, decisions);
  if (idp !== 'none' && external.length > 0) {
    const overwritten: string[] = [];
    let dropped = 0;
    const withPermissions: string[] = [];
    for (const group of groups) {
      const synced = group.occurrences.some(({ source, group: g }) => externalGroups.get(source.name)?.has(g.lowerName));
      if (!synced) continue;
      let outside = 0;
      for (const { source, group: g } of group.occurrences) {
        const ids = externalIds.get(source.name);
        for (const i of source.flattened(g)) if (!ids?.has(source.users[i]!.directoryId)) outside++;
      }
      if (outside > 0) {
        overwritten.push(`${group.name} (${count(outside, 'member')} from outside the directory)`);
        dropped += outside;
      }
      if (group.occurrences.some(({ source, group: g }) => source.grants.some((grant) => grant.subjectType === 'group' && grant.subject.toLowerCase() === g.lowerName))) {
        withPermissions.push(group.name);
      }
    }
    points.push({
      level: overwritten.length > 0 ? 'warn' : 'ok',
      text:
        overwritten.length > 0
          ? `A SCIM sync from ${IDP_TRAITS[idp].label} overwrites the membership of migrated groups of the same name with the directory's: ${list(overwritten)}. Put those members into the directory's groups, or rename the migrated groups (usermig groups rename), before turning SCIM on.`
          : 'No migrated group has members from outside the external directories: a SCIM sync of the same names keeps their membership.',
      because: `${count(groups.length, 'cloud group')} would migrate; ${count(dropped, 'membership')} would be removed by the sync`,
      rules: ['GR-12'],
    });
    if (withPermissions.length > 0) {
      points.push({
        level: 'warn',
        text: 'Never take a synced group out of the sync scope: the cloud deletes the group and its project and space permissions, and re-syncing does not restore them.',
        because: `${count(withPermissions.length, 'group')} held in the external directories also hold permissions: ${list(withPermissions)}`,
        rules: ['GR-13', 'GR-14'],
      });
    }
  }
  const defaults = groups.filter((g) => DEFAULT_ACCESS.test(g.name)).map((g) => g.name);
  const blocklisted = estate.sources.flatMap((s) => s.groups.filter((g) => isBlocklistedGroup(g.name)).map((g) => `${s.name}:${g.name}`));
  if ((idp !== 'none' || external.length > 0) && (defaults.length > 0 || blocklisted.length > 0)) {
    points.push({
      level: 'warn',
      text: 'These groups cannot be SCIM-synced: default access groups until they are no longer the default, and blocklisted admin groups never.',
      because: [
        defaults.length > 0 ? `${count(defaults.length, 'migrated group')} named like a cloud default access group: ${list(defaults)}` : '',
        blocklisted.length > 0 ? `${count(blocklisted.length, 'blocklisted group')}: ${list(blocklisted)}` : '',
      ]
        .filter(Boolean)
        .join('; '),
      rules: ['GR-12', 'GR-05'],
    });
  }

  // SCIM limits (LIM-03, LIM-04).
  const tooBig: string[] = [];
  for (const group of groups) {
    const size = group.occurrences.length === 1 ? group.occurrences[0]!.source.flattened(group.occurrences[0]!.group).size : members(group, person).size;
    if (size > SCIM_USERS_PER_GROUP) tooBig.push(`${group.name} (${n(size)})`);
  }
  const directoryPeople = new Set<string>();
  for (const source of estate.sources) {
    const ids = externalIds.get(source.name);
    for (const user of source.users) if (external.length === 0 || ids?.has(user.directoryId)) directoryPeople.add(person(user));
  }
  const overDirectory = directoryPeople.size > SCIM_USERS_PER_DIRECTORY;
  if (tooBig.length > 0 || overDirectory) {
    points.push({
      level: 'warn',
      text: 'This estate breaks the SCIM sync limits: the users and groups still migrate, but an identity provider will not keep the excess in sync. Split the groups (or the directory) before turning SCIM on.',
      because: [
        tooBig.length > 0 ? `${count(tooBig.length, 'group')} above ${n(SCIM_USERS_PER_GROUP)} members once flattened: ${list(tooBig)}` : '',
        overDirectory ? `${count(directoryPeople.size, 'person', 'people')} to sync from one directory, above ${n(SCIM_USERS_PER_DIRECTORY)}` : '',
      ]
        .filter(Boolean)
        .join('; '),
      rules: ['LIM-03', 'LIM-04'],
    });
  } else if (external.length > 0 || idp !== 'none') {
    points.push({
      level: 'ok',
      text: 'Within the SCIM sync limits.',
      because: `${count(directoryPeople.size, 'person', 'people')} to sync (limit ${n(SCIM_USERS_PER_DIRECTORY)}); the largest group has ${n(largest(groups, person))} members once flattened (limit ${n(SCIM_USERS_PER_GROUP)})`,
      rules: ['LIM-03'],
    });
  }

  // When to switch SCIM on (ID-08, GR-15).
  if (external.length > 0 || idp !== 'none') {
    let changed = 0;
    let merged = 0;
    for (const identity of identities.byUser.values()) {
      if (identity.outcome === 'merged') merged++;
      else if (identity.outcome === 'account' && identity.email !== null && identity.user.email.valid && identity.email !== identity.user.email.normalised) changed++;
      else if (identity.outcome === 'account' && identity.decision?.action === 'new-email') changed++;
    }
    const risky = changed + merged;
    points.push({
      level: risky > 0 ? 'insist' : 'advise',
      text:
        risky > 0
          ? 'Turn SCIM on only after the migration, once the mapping of cloud accounts to the provider\'s primary emails is checked; verify the domains first.'
          : 'SCIM may stay on during the migration (the assistants link by email); still, verify the domains and claim the accounts first, and turning it on after the users-first run is the safest order.',
      because:
        risky > 0
          ? `${count(changed, 'user')} get a new email and ${count(merged, 'user')} merge into another account by decision: their cloud email may not be the provider's primary email`
          : 'no decision changes a cloud email: the accounts will carry the sources\' addresses',
      rules: ['ID-08', 'GR-15', 'ID-07'],
    });
  }
  return { section: { id: 'identity', title: 'Identity provider and Guard', points }, external, numbers: { externalDirectories: external.length, usersInExternalDirectories: externalUsers, nestedGroups } };
}

function largest(groups: CloudGroup[], person: (user: EffectiveUser) => string): number {
  let max = 0;
  for (const group of groups) {
    const size = group.occurrences.length === 1 ? group.occurrences[0]!.source.flattened(group.occurrences[0]!.group).size : members(group, person).size;
    if (size > max) max = size;
  }
  return max;
}
