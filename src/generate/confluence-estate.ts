/**
 * The Confluence half of a generated estate: an internal directory and the corporate LDAP (written in
 * the opposite of their mapping order), users shared with Jira (some with another email) and
 * Confluence-only users with Confluence's defects, 32-hex user keys (including keys of deleted users),
 * groups with one nested group, global and space permissions, spaces, pages, comments and mentions.
 */
import type { ConfluenceEstate, DirectoryDef, EstateSize, GroupEntry, GroupLink, People, UserEntry } from './estate-types.js';
import { MembershipPlan } from './membership-plan.js';
import { type Cast, caseVariant, confluenceDefectSizes, invalidConfluenceEmail, otherDomainEmail } from './people.js';
import { Random, hash32, hex8 } from './random.js';
import { SPACE_NAMES, makeKey } from './vocabulary.js';

export const CONFLUENCE_LDAP = 98305;
export const CONFLUENCE_INTERNAL = 98306;

/** Written LDAP first, although the internal directory comes first in the application's mappings. */
export const CONFLUENCE_DIRECTORIES: readonly DirectoryDef[] = [
  {
    id: CONFLUENCE_LDAP,
    name: 'Corporate LDAP',
    position: 1,
    active: true,
    type: 'CONNECTOR',
    description: 'Active Directory of acme.com',
    implementationClass: 'com.atlassian.crowd.directory.MicrosoftActiveDirectory',
  },
  {
    id: CONFLUENCE_INTERNAL,
    name: 'Confluence Internal Directory',
    position: 0,
    active: true,
    type: 'INTERNAL',
    description: 'Confluence default internal directory',
    implementationClass: 'com.atlassian.crowd.directory.InternalDirectory',
  },
];

const FIXED_GROUP_COUNT = 6;
const PAGE_CAP = 30_000;

export interface ConfluenceBuild {
  estate: ConfluenceEstate;
  deletedKeys: number;
}

export function buildConfluence(
  size: EstateSize,
  people: People,
  cast: Cast,
  membershipBudget: number,
  jiraGroupCount: number,
): ConfluenceBuild {
  const rng = Random.derive(size.seed, 'confluence');
  const U = people.count;
  const defects = confluenceDefectSizes(U);
  let nextId = 163841;

  // --- user rows --------------------------------------------------------------------------------
  const emailOf = new Map<number, string>();
  for (const p of cast.emailMismatch) emailOf.set(p, otherDomainEmail(people, p, 'same-local'));
  cast.confluence.invalid.forEach((p, k) => emailOf.set(p, invalidConfluenceEmail(people, p, k)));
  const dup = cast.confluence.duplicate;
  dup.extras.forEach((p, k) => emailOf.set(p, dup.caseVariant[k] ? caseVariant(people.email[dup.first]!) : people.email[dup.first]!));

  const entries: UserEntry[] = [];
  const effective = new Int32Array(U).fill(-1);
  const addEntry = (person: number, directoryId: number, email: string) => {
    entries.push({ id: nextId++, person, directoryId, active: true, email });
    return entries.length - 1;
  };
  let shadowCopy = -1;
  for (const p of cast.confluencePeople) {
    const own = people.email[p]!;
    if (p === cast.confluence.shadowed) {
      effective[p] = addEntry(p, CONFLUENCE_INTERNAL, own);
      shadowCopy = addEntry(p, CONFLUENCE_LDAP, otherDomainEmail(people, p, 'initial'));
    } else {
      effective[p] = addEntry(p, cast.ldap[p] ? CONFLUENCE_LDAP : CONFLUENCE_INTERNAL, emailOf.get(p) ?? own);
    }
  }
  const admins = new Set(cast.admins);
  const disabledCount = Math.max(2, Math.round(cast.confluencePeople.length * 0.05));
  const disableable = rng.shuffle(cast.confluencePeople.filter((p) => !admins.has(p)));
  for (const p of disableable.slice(0, disabledCount)) entries[effective[p]!]!.active = false;

  // --- user keys ---------------------------------------------------------------------------------
  const keyStem = `8a7f808a${hex8(hash32(size.seed, 'confluence-keys', 1))}${hex8(hash32(size.seed, 'confluence-keys', 2))}`;
  const userKeys: ConfluenceEstate['userKeys'] = [];
  const keyOf = new Int32Array(U).fill(-1);
  for (const p of cast.confluencePeople) {
    keyOf[p] = userKeys.length;
    userKeys.push({ key: keyStem + hex8(userKeys.length + 1), name: people.userName[p]!, email: entries[effective[p]!]!.email });
  }
  const deleted: number[] = [];
  for (let k = 0; k < defects.deleted; k++) {
    deleted.push(userKeys.length);
    userKeys.push({
      key: keyStem + hex8(userKeys.length + 1),
      name: `${rng.pick(people.firstAscii)}.${rng.pick(people.lastAscii)}${U + 1001 + k}`,
    });
  }
  const activeKeys = cast.confluencePeople.filter((p) => entries[effective[p]!]!.active).map((p) => keyOf[p]!);

  // --- spaces (their keys name the space groups) --------------------------------------------------
  const spaceCount = Math.max(2, Math.round(U / 1000));
  const taken = new Set<string>();
  const spaceDrafts = Array.from({ length: spaceCount }, (_, i) => {
    const round = Math.floor(i / SPACE_NAMES.length);
    const name = `${SPACE_NAMES[i % SPACE_NAMES.length]}${round > 0 ? ` ${round + 1}` : ''}`;
    return { name, key: makeKey(name, taken), creator: rng.pick(activeKeys) };
  });

  // --- groups ------------------------------------------------------------------------------------
  const groups: GroupEntry[] = [];
  const addGroup = (name: string, directoryId: number) => {
    groups.push({ id: nextId++, name, directoryId });
    return groups.length - 1;
  };
  const g = {
    users: addGroup('confluence-users', CONFLUENCE_INTERNAL),
    administrators: addGroup('confluence-administrators', CONFLUENCE_INTERNAL),
    siteAdmins: addGroup('site-admins', CONFLUENCE_INTERNAL),
    usersLdap: addGroup('confluence-users', CONFLUENCE_LDAP),
    wikiStaff: addGroup('wiki-staff', CONFLUENCE_LDAP),
    engineering: addGroup('engineering', CONFLUENCE_LDAP),
  };
  if (groups.length !== FIXED_GROUP_COUNT) throw new Error('generator bug: fixed Confluence groups');
  const generic = Math.max(size.groups - jiraGroupCount, FIXED_GROUP_COUNT + 2) - FIXED_GROUP_COUNT;
  const genericGroups = Array.from({ length: generic }, (_, i) => {
    const name = i < spaceCount ? `space-${spaceDrafts[i]!.key.toLowerCase()}-editors` : `wiki-team-${i - spaceCount + 1}`;
    return addGroup(name, i % 5 === 4 ? CONFLUENCE_INTERNAL : CONFLUENCE_LDAP);
  });
  const genericInternal = genericGroups.filter((i) => groups[i]!.directoryId === CONFLUENCE_INTERNAL);
  const genericLdap = genericGroups.filter((i) => groups[i]!.directoryId === CONFLUENCE_LDAP);
  const groupLinks: GroupLink[] = [{ parent: g.usersLdap, child: g.wikiStaff }];

  // --- memberships -------------------------------------------------------------------------------
  const plan = new MembershipPlan(
    groups,
    entries.map((e) => e.directoryId),
  );
  const eff = (p: number) => effective[p]!;
  for (const a of cast.admins) {
    plan.add(g.administrators, eff(a));
    plan.add(g.users, eff(a));
  }
  plan.add(g.siteAdmins, eff(cast.admins[0]!));
  plan.add(g.siteAdmins, eff(cast.admins[1]!));
  plan.add(g.usersLdap, shadowCopy);
  plan.add(g.engineering, eff(cast.confluence.onlyInConfluence));
  const ldapPeople = cast.confluencePeople.filter((p) => cast.ldap[p] && p !== cast.confluence.onlyInConfluence);
  for (const p of ldapPeople.slice(0, 2)) plan.add(g.engineering, eff(p));
  if (ldapPeople[2] !== undefined) plan.add(g.wikiStaff, eff(ldapPeople[2]));

  const base: [number, number][] = [];
  entries.forEach((e, i) => {
    if (admins.has(e.person) || i === shadowCopy) return;
    if (e.directoryId === CONFLUENCE_INTERNAL) {
      base.push([genericInternal.length > 0 && rng.chance(0.1) ? rng.pick(genericInternal) : g.users, i]);
    } else {
      const choice = rng.weighted([80, 12, 4, 4]);
      const home = [g.usersLdap, g.wikiStaff, g.engineering, genericLdap.length > 0 ? rng.pick(genericLdap) : g.usersLdap][choice]!;
      base.push([home, i]);
    }
  });
  for (const [group, entry] of base) {
    if (plan.count >= membershipBudget) break;
    plan.add(group, entry);
  }
  const noFill = new Set([g.administrators, g.siteAdmins]);
  const eligible = groups.map((_, i) => i).filter((i) => !noFill.has(i));
  const pools = new Map<number, number[]>([
    [CONFLUENCE_INTERNAL, entries.map((e, i) => i).filter((i) => entries[i]!.directoryId === CONFLUENCE_INTERNAL)],
    [CONFLUENCE_LDAP, entries.map((e, i) => i).filter((i) => entries[i]!.directoryId === CONFLUENCE_LDAP)],
  ]);
  plan.fill(eligible, pools, membershipBudget - plan.count, Random.derive(size.seed, 'confluence-fill'));

  // --- spaces, permissions, content --------------------------------------------------------------
  const spaces = spaceDrafts.map((draft) => ({ id: nextId++, ...draft }));
  const spacePermissions: ConfluenceEstate['spacePermissions'] = [
    { space: -1, type: 'USECONFLUENCE', group: 'confluence-users' },
    { space: -1, type: 'CREATESPACE', group: 'confluence-users' },
    { space: -1, type: 'PERSONALSPACE', group: 'confluence-users' },
    { space: -1, type: 'USECONFLUENCE', group: 'confluence-administrators' },
    { space: -1, type: 'ADMINISTRATECONFLUENCE', group: 'confluence-administrators' },
  ];
  spaces.forEach((space, s) => {
    spacePermissions.push({ space: s, type: 'VIEWSPACE', group: 'confluence-users' });
    spacePermissions.push({ space: s, type: 'COMMENT', group: 'confluence-users' });
    const editors = s < generic ? groups[genericGroups[s]!]!.name : 'engineering';
    spacePermissions.push({ space: s, type: 'EDITSPACE', group: editors });
    if (s === 0 && editors !== 'engineering') spacePermissions.push({ space: s, type: 'EDITSPACE', group: 'engineering' });
    spacePermissions.push({ space: s, type: 'SETSPACEPERMISSIONS', user: space.creator });
    spacePermissions.push({ space: s, type: 'VIEWSPACE', user: rng.pick(activeKeys) });
  });

  const pageCount = Math.max(spaceCount * 2, Math.min(Math.round(U / 3), PAGE_CAP));
  const pages = {
    ids: new Int32Array(pageCount),
    space: new Int32Array(pageCount),
    creator: new Int32Array(pageCount),
    lastModifier: new Int32Array(pageCount),
    mentionA: new Int32Array(pageCount).fill(-1),
    mentionB: new Int32Array(pageCount).fill(-1),
    count: pageCount,
  };
  for (let j = 0; j < pageCount; j++) {
    pages.ids[j] = nextId++;
    pages.space[j] = j % spaceCount;
    pages.creator[j] = j < deleted.length ? deleted[j]! : rng.pick(activeKeys);
    pages.lastModifier[j] = rng.chance(0.7) ? pages.creator[j]! : rng.pick(activeKeys);
    if (j % 3 >= 1) pages.mentionA[j] = rng.pick(activeKeys);
    if (j % 3 === 2) pages.mentionB[j] = rng.pick(activeKeys);
  }
  const commentCount = Math.round(pageCount / 2);
  const comments = {
    ids: new Int32Array(commentCount),
    page: new Int32Array(commentCount),
    creator: new Int32Array(commentCount),
    lastModifier: new Int32Array(commentCount),
    mention: new Int32Array(commentCount).fill(-1),
    count: commentCount,
  };
  for (let c = 0; c < commentCount; c++) {
    comments.ids[c] = nextId++;
    comments.page[c] = rng.int(pageCount);
    comments.creator[c] = rng.pick(activeKeys);
    comments.lastModifier[c] = comments.creator[c]!;
    if (c % 4 === 0) comments.mention[c] = rng.pick(activeKeys);
  }

  const estate: ConfluenceEstate = {
    directories: CONFLUENCE_DIRECTORIES.slice(),
    entries,
    groups,
    memberships: plan.toArrays(),
    groupLinks,
    applicationId: 1,
    mappings: [
      { id: 2, directoryId: CONFLUENCE_INTERNAL },
      { id: 3, directoryId: CONFLUENCE_LDAP },
    ],
    userKeys,
    spaces,
    spacePermissions,
    pages,
    comments,
    nextId,
  };
  return { estate, deletedKeys: deleted.length };
}
