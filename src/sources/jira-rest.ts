/**
 * Reads a running Jira (Server / Data Center) over REST API v2 into the same snapshot records as the Jira
 * backup reader: users with their keys (inactive ones included), groups and their members, application
 * roles, projects with their role actors and permission schemes, default project role actors, JSM
 * organizations, and the people each project's issues name (search with the user fields: reporter,
 * assignee, creator, comment / worklog / attachment authors, user-picker values), for scoping by project.
 *
 * Source spec `jira:https://jira.example.com` (the base URL, context path included). Credentials from the
 * environment: USERMIG_JIRA_TOKEN (a personal access token, Bearer) or USERMIG_JIRA_USER and
 * USERMIG_JIRA_PASSWORD (Basic). An administrator's account is needed for the user and role lists.
 *
 * Users, in the order that works (SOURCES.md §1.1):
 * 1. `user/list` (DC 10.3+ / 11): cursor paging over every user, inactive included;
 * 2. otherwise `user/search?username=.` with includeActive and includeInactive, paged by startAt; when the
 *    server caps the search at 100 results (DC 10.0–10.2), the search is split by prefix (a, b, … then aa,
 *    ab, … where a prefix still hits the cap) and the answers merged by user key;
 * 3. and every member of every group (group/member with includeInactiveUsers) not seen yet.
 *
 * What Jira REST does not give is recorded as not read (printed by the scan, reported by assess as
 * source-not-read): the global permission grants, the nesting of groups (group/member lists effective
 * members, so memberships are recorded as direct), and the directories.
 */
import type { SnapshotSink } from '../model/snapshot.js';
import type { SourceContext } from './index.js';
import { forEachConcurrently, q, RestError, Shape } from './rest-client.js';
import { credentialsFrom, drained, openRestSource, readRestSource, RestReader } from './rest-source.js';

export const JIRA_ENV_PREFIX = 'USERMIG_JIRA';
/** The one directory a Jira REST source has (REST does not list the real ones). */
export const JIRA_REST_DIRECTORY_ID = 'jira-rest';

const API = '/rest/api/2';
const LIST_PAGE = 1000;
const SEARCH_PAGE = 1000;
/** The result cap of user/search on Data Center 10. */
const SEARCH_CAP = 100;
const MEMBER_PAGE = 50;
const PREFIX_CHARACTERS = 'abcdefghijklmnopqrstuvwxyz0123456789';
const MAX_PREFIX_DEPTH = 4;
/** Issues per search page (Data Center's default jira.search.views.default.max is 1000; servers may give fewer). */
const ISSUE_PAGE = 1000;
/** The custom field types whose values are users (`schema.custom` of `field`). */
const USER_PICKER_TYPES = /:(multi)?userpicker$/;

export async function readJiraRest(location: string, sink: SnapshotSink, onProgress?: (done: number, total: number) => void, context?: SourceContext): Promise<void> {
  const source = openRestSource('Jira', location, context, (env) => credentialsFrom(env, JIRA_ENV_PREFIX), onProgress);
  const reader = new JiraRestReader(source.client, sink, source.progress);
  await readRestSource(source, () => reader.read());
}

interface JiraUser {
  key: string;
  name: string;
}

class JiraRestReader extends RestReader {
  /** user key → nothing; the users already handed to the sink. */
  /** lower-case username → user key, for role actors and scheme grants named by username. */
  private readonly keyByName = new Map<string, string>();
  private readonly projects: Array<{ id: string; key: string }> = [];
  /** The user-picker custom fields (id → name), whose values are user references. */
  private readonly userPickerFields = new Map<string, string>();

  async read(): Promise<void> {
    this.progress.phase = 'the current user (myself)';
    await this.client.get(`${API}/myself`);
    this.restDirectory(JIRA_REST_DIRECTORY_ID, 'Jira');
    await this.users();
    const groups = await this.groups();
    await this.members(groups);
    await this.applicationRoles();
    await this.projectsAndRoles();
    await this.defaultRoleActors();
    await this.permissionSchemes();
    await this.organizations();
    await this.issues();
    this.notRead(
      'global-permissions',
      'Jira REST does not list global permission grants (ADMINISTER, SYSTEM_ADMIN, USE…)',
      'groups holding Jira administration are not found: group-admin-access does not list them and their admin access is not held for approval in the cloud; check Global permissions in Jira by hand, or scan a jira-backup, which has them',
    );
    this.notRead(
      'group-nesting',
      'Jira REST gives the effective members of each group (group/member flattens nested groups): they are recorded as direct members',
      'the cloud groups get the same members, but nested groups and cycles are not reported and cannot be kept in an identity provider; scan a jira-backup, Crowd or the LDAP directory to see the nesting',
    );
    this.notRead(
      'directories',
      'Jira REST does not list the user directories: every user is recorded in one directory',
      'users shadowed by an earlier directory, users of inactive directories and drift against an LDAP source (directory-drift) cannot be assessed; scan a jira-backup to have them',
    );
  }

  /** The user key of a user object embedded in an answer (issue fields, role actors): `key`, else by name. */
  private keyOf(value: unknown, shape: Shape, where: string): string | undefined {
    if (value === null || value === undefined) return undefined;
    const object = shape.object(value, where);
    if (typeof object.key === 'string' && object.key) return object.key;
    const name = shape.optionalString(object.name, `${where}.name`);
    return name ? (this.keyByName.get(name.toLowerCase()) ?? name) : undefined;
  }

  // ---- users

  private async users(): Promise<void> {
    this.progress.phase = 'users (user/list)';
    const first = await this.client.get<unknown>(`${API}/user/list?maxResults=${LIST_PAGE}`, [400, 404, 405]);
    if (first.status === 200) {
      await this.userList(first.body);
      return;
    }
    this.progress.phase = 'users (user/search)';
    const capped = await this.search('.');
    if (capped) {
      this.notRead(
        'users-capped',
        `Jira caps user/search at ${SEARCH_CAP} results and has no user/list (Data Center 10.0–10.2): users were listed by searching every prefix of a–z and 0–9, and through the members of every group; a user in no group whose username, name and email all start with another character may be missing (Jira 10.3 and later list every user)`,
        "such a user gets no cloud account from this source: compare the user count with Jira's User management, or scan a jira-backup",
      );
      const prefixes = [...PREFIX_CHARACTERS];
      await forEachConcurrently(prefixes, this.client.workers, async (prefix) => {
        await this.searchPrefix(prefix);
      });
    }
  }

  private async userList(body: unknown): Promise<void> {
    let page = body;
    for (;;) {
      const shape = new Shape(`${API}/user/list`);
      const object = shape.object(page, '(answer)');
      for (const [i, value] of shape.array(object.values, 'values').entries()) this.user(value, shape, `values[${i}]`);
      await drained(this.sink);
      if (object.isLast === true || object.nextCursor === undefined || object.nextCursor === null || object.nextCursor === '') return;
      const cursor = typeof object.nextCursor === 'number' ? String(object.nextCursor) : shape.string(object.nextCursor, 'nextCursor');
      page = (await this.client.get(`${API}/user/list?maxResults=${LIST_PAGE}&cursor=${q(cursor)}`)).body;
    }
  }

  /** Pages through one search; true when the server capped it (the answer is then incomplete). */
  private async search(query: string): Promise<boolean> {
    let startAt = 0;
    for (;;) {
      const path = `${API}/user/search?username=${q(query)}&includeActive=true&includeInactive=true&startAt=${startAt}&maxResults=${SEARCH_PAGE}`;
      const shape = new Shape(`${API}/user/search`);
      const page = shape.array((await this.client.get(path)).body, '(answer)');
      for (const [i, value] of page.entries()) this.user(value, shape, `[${i}]`);
      await drained(this.sink);
      if (page.length >= SEARCH_PAGE) {
        startAt += page.length;
        continue;
      }
      // Fewer than asked: the end, unless the server stopped at its cap of 100.
      return startAt + page.length === SEARCH_CAP;
    }
  }

  private async searchPrefix(prefix: string): Promise<void> {
    const capped = await this.search(prefix);
    if (!capped || prefix.length >= MAX_PREFIX_DEPTH) return;
    for (const next of PREFIX_CHARACTERS) await this.searchPrefix(prefix + next);
  }

  /** Hands a user object to the sink once (by key); returns its username. */
  private user(value: unknown, shape: Shape, where: string): JiraUser {
    const object = shape.object(value, where);
    const name = shape.string(object.name, `${where}.name`);
    const key = object.key === undefined ? name : shape.string(object.key, `${where}.key`);
    const first = this.userOnce(key, () => ({
      directoryId: JIRA_REST_DIRECTORY_ID,
      userName: name,
      active: shape.boolean(object.active, `${where}.active`, true),
      displayName: shape.optionalString(object.displayName, `${where}.displayName`),
      email: shape.optionalString(object.emailAddress, `${where}.emailAddress`),
      updated: '',
    }));
    if (first) this.keyByName.set(name.toLowerCase(), key);
    return { key, name };
  }

  // ---- groups

  private async groups(): Promise<string[]> {
    this.progress.phase = 'groups (groups/picker)';
    const names = new Map<string, string>();
    const pick = async (query: string): Promise<number> => {
      const endpoint = `${API}/groups/picker`;
      const shape = new Shape(endpoint);
      const body = shape.object((await this.client.get(`${endpoint}?query=${q(query)}&maxResults=100000`)).body, '(answer)');
      for (const [i, group] of shape.array(body.groups, 'groups').entries()) {
        const name = shape.string(shape.object(group, `groups[${i}]`).name, `groups[${i}].name`);
        if (!names.has(name.toLowerCase())) names.set(name.toLowerCase(), name);
      }
      return typeof body.total === 'number' ? body.total : names.size;
    };
    const total = await pick('');
    if (names.size < total) {
      // The picker stopped short of the total: ask again by every character a group name may contain.
      await forEachConcurrently([...PREFIX_CHARACTERS, '-', '_', ' ', '.'], this.client.workers, async (c) => void (await pick(c)));
      if (names.size < total) {
        this.notRead('groups', `Jira's group picker listed ${names.size} of ${total} groups; the others were not read`, 'the groups not read and the memberships they hold are not migrated from this source: scan a jira-backup');
      }
    }
    for (const name of names.values()) {
      this.sink.group({ directoryId: JIRA_REST_DIRECTORY_ID, name });
      this.progress.groups++;
      this.progress.tick();
    }
    return [...names.values()];
  }

  private async members(groups: string[]): Promise<void> {
    this.progress.phase = 'group members (group/member)';
    await forEachConcurrently(groups, this.client.workers, async (group) => {
      let startAt = 0;
      for (;;) {
        const endpoint = `${API}/group/member`;
        const shape = new Shape(endpoint);
        const page = shape.object(
          (await this.client.get(`${endpoint}?groupname=${q(group)}&includeInactiveUsers=true&startAt=${startAt}&maxResults=${MEMBER_PAGE}`)).body,
          '(answer)',
        );
        const values = shape.array(page.values, 'values');
        for (const [i, value] of values.entries()) {
          const user = this.user(value, shape, `values[${i}]`);
          this.sink.membership({ directoryId: JIRA_REST_DIRECTORY_ID, parent: group, child: user.name, childIsGroup: false });
          this.progress.memberships++;
          this.progress.tick();
        }
        await drained(this.sink);
        if (page.isLast === true || values.length === 0) return;
        if (page.isLast === undefined && typeof page.total === 'number' && startAt + values.length >= page.total) return;
        startAt += values.length;
      }
    });
  }

  // ---- access

  private async applicationRoles(): Promise<void> {
    this.progress.phase = 'application roles (applicationrole)';
    const endpoint = `${API}/applicationrole`;
    const answer = await this.client.get(endpoint, [404]);
    if (answer.status === 404) return; // Jira 6 has no application roles
    const shape = new Shape(endpoint);
    for (const [i, role] of shape.array(answer.body, '(answer)').entries()) {
      const object = shape.object(role, `[${i}]`);
      const key = shape.string(object.key, `[${i}].key`);
      for (const [j, group] of shape.array(object.groups ?? [], `[${i}].groups`).entries()) {
        this.grant('group', shape.string(group, `[${i}].groups[${j}]`), key, 'application', '');
      }
    }
  }

  private async projectsAndRoles(): Promise<void> {
    this.progress.phase = 'projects (project)';
    const endpoint = `${API}/project`;
    const shape = new Shape(endpoint);
    for (const [i, project] of shape.array((await this.client.get(endpoint)).body, '(answer)').entries()) {
      const object = shape.object(project, `[${i}]`);
      const id = String(object.id ?? shape.fail(`[${i}].id`, 'a project id', object.id));
      const key = shape.string(object.key, `[${i}].key`);
      const name = shape.optionalString(object.name, `[${i}].name`);
      this.sink.container({ kind: 'jira-project', key, name, ref: `project:${id}` });
      if (object.projectTypeKey === 'service_desk') this.sink.container({ kind: 'jsm-service-desk', key, name, ref: `service-desk:${id}` });
      this.progress.containers++;
      this.projects.push({ id, key });
    }
    this.progress.phase = 'project roles (project/{key}/role)';
    await forEachConcurrently(this.projects, this.client.workers, async ({ id, key }) => {
      const rolesEndpoint = `${API}/project/${q(key)}/role`;
      const rolesShape = new Shape(rolesEndpoint);
      const roles = rolesShape.object((await this.client.get(rolesEndpoint)).body, '(answer)');
      for (const [roleName, url] of Object.entries(roles)) {
        const roleId = /\/(\d+)\/?$/.exec(rolesShape.string(url, roleName))?.[1];
        if (!roleId) rolesShape.fail(roleName, 'the URL of a role', url);
        const roleEndpoint = `${API}/project/${q(key)}/role/${roleId}`;
        const roleShape = new Shape(roleEndpoint);
        const role = roleShape.object((await this.client.get(roleEndpoint)).body, '(answer)');
        const name = roleShape.optionalString(role.name, 'name') || roleName;
        for (const [i, actor] of roleShape.array(role.actors ?? [], 'actors').entries()) {
          const a = roleShape.object(actor, `actors[${i}]`);
          const type = roleShape.string(a.type, `actors[${i}].type`);
          const actorName = roleShape.string(a.name, `actors[${i}].name`);
          if (type === 'atlassian-group-role-actor') this.grant('group', actorName, name, 'project-role', `${key}/${name}`);
          else if (type === 'atlassian-user-role-actor') {
            const userKey = this.keyByName.get(actorName.toLowerCase()) ?? actorName;
            this.grant('user', userKey, name, 'project-role', `${key}/${name}`);
            this.reference({ userKey, kind: 'project-role', container: key, item: name });
          }
        }
      }
      const schemeEndpoint = `${API}/project/${q(key)}/permissionscheme`;
      const scheme = await this.client.get(schemeEndpoint, [403, 404]);
      if (scheme.status === 200) {
        const schemeShape = new Shape(schemeEndpoint);
        const name = schemeShape.string(schemeShape.object(scheme.body, '(answer)').name, 'name');
        this.sink.place({ ref: `permission-scheme:${id}`, containerRef: `project:${id}`, item: name });
      }
      await drained(this.sink);
    });
  }

  /** The default actors of each project role (`role/{id}/actors`), recorded as the backup records them: `*\/Role`. */
  private async defaultRoleActors(): Promise<void> {
    this.progress.phase = 'default project role actors (role)';
    const endpoint = `${API}/role`;
    const answer = await this.client.get(endpoint, [403, 404]);
    if (answer.status !== 200) {
      this.notRead('default-role-actors', `Jira answered ${answer.status} to ${endpoint}: the default actors of project roles were not read`, 'nothing for the projects that exist (their role actors were read); a new project made from the defaults is not assessed');
      return;
    }
    const shape = new Shape(endpoint);
    const roles = shape.array(answer.body, '(answer)').map((role, i) => {
      const object = shape.object(role, `[${i}]`);
      const id = String(object.id ?? shape.fail(`[${i}].id`, 'a role id', object.id));
      return { id, name: shape.optionalString(object.name, `[${i}].name`) || `role ${id}` };
    });
    await forEachConcurrently(roles, this.client.workers, async ({ id, name }) => {
      const actorsEndpoint = `${API}/role/${q(id)}/actors`;
      const actors = await this.client.get(actorsEndpoint, [404]);
      if (actors.status !== 200) return;
      const actorsShape = new Shape(actorsEndpoint);
      const body = actorsShape.object(actors.body, '(answer)');
      for (const [i, actor] of actorsShape.array(body.actors ?? [], 'actors').entries()) {
        const a = actorsShape.object(actor, `actors[${i}]`);
        const type = actorsShape.string(a.type, `actors[${i}].type`);
        const actorName = actorsShape.string(a.name, `actors[${i}].name`);
        if (type === 'atlassian-group-role-actor') this.grant('group', actorName, name, 'project-role', `*/${name}`);
        else if (type === 'atlassian-user-role-actor') {
          const userKey = this.keyByName.get(actorName.toLowerCase()) ?? actorName;
          this.grant('user', userKey, name, 'project-role', `*/${name}`);
          this.reference({ userKey, kind: 'project-role', container: '', item: name });
        }
      }
    });
  }

  private async permissionSchemes(): Promise<void> {
    this.progress.phase = 'permission schemes (permissionscheme)';
    const endpoint = `${API}/permissionscheme`;
    const answer = await this.client.get(`${endpoint}?expand=permissions,user,group`, [404]);
    if (answer.status === 404) {
      this.notRead(
        'permission-schemes',
        'this Jira has no permissionscheme endpoint (before 7.0): permission scheme grants were not read',
        'a scope by project (--scope jira:projects=) does not bring in the users and groups its permission schemes grant to: scan a jira-backup',
      );
      return;
    }
    const shape = new Shape(endpoint);
    const body = shape.object(answer.body, '(answer)');
    for (const [i, scheme] of shape.array(body.permissionSchemes, 'permissionSchemes').entries()) {
      const s = shape.object(scheme, `permissionSchemes[${i}]`);
      const schemeName = shape.string(s.name, `permissionSchemes[${i}].name`);
      for (const [j, grant] of shape.array(s.permissions ?? [], `permissionSchemes[${i}].permissions`).entries()) {
        const where = `permissionSchemes[${i}].permissions[${j}]`;
        const g = shape.object(grant, where);
        const holder = shape.object(g.holder, `${where}.holder`);
        const permission = shape.string(g.permission, `${where}.permission`);
        const type = shape.string(holder.type, `${where}.holder.type`);
        const parameter = shape.optionalString(holder.parameter, `${where}.holder.parameter`);
        if (type === 'group' && parameter) this.grant('group', parameter, permission, 'permission-scheme', schemeName);
        else if (type === 'user' && parameter) {
          const user = holder.user as { key?: unknown } | undefined;
          const userKey = typeof user?.key === 'string' ? user.key : (this.keyByName.get(parameter.toLowerCase()) ?? parameter);
          this.grant('user', userKey, permission, 'permission-scheme', schemeName);
          this.reference({ userKey, kind: 'permission-scheme-grant', container: '', item: `${schemeName}: ${permission}` });
        }
      }
    }
  }

  /** JSM organizations and their members (Service Management REST); skipped when JSM is not installed. */
  private async organizations(): Promise<void> {
    this.progress.phase = 'JSM organizations (servicedeskapi/organization)';
    const endpoint = '/rest/servicedeskapi/organization';
    const organizations: Array<{ id: string; name: string }> = [];
    for (let start = 0; ; ) {
      const answer = await this.client.get(`${endpoint}?start=${start}&limit=50`, [404]);
      if (answer.status === 404) return;
      const shape = new Shape(endpoint);
      const page = shape.object(answer.body, '(answer)');
      const values = shape.array(page.values, 'values');
      for (const [i, value] of values.entries()) {
        const o = shape.object(value, `values[${i}]`);
        const id = String(o.id ?? shape.fail(`values[${i}].id`, 'an organization id', o.id));
        const name = shape.string(o.name, `values[${i}].name`);
        organizations.push({ id, name });
        this.sink.container({ kind: 'jsm-organization', key: name, name, ref: `organization:${id}` });
        this.progress.containers++;
      }
      if (page.isLastPage !== false || values.length === 0) break;
      start += values.length;
    }
    this.progress.phase = 'JSM organization members (servicedeskapi/organization/{id}/user)';
    await forEachConcurrently(organizations, this.client.workers, async ({ id, name }) => {
      const memberEndpoint = `${endpoint}/${q(id)}/user`;
      for (let start = 0; ; ) {
        const shape = new Shape(memberEndpoint);
        const page = shape.object((await this.client.get(`${memberEndpoint}?start=${start}&limit=50`)).body, '(answer)');
        const values = shape.array(page.values, 'values');
        for (const [i, value] of values.entries()) {
          const user = this.user(value, shape, `values[${i}]`);
          this.reference({ userKey: user.key, kind: 'jsm-organization-member', container: name, item: name });
        }
        await drained(this.sink);
        if (page.isLastPage !== false || values.length === 0) return;
        start += values.length;
      }
    });
  }

  // ---- issues (SOURCES.md §1.7)

  /**
   * The people each project's issues name, through search with the user fields: reporter, assignee,
   * creator, comment and worklog authors, attachment authors and user-picker values — the references a
   * scope by project reads. Comments and worklogs that search cut short are read from the issue.
   */
  private async issues(): Promise<void> {
    if (this.projects.length === 0) return;
    this.progress.phase = 'user-picker fields (field)';
    const fieldEndpoint = `${API}/field`;
    const fields = await this.client.get(fieldEndpoint, [404]);
    if (fields.status === 200) {
      const shape = new Shape(fieldEndpoint);
      for (const [i, field] of shape.array(fields.body, '(answer)').entries()) {
        const f = shape.object(field, `[${i}]`);
        const schema = f.schema === undefined ? {} : shape.object(f.schema, `[${i}].schema`);
        if (typeof schema.custom === 'string' && USER_PICKER_TYPES.test(schema.custom)) {
          const id = shape.string(f.id, `[${i}].id`);
          this.userPickerFields.set(id, shape.optionalString(f.name, `[${i}].name`) || id);
        }
      }
    }
    const wanted = ['reporter', 'assignee', 'creator', 'comment', 'worklog', 'attachment', ...this.userPickerFields.keys()].join(',');
    this.progress.phase = 'issues (search)';
    /** Projects whose search was refused (no Browse permission, a project search cannot name): key → status. */
    const refused: string[] = [];
    await forEachConcurrently(this.projects, this.client.workers, async (project) => {
      for (let startAt = 0; ; ) {
        const endpoint = `${API}/search`;
        const jql = `project = "${project.key}" ORDER BY id ASC`;
        const shape = new Shape(endpoint);
        const answer = await this.client.get(`${endpoint}?jql=${q(jql)}&fields=${q(wanted)}&startAt=${startAt}&maxResults=${ISSUE_PAGE}&validateQuery=false`, [400, 403]);
        if (answer.status !== 200) {
          refused.push(`${project.key} (${answer.status})`);
          return;
        }
        const page = shape.object(answer.body, '(answer)');
        const issues = shape.array(page.issues, 'issues');
        for (const [i, issue] of issues.entries()) await this.issue(project, issue, shape, `issues[${i}]`);
        await drained(this.sink);
        startAt += issues.length;
        const total = typeof page.total === 'number' ? page.total : undefined;
        if (issues.length === 0 || (total !== undefined && startAt >= total)) return;
      }
    });
    if (refused.length > 0) {
      this.notRead(
        'issues',
        `Jira refused to search the issues of ${refused.length === 1 ? 'project' : 'projects'} ${refused.sort().join(', ')}: the people their issues name were not read`,
        'a scope by these projects brings in only their role actors, leads and permission grants: give the account Browse projects on them, or scan a jira-backup',
      );
    }
    this.notRead(
      'issue-watchers-history',
      'Jira REST search gives the reporters, assignees, creators, comment, worklog and attachment authors and user-picker values of issues; watchers, voters and the authors of issue history need a request per issue and were not read',
      'a scope by project (--scope jira:projects=) does not bring in people who only watched, voted on or changed its issues: scan a jira-backup for them',
    );
  }

  private async issue(project: { id: string; key: string }, value: unknown, shape: Shape, where: string): Promise<void> {
    const issue = shape.object(value, where);
    const id = String(issue.id ?? shape.fail(`${where}.id`, 'an issue id', issue.id));
    const key = shape.string(issue.key, `${where}.key`);
    const fields = shape.object(issue.fields ?? {}, `${where}.fields`);
    const itemRef = `issue:${id}`;
    this.sink.place({ ref: itemRef, containerRef: `project:${project.id}`, item: key });
    const reference = (kind: string, userKey: string | undefined) => {
      if (userKey) this.reference({ userKey, kind, itemRef });
    };
    // One reference per person among reporter, assignee and creator, as the backup reader records them.
    const reporter = this.keyOf(fields.reporter, shape, `${where}.fields.reporter`);
    const assignee = this.keyOf(fields.assignee, shape, `${where}.fields.assignee`);
    const creator = this.keyOf(fields.creator, shape, `${where}.fields.creator`);
    reference('reporter', reporter);
    if (assignee !== reporter) reference('assignee', assignee);
    if (creator !== reporter && creator !== assignee) reference('creator', creator);
    const listed = async (field: string, listName: string, author: string, updater: string) => {
      const value = fields[field];
      if (value === undefined || value === null) return;
      const block = shape.object(value, `${where}.fields.${field}`);
      let entries = shape.array(block[listName] ?? [], `${where}.fields.${field}.${listName}`);
      let entriesShape = shape;
      let at = `${where}.fields.${field}.${listName}`;
      if (typeof block.total === 'number' && block.total > entries.length) {
        // Search gives the first few; the issue gives them all, in pages where Jira caps maxResults.
        const endpoint = `${API}/issue/${q(id)}/${field}`;
        entriesShape = new Shape(endpoint);
        entries = [];
        while (entries.length < block.total) {
          const all = entriesShape.object((await this.client.get(`${endpoint}?startAt=${entries.length}&maxResults=${block.total - entries.length}`)).body, '(answer)');
          const page = entriesShape.array(all[listName], listName);
          // An answer from elsewhere than asked (a version that ignores startAt gives them all at once).
          if (typeof all.startAt === 'number' && all.startAt !== entries.length) {
            if (entries.length === 0) entries = page;
            break;
          }
          entries.push(...page);
          if (page.length === 0) break;
        }
        at = listName;
      }
      for (const [i, entry] of entries.entries()) {
        const e = entriesShape.object(entry, `${at}[${i}]`);
        const by = this.keyOf(e.author, entriesShape, `${at}[${i}].author`);
        const updatedBy = this.keyOf(e.updateAuthor, entriesShape, `${at}[${i}].updateAuthor`);
        reference(author, by);
        if (updatedBy !== by) reference(updater, updatedBy);
      }
    };
    await listed('comment', 'comments', 'comment-author', 'comment-updater');
    await listed('worklog', 'worklogs', 'worklog-author', 'worklog-updater');
    for (const [i, attachment] of shape.array(fields.attachment ?? [], `${where}.fields.attachment`).entries()) {
      reference('attachment-author', this.keyOf(shape.object(attachment, `${where}.fields.attachment[${i}]`).author, shape, `${where}.fields.attachment[${i}].author`));
    }
    for (const [fieldId, name] of this.userPickerFields) {
      const picked = fields[fieldId];
      if (picked === undefined || picked === null) continue;
      const users = Array.isArray(picked) ? picked : [picked];
      for (const [i, user] of users.entries()) reference(`user-picker:${name}`, this.keyOf(user, shape, `${where}.fields.${fieldId}[${i}]`));
    }
  }
}

export { RestError };
