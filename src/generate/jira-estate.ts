/**
 * The Jira half of a generated estate: three directories (internal, corporate LDAP, an inactive legacy
 * Crowd), users with Jira's defects, application users and their keys (renamed and deleted users
 * included), groups with nesting, a cycle and a case collision, application roles and global
 * permissions, permission schemes (one grant to a group that does not exist), projects, roles, issues
 * and the rows that reference users, and JSM organizations.
 */
import type {
  DirectoryDef,
  GroupEntry,
  GroupLink,
  IssueRows,
  JiraAppUser,
  JiraEstate,
  People,
  RoleActorRow,
  SchemePermissionRow,
  UserEntry,
  EstateSize,
} from './estate-types.js';
import { MembershipPlan } from './membership-plan.js';
import { type Cast, caseVariant, invalidJiraEmail, jiraDefectSizes, otherDomainEmail } from './people.js';
import { Random } from './random.js';
import { COMPONENT_NAMES, ORGANIZATION_NAMES, PROJECT_NAMES, makeKey } from './vocabulary.js';

export const JIRA_INTERNAL = 1;
export const JIRA_LDAP = 10000;
export const JIRA_LEGACY = 10100;

export const JIRA_DIRECTORIES: readonly DirectoryDef[] = [
  {
    id: JIRA_INTERNAL,
    name: 'Jira Internal Directory',
    position: 0,
    active: true,
    type: 'INTERNAL',
    description: 'Jira default internal directory',
    implementationClass: 'com.atlassian.crowd.directory.InternalDirectory',
  },
  {
    id: JIRA_LDAP,
    name: 'Corporate LDAP',
    position: 1,
    active: true,
    type: 'CONNECTOR',
    description: 'Active Directory of acme.com',
    implementationClass: 'com.atlassian.crowd.directory.MicrosoftActiveDirectory',
  },
  {
    id: JIRA_LEGACY,
    name: 'Legacy Crowd',
    position: 2,
    active: false,
    type: 'CROWD',
    description: 'Retired Crowd server',
    implementationClass: 'com.atlassian.crowd.directory.RemoteCrowdDirectory',
  },
];

/** The group a permission scheme grants to although no directory has it (SC-J06). */
export const DANGLING_GROUP = 'Jira Users Old';
/** Groups written in every estate (the rest are departments, teams and project groups). */
const FIXED_GROUP_COUNT = 15;

const ISSUE_CAP = 50_000;
/** References the rows of one issue hold on average (reporter, assignee, comments, watchers, …). */
const REFERENCES_PER_ISSUE = 5.15;

export interface JiraBuild {
  estate: JiraEstate;
  disabledUsers: number;
  deletedKeys: number;
}

export function buildJira(size: EstateSize, people: People, cast: Cast, membershipBudget: number): JiraBuild {
  const rng = Random.derive(size.seed, 'jira');
  const U = people.count;
  const defects = jiraDefectSizes(U);

  // --- user rows --------------------------------------------------------------------------------
  const emailOf = new Map<number, string>();
  cast.jira.invalid.forEach((p, k) => emailOf.set(p, invalidJiraEmail(people, p, k)));
  for (const set of cast.jira.duplicates) {
    const original = people.email[set.first]!;
    set.extras.forEach((p, k) => emailOf.set(p, set.caseVariant[k] ? caseVariant(original) : original));
  }
  cast.jira.whitespace.forEach((p, k) => {
    const own = people.email[p]!;
    emailOf.set(p, k % 3 === 0 ? ` ${own} ` : k % 3 === 1 ? `${own} ` : `  ${own}`);
  });
  const inactiveOnly = new Set(cast.jira.inactiveOnly);
  const shadowed = new Set(cast.jira.shadowed);

  const entries: UserEntry[] = [];
  const effective = new Int32Array(U).fill(-1);
  let userId = 10000;
  const addEntry = (person: number, directoryId: number, email: string) => {
    entries.push({ id: userId++, person, directoryId, active: true, email });
    return entries.length - 1;
  };
  const shadowCopies: number[] = [];
  for (const p of cast.jiraPeople) {
    const own = people.email[p]!;
    if (inactiveOnly.has(p)) {
      addEntry(p, JIRA_LEGACY, own);
    } else if (shadowed.has(p)) {
      effective[p] = addEntry(p, JIRA_INTERNAL, own);
      const copyEmail = cast.jira.shadowedDiffer.has(p) ? otherDomainEmail(people, p, 'initial') : own;
      shadowCopies.push(addEntry(p, JIRA_LDAP, copyEmail));
    } else {
      effective[p] = addEntry(p, cast.ldap[p] ? JIRA_LDAP : JIRA_INTERNAL, emailOf.get(p) ?? own);
    }
  }
  const admins = new Set(cast.admins);
  const disableable = rng.shuffle(cast.jiraPeople.filter((p) => effective[p]! >= 0 && !admins.has(p)));
  for (const p of disableable.slice(0, defects.disabled)) entries[effective[p]!]!.active = false;

  // --- application users (user keys) --------------------------------------------------------------
  const appUsers: JiraAppUser[] = [];
  const appUserOf = new Int32Array(U).fill(-1);
  const renamed = new Set(cast.jira.renamed);
  for (const p of cast.jiraPeople) {
    const id = 10000 + appUsers.length;
    const lower = people.userName[p]!.toLowerCase();
    let key: string;
    if (renamed.has(p)) key = `${people.firstAscii[p]![0]}${people.lastAscii[p]}${p + 1}`;
    else key = rng.chance(0.5) ? lower : `JIRAUSER${id}`;
    appUserOf[p] = appUsers.length;
    appUsers.push({ id, key, lowerUserName: lower });
  }
  const deleted: number[] = [];
  for (let k = 0; k < defects.deleted; k++) {
    const id = 10000 + appUsers.length;
    const lower = `${rng.pick(people.firstAscii)}.${rng.pick(people.lastAscii)}${U + 1 + k}`;
    deleted.push(appUsers.length);
    appUsers.push({ id, key: k % 2 === 0 ? `JIRAUSER${id}` : lower, lowerUserName: lower });
  }
  const activeKeys = cast.jiraPeople.filter((p) => effective[p]! >= 0 && entries[effective[p]!]!.active).map((p) => appUserOf[p]!);

  // --- groups ------------------------------------------------------------------------------------
  const groups: GroupEntry[] = [];
  const addGroup = (name: string, directoryId: number) => {
    groups.push({ id: 10000 + groups.length, name, directoryId });
    return groups.length - 1;
  };
  const g = {
    administrators: addGroup('jira-administrators', JIRA_INTERNAL),
    core: addGroup('jira-core-users', JIRA_INTERNAL),
    servicedesk: addGroup('jira-servicedesk-users', JIRA_INTERNAL),
    software: addGroup('jira-software-users', JIRA_INTERNAL),
    users: addGroup('jira-users', JIRA_INTERNAL),
    systemAdministrators: addGroup('system-administrators', JIRA_INTERNAL),
    siteAdmins: addGroup('site-admins', JIRA_INTERNAL),
    developers: addGroup('Developers', JIRA_INTERNAL),
    cycleA: addGroup('cycle-a', JIRA_INTERNAL),
    cycleB: addGroup('cycle-b', JIRA_INTERNAL),
    softwareLdap: addGroup('jira-software-users', JIRA_LDAP),
    developersLdap: addGroup('developers', JIRA_LDAP),
    engineering: addGroup('engineering', JIRA_LDAP),
    legacyContractors: addGroup('legacy-contractors', JIRA_LEGACY),
    legacyStaff: addGroup('legacy-staff', JIRA_LEGACY),
  };
  if (groups.length !== FIXED_GROUP_COUNT) throw new Error('generator bug: fixed Jira groups');
  const generic = Math.max(Math.round(size.groups * 0.7), FIXED_GROUP_COUNT + 6) - FIXED_GROUP_COUNT;
  const deptCount = Math.max(2, Math.round(generic * 0.08));
  const projectGroupCount = Math.max(1, Math.round(generic * 0.2));
  const teamCount = generic - deptCount - projectGroupCount;
  const depts = Array.from({ length: deptCount }, (_, i) => addGroup(`dept-${i + 1}`, JIRA_LDAP));
  const teams = Array.from({ length: teamCount }, (_, i) => addGroup(`team-${i + 1}`, JIRA_LDAP));
  const projectGroups = Array.from({ length: projectGroupCount }, (_, i) => addGroup(`project-${i + 1}-members`, JIRA_INTERNAL));

  const groupLinks: GroupLink[] = [
    { parent: g.cycleA, child: g.cycleB },
    { parent: g.cycleB, child: g.cycleA },
    { parent: g.legacyStaff, child: g.legacyContractors },
  ];
  depts.forEach((dept, i) => {
    if (i % 4 !== 3) groupLinks.push({ parent: g.softwareLdap, child: dept });
    if (i < 2) groupLinks.push({ parent: g.engineering, child: dept });
  });
  if (deptCount >= 3) groupLinks.push({ parent: depts[0]!, child: depts[deptCount - 1]! });
  teams.forEach((team, j) => {
    if (j % 10 !== 9) groupLinks.push({ parent: depts[j % deptCount]!, child: team });
  });

  // --- memberships -------------------------------------------------------------------------------
  const plan = new MembershipPlan(
    groups,
    entries.map((e) => e.directoryId),
  );
  const eff = (p: number) => effective[p]!;
  for (const a of cast.admins) {
    plan.add(g.administrators, eff(a));
    plan.add(g.software, eff(a));
  }
  plan.add(g.systemAdministrators, eff(cast.admins[0]!));
  plan.add(g.siteAdmins, eff(cast.admins[0]!));
  plan.add(g.siteAdmins, eff(cast.admins[1]!));
  const internalPlain = rng.shuffle(
    entries.map((e, i) => i).filter((i) => entries[i]!.directoryId === JIRA_INTERNAL && !admins.has(entries[i]!.person)),
  );
  const ldapEffective = rng.shuffle(
    entries.map((e, i) => i).filter((i) => entries[i]!.directoryId === JIRA_LDAP && effective[entries[i]!.person] === i),
  );
  const at = (list: number[], k: number) => list[k % list.length]!;
  plan.add(g.cycleA, at(internalPlain, 0));
  plan.add(g.cycleA, at(internalPlain, 1));
  plan.add(g.cycleB, at(internalPlain, 2));
  plan.add(g.developers, at(internalPlain, 3));
  plan.add(g.developersLdap, at(ldapEffective, 0));
  plan.add(g.engineering, at(ldapEffective, 1));
  plan.add(g.engineering, at(ldapEffective, 2));
  for (const copy of shadowCopies) plan.add(g.softwareLdap, copy);
  entries.forEach((e, i) => {
    if (e.directoryId === JIRA_LEGACY) plan.add(g.legacyContractors, i);
  });
  plan.add(g.legacyStaff, firstEntryIn(entries, JIRA_LEGACY));

  const base: [number, number][] = [];
  const shadowCopySet = new Set(shadowCopies);
  entries.forEach((e, i) => {
    if (e.directoryId === JIRA_LEGACY || admins.has(e.person) || shadowCopySet.has(i)) return;
    if (e.directoryId === JIRA_INTERNAL) {
      const home = [g.software, g.servicedesk, g.core, g.developers, g.users][rng.weighted([75, 10, 5, 5, 5])]!;
      base.push([home, i]);
    } else {
      const r = rng.next();
      base.push([r < 0.88 && teams.length > 0 ? rng.pick(teams) : r < 0.95 ? g.softwareLdap : g.developersLdap, i]);
    }
  });
  for (const [group, entry] of base) {
    if (plan.count >= membershipBudget) break;
    plan.add(group, entry);
  }
  const noFill = new Set([g.administrators, g.systemAdministrators, g.siteAdmins, g.cycleA, g.cycleB, g.legacyContractors, g.legacyStaff]);
  const eligible = groups.map((_, i) => i).filter((i) => !noFill.has(i));
  const pools = new Map<number, number[]>([
    [JIRA_INTERNAL, entries.map((e, i) => i).filter((i) => entries[i]!.directoryId === JIRA_INTERNAL)],
    [JIRA_LDAP, entries.map((e, i) => i).filter((i) => entries[i]!.directoryId === JIRA_LDAP)],
  ]);
  plan.fill(eligible, pools, membershipBudget - plan.count, Random.derive(size.seed, 'jira-fill'));

  // --- access and permissions --------------------------------------------------------------------
  const licenseRoles = [
    { licenseRoleName: 'jira-core', groupName: 'jira-core-users', primary: true },
    { licenseRoleName: 'jira-servicedesk', groupName: 'jira-servicedesk-users', primary: true },
    { licenseRoleName: 'jira-software', groupName: 'jira-administrators', primary: false },
    { licenseRoleName: 'jira-software', groupName: 'jira-software-users', primary: true },
  ];
  const globalPermissions = [
    { permission: 'ADMINISTER', groupName: 'jira-administrators' },
    { permission: 'SYSTEM_ADMIN', groupName: 'system-administrators' },
    { permission: 'USE', groupName: 'jira-users' },
    { permission: 'USER_PICKER', groupName: 'jira-software-users' },
    { permission: 'CREATE_SHARED_OBJECTS', groupName: 'jira-users' },
    { permission: 'BULK_CHANGE', groupName: 'jira-users' },
    { permission: 'MANAGE_GROUP_FILTER_SUBSCRIPTIONS', groupName: 'Developers' },
  ];
  const permissionSchemes = [
    { id: 0, name: 'Default Permission Scheme', description: 'This is the default Permission Scheme. Any new projects that are created will be assigned this scheme.' },
    { id: 10000, name: 'Default software scheme', description: 'Default scheme for Software projects.' },
    { id: 10001, name: 'Restricted scheme', description: 'Engineering projects with restricted browsing.' },
  ];
  const userGrantKey = appUsers[rng.pick(activeKeys)]!.key;
  const schemePermissions: SchemePermissionRow[] = [
    // Legacy global rows, as old instances still carry them.
    { permission: 0, type: 'group', parameter: 'jira-administrators' },
    { permission: 1, type: 'group', parameter: 'jira-users' },
    { permission: 22, type: 'group', parameter: 'jira-users' },
    { permission: 44, type: 'group', parameter: 'system-administrators' },
    { scheme: 0, permission: 23, type: 'projectrole', parameter: '10002', permissionKey: 'ADMINISTER_PROJECTS' },
    { scheme: 0, permission: 10, type: 'projectrole', parameter: '10000', permissionKey: 'BROWSE_PROJECTS' },
    { scheme: 0, permission: 11, type: 'projectrole', parameter: '10000', permissionKey: 'CREATE_ISSUES' },
    { scheme: 0, permission: 12, type: 'projectrole', parameter: '10001', permissionKey: 'EDIT_ISSUES' },
    { scheme: 0, permission: 17, type: 'projectrole', parameter: '10001', permissionKey: 'ASSIGNABLE_USER' },
    { scheme: 10000, type: 'group', parameter: 'jira-software-users', permissionKey: 'BROWSE_PROJECTS' },
    { scheme: 10000, type: 'group', parameter: 'jira-software-users', permissionKey: 'CREATE_ISSUES' },
    { scheme: 10000, type: 'group', parameter: 'jira-servicedesk-users', permissionKey: 'BROWSE_PROJECTS' },
    { scheme: 10000, type: 'group', parameter: 'jira-administrators', permissionKey: 'ADMINISTER_PROJECTS' },
    { scheme: 10000, type: 'projectrole', parameter: '10001', permissionKey: 'ASSIGNABLE_USER' },
    { scheme: 10000, type: 'user', parameter: userGrantKey, permissionKey: 'ADMINISTER_PROJECTS' },
    { scheme: 10000, type: 'group', parameter: DANGLING_GROUP, permissionKey: 'BROWSE_PROJECTS' },
    { scheme: 10000, type: 'lead', permissionKey: 'ASSIGN_ISSUES' },
    { scheme: 10001, type: 'group', parameter: 'engineering', permissionKey: 'BROWSE_PROJECTS' },
    { scheme: 10001, type: 'group', parameter: 'Developers', permissionKey: 'EDIT_ISSUES' },
    { scheme: 10001, type: 'projectrole', parameter: '10002', permissionKey: 'ADMINISTER_PROJECTS' },
  ];

  // --- projects, roles, issues --------------------------------------------------------------------
  const projectCount = Math.max(3, Math.round(U / 500));
  const keys = new Set<string>();
  const projects = Array.from({ length: projectCount }, (_, i) => {
    const round = Math.floor(i / PROJECT_NAMES.length);
    const name = `${PROJECT_NAMES[i % PROJECT_NAMES.length]}${round > 0 ? ` ${round + 1}` : ''}`;
    return {
      id: 10000 + i,
      name,
      key: makeKey(name, keys),
      lead: i === 0 ? appUserOf[cast.jira.renamed[0]!]! : rng.pick(activeKeys),
      counter: 0,
      schemeId: permissionSchemes[i % permissionSchemes.length]!.id,
    };
  });
  const components = projects.flatMap((project, i) =>
    [0, 1].map((c) => ({
      id: 10000 + i * 2 + c,
      project: project.id,
      name: COMPONENT_NAMES[(i + c * 3) % COMPONENT_NAMES.length]!,
      lead: rng.pick(activeKeys),
    })),
  );
  const projectRoles = [
    { id: 10000, name: 'Users', description: 'A project role that represents users in a project' },
    { id: 10001, name: 'Developers', description: 'A project role that represents developers in a project' },
    { id: 10002, name: 'Administrators', description: 'A project role that represents administrators in a project' },
  ];
  const roleActors: RoleActorRow[] = [
    { roleId: 10000, kind: 'group', parameter: 'jira-software-users' },
    { roleId: 10001, kind: 'group', parameter: 'Developers' },
    { roleId: 10002, kind: 'group', parameter: 'jira-administrators' },
  ];
  projects.forEach((project, i) => {
    roleActors.push({ pid: project.id, roleId: 10002, kind: 'user', parameter: appUsers[project.lead]!.key });
    const devGroup = teams.length > 0 && i % 4 !== 0 ? groups[teams[i % teams.length]!]!.name : 'Developers';
    roleActors.push({ pid: project.id, roleId: 10001, kind: 'group', parameter: devGroup });
    roleActors.push({ pid: project.id, roleId: 10000, kind: 'group', parameter: i % 5 === 4 ? 'engineering' : 'jira-software-users' });
    if (i < projectGroups.length) roleActors.push({ pid: project.id, roleId: 10000, kind: 'group', parameter: groups[projectGroups[i]!]!.name });
  });

  const issueCount =
    size.references === undefined ? Math.max(20, Math.min(Math.round(U / 2), ISSUE_CAP)) : Math.max(20, Math.round(size.references / REFERENCES_PER_ISSUE));
  const issues = {
    project: new Int32Array(issueCount),
    number: new Int32Array(issueCount),
    reporter: new Int32Array(issueCount),
    assignee: new Int32Array(issueCount),
    creator: new Int32Array(issueCount),
    count: issueCount,
  };
  for (let i = 0; i < issueCount; i++) {
    const project = projects[i % projectCount]!;
    project.counter++;
    issues.project[i] = i % projectCount;
    issues.number[i] = project.counter;
    const reporter = rng.pick(activeKeys);
    issues.reporter[i] = reporter;
    issues.creator[i] = rng.chance(0.9) ? reporter : rng.pick(activeKeys);
    issues.assignee[i] = rng.chance(0.1) ? -1 : rng.pick(activeKeys);
  }
  // Deleted users (app users without a user row) reported issues and commented; former users of
  // the inactive directory are still assignees.
  deleted.forEach((d, k) => {
    const issue = (k * 7919) % issueCount;
    issues.reporter[issue] = d;
    issues.creator[issue] = d;
    if (k % 2 === 1) issues.assignee[(issue + 1) % issueCount] = d;
  });
  cast.jira.inactiveOnly.slice(0, 3).forEach((p, k) => {
    issues.assignee[(k * 31 + 3) % issueCount] = appUserOf[p]!;
  });

  const comments = rows(Math.round(issueCount * 0.8) + deleted.length, (n) => {
    if (n >= Math.round(issueCount * 0.8)) {
      const k = n - Math.round(issueCount * 0.8);
      return [(k * 7919) % issueCount, deleted[k]!];
    }
    return [rng.int(issueCount), rng.pick(activeKeys)];
  });
  const worklogs = rows(Math.round(issueCount * 0.3), () => [rng.int(issueCount), rng.pick(activeKeys)]);
  const changeGroups = rows(Math.round(issueCount * 0.5), () => [rng.int(issueCount), rng.pick(activeKeys)]);
  const deletedSet = new Set(deleted);
  const watchIssues: number[] = [];
  for (let i = 0; i < issueCount; i++) if (!deletedSet.has(issues.reporter[i]!)) watchIssues.push(i);
  const watchers = rows(watchIssues.length, (n) => [watchIssues[n]!, issues.reporter[watchIssues[n]!]!]);
  const voters = rows(Math.floor(issueCount / 5), (n) => {
    const issue = n * 5;
    let voter = rng.pick(activeKeys);
    if (voter === issues.reporter[issue] && activeKeys.length > 1) voter = activeKeys[(activeKeys.indexOf(voter) + 1) % activeKeys.length]!;
    return [issue, voter];
  });
  const userPickerValues = rows(Math.ceil(issueCount / 3), (n) => [n * 3, rng.pick(activeKeys)]);

  const organizationCount = Math.max(3, Math.min(ORGANIZATION_NAMES.length, Math.round(U / 2000)));
  const organizations = Array.from({ length: organizationCount }, (_, i) => {
    const wanted = Math.min(activeKeys.length, rng.range(2, 12));
    const members = new Set<number>();
    while (members.size < wanted) members.add(rng.pick(activeKeys));
    return { name: ORGANIZATION_NAMES[i]!, members: [...members] };
  });

  const estate: JiraEstate = {
    directories: JIRA_DIRECTORIES.slice(),
    entries,
    groups,
    memberships: plan.toArrays(),
    groupLinks,
    appUsers,
    licenseRoles,
    globalPermissions,
    permissionSchemes,
    schemePermissions,
    projectRoles,
    roleActors,
    projects,
    components,
    issues,
    comments,
    worklogs,
    changeGroups,
    watchers,
    voters,
    userPickerValues,
    organizations,
  };
  return { estate, disabledUsers: Math.min(defects.disabled, disableable.length), deletedKeys: deleted.length };
}

function firstEntryIn(entries: readonly UserEntry[], directoryId: number): number {
  const index = entries.findIndex((e) => e.directoryId === directoryId);
  if (index < 0) throw new Error(`generator bug: directory ${directoryId} has no users`);
  return index;
}

function rows(count: number, make: (n: number) => [number, number]): IssueRows {
  const issue = new Int32Array(count);
  const user = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const [i, u] = make(n);
    issue[n] = i;
    user[n] = u;
  }
  return { issue, user, count };
}
