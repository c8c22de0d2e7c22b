/**
 * Scope resolution (issue 5; RULES.md SC-J02, SC-J07, SC-C02..C04, SC-S01..S04, P1, REP-02): which users
 * and groups a scoped plan migrates, and why each one. Pure: the estate, the identities the decisions
 * give, the scope spec and the references of the scoped containers in; the scope out.
 *
 * 1. Direct users: everyone the data of a scoped Jira project or Confluence space names (every reference
 *    kind the readers collect: issue fields, comments, worklogs, history, attachments, watchers, voters,
 *    user pickers, project and component leads, users in the project's roles; page, blog post and comment
 *    creators and modifiers, mentions, users with a space permission), users a project's permission
 *    scheme grants a permission to, and JSM customers when asked for.
 * 2. Through permission-holding groups: members of groups with a permission on a scoped space (SC-C02:
 *    "users with permission to access the space", directly or through a group), and with `+roles` the
 *    members of groups in a scoped project's roles (SC-J02 option i).
 * 3. The same person: every source user whose cloud account is that of an in-scope user (same email, or
 *    merged into it) is in scope too.
 * 4. Groups: the groups holding permissions in the scoped projects and spaces (role actors, scheme grants,
 *    space permissions: migrated even when no in-scope user is a member, so that the permissions keep
 *    their group, SC-J06) and the groups of in-scope users (SC-C03). Each is migrated with its in-scope
 *    members only (`--group-members scoped`, the default), or whole (`--group-members all`, or
 *    `+group-members` for the groups a clause includes), which brings in every active member: the
 *    cascade of MIG-2590 (SC-C04), one level deep (the cascaded members' other groups are not included).
 * 1b. Bitbucket repositories (`bitbucket:repos=PROJECT/slug`, SC-B01 "users with read access to, or who
 *    appear on, the selected repositories"): users granted a permission on the repository or on its project
 *    directly (the reader records those grants as references in the repository and the project), the
 *    authors, reviewers and participants of its pull requests (references in the repository), and,
 *    through groups, the active members of groups granted a permission on either; those groups hold a
 *    permission and are in scope like the groups of a space.
 * 5. Former users: references to deleted users and to users found only in inactive directories, and
 *    in-scope users decided `former-user`, are listed as Former users (S-12, IN-03).
 */
import { productAccessGroups } from '../assess/access.js';
import type { EffectiveUser, Estate, SourceEstate, SourceGroup } from '../assess/estate.js';
import type { Identities } from '../decide/identities.js';
import { usageError } from '../model/errors.js';
import { describeReference, NON_PROJECT_KINDS, REQUEST_KINDS, type Reason } from './reasons.js';
import type { ReferenceRow, ScopeData, SourceScopeData } from './scope-data.js';
import type { ScopeSpec } from './spec.js';

export interface ScopedUser {
  user: EffectiveUser;
  reasons: Reason[];
  /** In scope on their own account: a direct reason (not only a group or the same account). */
  direct: boolean;
  /** A JSM customer brought in by `jsm:customers` (kept apart from licensed users, SC-S01). */
  customer: boolean;
}

export interface ScopedGroup {
  source: SourceEstate;
  group: SourceGroup;
  /** Why it is in: "holds BROWSE_PROJECTS in APO (Default software scheme)", "group of in-scope users". */
  why: string[];
  /** Holds a permission in a scoped project or space. */
  holdsPermission: boolean;
  /** Migrated whole: every active member comes in (the cascade). */
  whole: boolean;
}

export type FormerWhy = 'deleted' | 'inactive-directory' | 'decided';

export interface FormerInScope {
  source: string;
  userKey: string;
  userName: string;
  why: FormerWhy;
  reasons: string[];
}

export interface ResolvedScope {
  spec: ScopeSpec;
  users: Map<EffectiveUser, ScopedUser>;
  groups: Map<SourceGroup, ScopedGroup>;
  formerUsers: FormerInScope[];
  /** Per source: the scoped container keys (projects, spaces, service desks), as the data spells them. */
  containers: Map<string, Set<string>>;
  notes: string[];
}

/** The container keys (as the data spells them) whose references a spec needs, per source. */
export function scopedContainers(spec: ScopeSpec, data: SourceScopeData, product: string): string[] {
  if (spec.all) return [];
  const byUpper = (kind: string) => new Map(data.containers.filter((c) => c.kind === kind).map((c) => [c.key.toUpperCase(), c.key]));
  const keys: string[] = [];
  if (product === 'jira') {
    const projects = byUpper('jira-project');
    for (const clause of spec.jira) for (const key of clause.projects) keys.push(projects.get(key.toUpperCase()) ?? '');
    if (spec.customers === 'all') {
      keys.push(...data.containers.filter((c) => c.kind === 'jsm-service-desk' || c.kind === 'jsm-organization').map((c) => c.key));
    }
  } else if (product === 'confluence') {
    const spaces = byUpper('confluence-space');
    for (const clause of spec.confluence) for (const key of clause.spaces) keys.push(spaces.get(key.toUpperCase()) ?? '');
  } else if (product === 'bitbucket') {
    const repositories = byUpper('bitbucket-repository');
    for (const clause of spec.bitbucket) {
      for (const wanted of clause.repos) {
        const key = repositories.get(wanted.toUpperCase());
        if (key) keys.push(key, projectOf(key));
      }
    }
  }
  return [...new Set(keys.filter((key) => key !== ''))];
}

class Builder {
  readonly users = new Map<EffectiveUser, ScopedUser>();
  readonly groups = new Map<SourceGroup, ScopedGroup>();
  readonly formers = new Map<string, FormerInScope>();
  /** Users whose groups are migrated whole because the clause that brought them in said +group-members. */
  readonly wholeGroupsOf = new Set<EffectiveUser>();

  add(user: EffectiveUser, reason: Reason, customer = false): ScopedUser {
    let scoped = this.users.get(user);
    if (!scoped) this.users.set(user, (scoped = { user, reasons: [], direct: false, customer: false }));
    if (!scoped.reasons.some((r) => r.text === reason.text)) scoped.reasons.push(reason);
    if (reason.direct) scoped.direct = true;
    if (customer) scoped.customer = true;
    return scoped;
  }

  group(source: SourceEstate, group: SourceGroup, why: string, holdsPermission: boolean, whole: boolean): ScopedGroup {
    let scoped = this.groups.get(group);
    if (!scoped) this.groups.set(group, (scoped = { source, group, why: [], holdsPermission: false, whole: false }));
    if (!scoped.why.includes(why)) scoped.why.push(why);
    scoped.holdsPermission ||= holdsPermission;
    scoped.whole ||= whole;
    return scoped;
  }

  former(source: SourceEstate, userKey: string, userName: string, why: FormerWhy, reason: string): void {
    const key = `${source.name}\u0000${userKey}`;
    let former = this.formers.get(key);
    if (!former) this.formers.set(key, (former = { source: source.name, userKey, userName, why, reasons: [] }));
    if (!former.reasons.includes(reason)) former.reasons.push(reason);
  }
}

/** The effective user a data key names, or how it is gone. */
function lookup(source: SourceEstate, userKey: string): { user: EffectiveUser } | { gone: FormerWhy; userName: string } {
  const name = source.userKeys.get(userKey) ?? userKey.toLowerCase();
  const user = source.usersByLowerName.get(name);
  if (user) return { user };
  const inactive = source.inactiveOnly.find((entry) => entry.userName.toLowerCase() === name);
  return inactive ? { gone: 'inactive-directory', userName: inactive.userName } : { gone: 'deleted', userName: name };
}

/** Users of the source who hold a product through their groups (S-09): licensed, not customers. */
function licensedUsers(source: SourceEstate): Set<number> {
  const licensed = new Set<number>();
  for (const names of productAccessGroups(source).values() as IterableIterator<Set<string>>) {
    for (const name of names) {
      const group = source.groupsByLowerName.get(name);
      if (group) for (const index of source.flattened(group)) licensed.add(index);
    }
  }
  return licensed;
}

export function resolveScope(estate: Estate, identities: Identities, spec: ScopeSpec, data: ScopeData): ResolvedScope {
  const b = new Builder();
  const notes: string[] = [];
  const containers = new Map<string, Set<string>>();
  const wholeFor = (clauseWhole: boolean) => clauseWhole || spec.groupMembers === 'all';

  // Which requested keys exist somewhere: a key no source has is bad input.
  const found = { projects: new Set<string>(), spaces: new Set<string>(), repos: new Set<string>() };

  for (const source of estate.sources) {
    const sourceData = data.sources.get(source.name);
    if (!sourceData) continue;
    const keysOf = (kind: string) => new Map(sourceData.containers.filter((c) => c.kind === kind).map((c) => [c.key.toUpperCase(), c.key]));
    const refsByContainer = new Map<string, ReferenceRow[]>();
    for (const row of sourceData.references) {
      const list = refsByContainer.get(row.container);
      if (list) list.push(row);
      else refsByContainer.set(row.container, [row]);
    }
    const scoped = new Set<string>();
    containers.set(source.name, scoped);

    /** Brings in everyone the data of the container names. */
    const referenced = (key: string, whole: boolean) => {
      for (const row of refsByContainer.get(key) ?? []) {
        if (NON_PROJECT_KINDS.has(row.kind)) continue;
        const text = describeReference(row);
        const found = lookup(source, row.userKey);
        if ('user' in found) {
          b.add(found.user, { kind: 'reference', direct: true, text, container: key, count: row.count });
          if (whole) b.wholeGroupsOf.add(found.user);
        } else {
          b.former(source, row.userKey, found.userName, found.gone, text);
        }
      }
    };
    const groupNamed = (name: string) => source.groupsByLowerName.get(name.toLowerCase());

    if (source.product === 'jira') {
      const projects = keysOf('jira-project');
      for (const clause of spec.jira) {
        for (const wanted of clause.projects) {
          const key = projects.get(wanted.toUpperCase());
          if (!key) continue;
          found.projects.add(wanted.toUpperCase());
          scoped.add(key);
          referenced(key, clause.groupMembers);
          // Project roles: users are references already; groups hold the role (and with +roles bring their members).
          for (const grant of source.grants) {
            if (grant.scope !== 'project-role' || grant.subjectType !== 'group' || !grant.scopeKey.startsWith(`${key}/`)) continue;
            const group = groupNamed(grant.subject);
            if (!group) continue;
            const role = grant.scopeKey.slice(key.length + 1);
            b.group(source, group, `in the role ${role} of ${key}`, true, wholeFor(clause.groupMembers));
            if (clause.roles) {
              for (const index of source.flattened(group)) {
                const user = source.users[index] as EffectiveUser;
                if (!user.active) continue;
                b.add(user, { kind: 'group-permission', direct: false, text: `in the role ${role} of ${key} through the group ${group.name}${viaText(source, group, index)} (+roles)`, group: group.lowerName });
                if (clause.groupMembers) b.wholeGroupsOf.add(user);
              }
            }
          }
          // The project's permission scheme: users granted directly are in; groups hold the permission.
          const scheme = sourceData.projectSchemes.get(key);
          if (scheme !== undefined) {
            for (const grant of source.grants) {
              if (grant.scope !== 'permission-scheme' || grant.scopeKey !== scheme) continue;
              if (grant.subjectType === 'user') {
                const found = lookup(source, grant.subject);
                const text = `granted ${grant.permission} in ${key} by the permission scheme "${scheme}"`;
                if ('user' in found) b.add(found.user, { kind: 'permission', direct: true, text, container: key });
                else b.former(source, grant.subject, found.userName, found.gone, text);
              } else {
                const group = groupNamed(grant.subject);
                if (group) b.group(source, group, `holds ${grant.permission} in ${key} (permission scheme "${scheme}")`, true, wholeFor(clause.groupMembers));
              }
            }
          }
        }
      }
      if (spec.customers) customers(source, sourceData, refsByContainer, spec, scoped, b, notes);
    } else if (source.product === 'confluence') {
      const spaces = keysOf('confluence-space');
      for (const clause of spec.confluence) {
        for (const wanted of clause.spaces) {
          const key = spaces.get(wanted.toUpperCase());
          if (!key) continue;
          found.spaces.add(wanted.toUpperCase());
          scoped.add(key);
          referenced(key, clause.groupMembers);
          // Space permissions held by groups: the group is in, and so are its members (SC-C02).
          const byGroup = new Map<SourceGroup, string[]>();
          for (const grant of source.grants) {
            if (grant.scope !== 'space' || grant.subjectType !== 'group' || grant.scopeKey !== key) continue;
            const group = groupNamed(grant.subject);
            if (!group) continue;
            byGroup.set(group, [...(byGroup.get(group) ?? []), grant.permission]);
          }
          for (const [group, permissions] of byGroup) {
            const held = permissions.length === 1 ? permissions[0] : `${permissions.length} permissions (${permissions.slice(0, 3).join(', ')}${permissions.length > 3 ? ', …' : ''})`;
            b.group(source, group, `holds ${held} on space ${key}`, true, wholeFor(clause.groupMembers));
            for (const index of source.flattened(group)) {
              const user = source.users[index] as EffectiveUser;
              if (!user.active) continue;
              b.add(user, { kind: 'group-permission', direct: false, text: `holds ${held} on space ${key} through the group ${group.name}${viaText(source, group, index)}`, group: group.lowerName });
              if (clause.groupMembers) b.wholeGroupsOf.add(user);
            }
          }
        }
      }
    } else if (source.product === 'bitbucket') {
      const repositories = keysOf('bitbucket-repository');
      for (const clause of spec.bitbucket) {
        for (const wanted of clause.repos) {
          const key = repositories.get(wanted.toUpperCase());
          if (!key) continue;
          found.repos.add(wanted.toUpperCase());
          const project = projectOf(key);
          scoped.add(key);
          scoped.add(project);
          // Users granted a permission on the repository or its project (recorded as references there).
          referenced(key, clause.groupMembers);
          referenced(project, clause.groupMembers);
          // Groups granted a permission on either: the group is in, and so are its active members.
          for (const grant of source.grants) {
            if (grant.subjectType !== 'group') continue;
            const on = grant.scope === 'repository' && grant.scopeKey === key ? `repository ${key}` : grant.scope === 'project' && grant.scopeKey === project ? `project ${project} (of ${key})` : undefined;
            if (!on) continue;
            const group = groupNamed(grant.subject);
            if (!group) continue;
            b.group(source, group, `holds ${grant.permission} on ${on}`, true, wholeFor(clause.groupMembers));
            for (const index of source.flattened(group)) {
              const user = source.users[index] as EffectiveUser;
              if (!user.active) continue;
              b.add(user, { kind: 'group-permission', direct: false, text: `holds ${grant.permission} on ${on} through the group ${group.name}${viaText(source, group, index)}`, group: group.lowerName });
              if (clause.groupMembers) b.wholeGroupsOf.add(user);
            }
          }
        }
      }
    }
  }

  const missing = [
    ...spec.jira.flatMap((clause) => clause.projects.filter((key) => !found.projects.has(key.toUpperCase())).map((key) => `Jira project ${key}`)),
    ...spec.confluence.flatMap((clause) => clause.spaces.filter((key) => !found.spaces.has(key.toUpperCase())).map((key) => `Confluence space ${key}`)),
    ...spec.bitbucket.flatMap((clause) => clause.repos.filter((key) => !found.repos.has(key.toUpperCase())).map((key) => `Bitbucket repository ${key}`)),
  ];
  if (missing.length > 0) {
    const known = (kind: string) =>
      [...data.sources.values()].flatMap((s) => s.containers.filter((c) => c.kind === kind).map((c) => c.key)).sort();
    const list = (keys: string[]) => (keys.length === 0 ? 'none' : `${keys.slice(0, 20).join(', ')}${keys.length > 20 ? `, … (${keys.length} in all)` : ''}`);
    throw usageError(
      `--scope names ${missing.join(', ')}, which no scanned source has (Jira projects: ${list(known('jira-project'))}; Confluence spaces: ${list(known('confluence-space'))}${spec.bitbucket.length > 0 ? `; Bitbucket repositories: ${list(known('bitbucket-repository'))}` : ''})`,
    );
  }

  const byEmail = usersByEmail(identities);
  sameAccount(identities, byEmail, b);
  groupsOfInScopeUsers(estate, spec, b);
  cascade(b);
  sameAccount(identities, byEmail, b);

  // Former users: decided ones among the users in scope, then the data's deleted and inactive users.
  for (const [user, scoped] of b.users) {
    const identity = identities.byUser.get(user);
    if (identity?.outcome !== 'former-user') continue;
    const key = `${user.source}\u0000${user.userKey}`;
    b.formers.set(key, { source: user.source, userKey: user.userKey, userName: user.userName, why: 'decided', reasons: scoped.reasons.map((r) => r.text) });
  }
  const formerUsers = [...b.formers.values()].sort((x, y) => (x.source + x.userName < y.source + y.userName ? -1 : 1));
  return { spec, users: b.users, groups: b.groups, formerUsers, containers, notes };
}

/** The project key of a Bitbucket repository key `PROJECT/slug`. */
const projectOf = (repository: string): string => repository.slice(0, repository.indexOf('/'));

/** ` via eng` when the user is in the group only through a nested group; '' when a direct member. */
export function viaText(source: SourceEstate, group: SourceGroup, index: number): string {
  const path = nestedPath(source, group, index);
  return path.length === 0 ? '' : ` via ${path.join(' › ')}`;
}

/** The chain of child groups through which a user is a member of a group ([] when direct). */
export function nestedPath(source: SourceEstate, group: SourceGroup, index: number): string[] {
  if (group.directUsers.has(index)) return [];
  const seen = new Set<number>([group.index]);
  const queue: Array<{ group: SourceGroup; path: string[] }> = [{ group, path: [] }];
  while (queue.length > 0) {
    const { group: current, path } = queue.shift() as { group: SourceGroup; path: string[] };
    for (const childIndex of current.children) {
      if (seen.has(childIndex)) continue;
      seen.add(childIndex);
      const child = source.groups[childIndex] as SourceGroup;
      if (!source.flattened(child).has(index)) continue;
      const next = [...path, child.name];
      if (child.directUsers.has(index)) return next;
      queue.push({ group: child, path: next });
    }
  }
  return [];
}

/** JSM customers (SC-S01, SC-S02): portal users without a Jira licence who raised requests or belong to an organization. */
function customers(
  source: SourceEstate,
  data: SourceScopeData,
  refsByContainer: Map<string, ReferenceRow[]>,
  spec: ScopeSpec,
  scoped: Set<string>,
  b: Builder,
  notes: string[],
): void {
  const licensed = licensedUsers(source);
  const serviceDesks = new Set(data.containers.filter((c) => c.kind === 'jsm-service-desk').map((c) => c.key));
  const desks = spec.customers === 'all' ? [...serviceDesks] : [...scoped].filter((key) => serviceDesks.has(key));
  if (spec.customers === 'related' && desks.length === 0) {
    notes.push(`jsm:customers=related: no service desk project of ${source.name} is in scope, so no customers are related`);
  }
  const consider = (row: ReferenceRow, text: string) => {
    const found = lookup(source, row.userKey);
    if (!('user' in found)) {
      b.former(source, row.userKey, found.userName, found.gone, text);
      return;
    }
    if (licensed.has(found.user.index)) return; // an agent or licensed user: comes in as a user, not as a customer
    b.add(found.user, { kind: 'customer', direct: true, text, container: row.container, count: row.count }, true);
  };
  for (const desk of desks) {
    for (const row of refsByContainer.get(desk) ?? []) {
      if (spec.customers === 'all' && !REQUEST_KINDS.has(row.kind)) continue;
      if (NON_PROJECT_KINDS.has(row.kind)) continue;
      const what = REQUEST_KINDS.has(row.kind) ? describeReference({ ...row, kind: 'reporter' }).replace('reporter of', 'raised') : describeReference(row);
      consider(row, `JSM customer: ${what.replace(/\bissues?\b/, (word) => (word === 'issue' ? 'request' : 'requests'))}`);
    }
  }
  if (spec.customers === 'all') {
    for (const row of [...refsByContainer.values()].flat()) {
      if (row.kind === 'jsm-organization-member') consider(row, `JSM customer: ${describeReference(row)}`);
    }
  }
}

/** The users of each cloud email. */
function usersByEmail(identities: Identities): Map<string, EffectiveUser[]> {
  const byEmail = new Map<string, EffectiveUser[]>();
  for (const identity of identities.byUser.values()) {
    if (!identity.email) continue;
    const list = byEmail.get(identity.email);
    if (list) list.push(identity.user);
    else byEmail.set(identity.email, [identity.user]);
  }
  return byEmail;
}

/** Everyone whose cloud account is that of an in-scope user comes in too (same email, or merged into it). */
function sameAccount(identities: Identities, byEmail: ReadonlyMap<string, EffectiveUser[]>, b: Builder): void {
  for (const [user] of [...b.users]) {
    const email = identities.byUser.get(user)?.email;
    if (!email) continue;
    for (const other of byEmail.get(email) ?? []) {
      if (other === user || b.users.has(other)) continue;
      b.add(other, { kind: 'same-account', direct: false, text: `same cloud account (${email}) as ${user.source}:${user.userName}, who is in scope` });
    }
  }
}

/** The groups of in-scope users (SC-C03): each user's groups, directly or through nesting. */
function groupsOfInScopeUsers(estate: Estate, spec: ScopeSpec, b: Builder): void {
  for (const source of estate.sources) {
    const inScope = new Uint8Array(source.users.length);
    const whole = new Uint8Array(source.users.length);
    let any = false;
    let anyWhole = false;
    for (const user of source.users) {
      if (!b.users.has(user)) continue;
      inScope[user.index] = 1;
      if (b.wholeGroupsOf.has(user)) {
        whole[user.index] = 1;
        anyWhole = true;
      }
      any = true;
    }
    if (!any) continue;
    for (const group of source.groups) {
      let example = -1;
      let makeWhole = spec.groupMembers === 'all';
      for (const index of source.flattened(group)) {
        if (inScope[index] !== 1 || !(source.users[index] as EffectiveUser).active) continue;
        if (example < 0) example = index;
        if (whole[index] === 1) makeWhole = true;
        if (makeWhole || !anyWhole) break;
      }
      if (example < 0) continue;
      const user = source.users[example] as EffectiveUser;
      b.group(source, group, `a group of in-scope users (e.g. ${user.source}:${user.userName}${viaText(source, group, example)})`, false, makeWhole);
    }
  }
}

/** Groups migrated whole bring every active member in: the cascade, one level deep. */
function cascade(b: Builder): void {
  for (const scoped of [...b.groups.values()]) {
    if (!scoped.whole) continue;
    const { source, group } = scoped;
    for (const index of source.flattened(group)) {
      const user = source.users[index] as EffectiveUser;
      if (!user.active) continue;
      b.add(user, { kind: 'group-members', direct: false, text: `member of ${group.name}${viaText(source, group, index)}, which migrates whole (${scoped.why[0] ?? 'in scope'})`, group: group.lowerName });
    }
  }
}
