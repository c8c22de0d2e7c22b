/**
 * Reads a running Bitbucket (Server / Data Center) over REST API 1.0 (SOURCES.md §3) into the same snapshot
 * records as the other readers: users (inactive ones included), groups and their members, global, project
 * and repository permissions to users and groups, and the repositories as containers, so that a plan can
 * be scoped by repository (`--scope bitbucket:repos=PROJECT/slug`, RULES.md SC-B01).
 *
 * Source spec `bitbucket:https://bitbucket.example.com` (the base URL, context path included). Credentials
 * from the environment: USERMIG_BITBUCKET_TOKEN (an HTTP access token, Bearer) or USERMIG_BITBUCKET_USER
 * and USERMIG_BITBUCKET_PASSWORD (Basic). The admin endpoints need a (system) administrator.
 *
 * What is read, every listing paged by `start` / `limit` until `isLastPage` (then `nextPageStart`):
 * - `admin/users`: every user of every directory, with `active` (inactive users are listed too);
 * - `admin/groups` and `admin/groups/more-members?context=G`: groups and members (recorded as direct
 *   members: whether Bitbucket flattens nested groups there is not documented, SOURCES.md §8.5);
 * - `admin/permissions/users|groups`: global permissions (LICENSED_USER, PROJECT_CREATE, ADMIN, SYS_ADMIN),
 *   which decide product access and admin groups (RULES.md S-09, S-10);
 * - `projects`, `projects/{key}/permissions/users|groups`: project permissions (grant scope `project`,
 *   scope key the project key);
 * - `projects/{key}/repos`, `projects/{key}/repos/{slug}/permissions/users|groups`: repositories (containers
 *   of kind `bitbucket-repository`, key `PROJECT/slug`) and their permissions (grant scope `repository`,
 *   scope key `PROJECT/slug`).
 * - `projects/{key}/repos/{slug}/pull-requests?state=ALL`: the author, reviewers and participants of every
 *   pull request, as references in the repository (`pull-request-author`, `-reviewer`, `-participant`).
 * A user granted a project or repository permission directly is also recorded as a reference in that
 * project (`project-permission`, container the project key) or repository (`repository-permission`,
 * container `PROJECT/slug`), which `usermig explain` shows.
 *
 * Users are keyed by their numeric id (stable across renames, so decisions follow a renamed user), or by
 * the lower-case username when an answer has no id. What REST does not give is said in not-read records
 * (printed after the scan, assessed as `source-not-read`): the directories' order, group nesting, personal
 * repositories, the default permission a project gives every licensed user, public access, and commit
 * authors (git identities, not Bitbucket users).
 */
import { BITBUCKET_ACCESS } from '../assess/access.js';
import type { SnapshotSink } from '../model/snapshot.js';
import type { SourceContext } from './index.js';
import { forEachConcurrently, q, Shape } from './rest-client.js';
import { credentialsFrom, drained, openRestSource, readRestSource, RestReader } from './rest-source.js';

export const BITBUCKET_ENV_PREFIX = 'USERMIG_BITBUCKET';
/** The one directory a Bitbucket REST source has (its directories' order is not listed by REST). */
export const BITBUCKET_REST_DIRECTORY_ID = 'bitbucket-rest';

const API = '/rest/api/1.0';
const PAGE = 1000;

export async function readBitbucketRest(location: string, sink: SnapshotSink, onProgress?: (done: number, total: number) => void, context?: SourceContext): Promise<void> {
  const source = openRestSource('Bitbucket', location, context, (env) => credentialsFrom(env, BITBUCKET_ENV_PREFIX), onProgress);
  const reader = new BitbucketRestReader(source.client, sink, source.progress);
  await readRestSource(source, () => reader.read());
}

type Handle = (value: unknown, shape: Shape, where: string) => void;

class BitbucketRestReader extends RestReader {
  /** user key → nothing; the users already handed to the sink. */
  private readonly directories = new Set<string>();
  private readonly serviceUsers = new Set<string>();
  /** Keys of people named in pull requests who are not users any more. */
  private readonly formerKeys = new Set<string>();
  /** Users granted a global permission directly rather than through a group: key → `name PERMISSION…`. */
  private readonly directlyGranted = new Map<string, string>();
  /** User key → the (lower-case) groups it is a member of. */
  private readonly groupsOf = new Map<string, Set<string>>();
  /** Lower-case names of the groups granted Bitbucket (LICENSED_USER or higher) globally. */
  private readonly licensingGroups = new Set<string>();
  /** Groups, projects and repositories listed, then gone (404) when their details were asked: deleted meanwhile. */
  private readonly vanished = new Set<string>();

  async read(): Promise<void> {
    this.restDirectory(BITBUCKET_REST_DIRECTORY_ID, 'Bitbucket');
    this.progress.phase = 'users (admin/users)';
    await this.pages(`${API}/admin/users`, (value, shape, where) => void this.user(value, shape, where));

    this.progress.phase = 'groups (admin/groups)';
    const groups: string[] = [];
    await this.pages(`${API}/admin/groups`, (value, shape, where) => {
      const name = shape.string(shape.object(value, where).name, `${where}.name`);
      groups.push(name);
      this.sink.group({ directoryId: BITBUCKET_REST_DIRECTORY_ID, name });
      this.progress.groups++;
      this.progress.tick();
    });

    this.progress.phase = 'group members (admin/groups/more-members)';
    await forEachConcurrently(groups, this.client.workers, async (group) => {
      await this.pages(`${API}/admin/groups/more-members?context=${q(group)}`, (value, shape, where) => {
        const child = this.user(value, shape, where);
        if (child === undefined) return;
        this.sink.membership({ directoryId: BITBUCKET_REST_DIRECTORY_ID, parent: group, child: child.name, childIsGroup: false });
        const groups = this.groupsOf.get(child.key) ?? new Set<string>();
        groups.add(group.toLowerCase());
        this.groupsOf.set(child.key, groups);
        this.progress.memberships++;
        this.progress.tick();
      }, `group ${group}`);
    });

    this.progress.phase = 'global permissions (admin/permissions)';
    await this.permissions(`${API}/admin/permissions`, 'global', '');

    this.progress.phase = 'projects (projects)';
    const projects: string[] = [];
    await this.pages(`${API}/projects`, (value, shape, where) => {
      projects.push(shape.string(shape.object(value, where).key, `${where}.key`));
    });

    this.progress.phase = 'project permissions and repositories (projects/{key}/permissions, projects/{key}/repos)';
    const repositories: Array<{ project: string; slug: string }> = [];
    await forEachConcurrently(projects, this.client.workers, async (project) => {
      await this.permissions(`${API}/projects/${q(project)}/permissions`, 'project', project, `project ${project}`);
      await this.pages(`${API}/projects/${q(project)}/repos`, (value, shape, where) => {
        const repository = shape.object(value, where);
        const slug = shape.string(repository.slug, `${where}.slug`);
        const key = `${project}/${slug}`;
        const id = repository.id;
        this.sink.container({ kind: 'bitbucket-repository', key, name: shape.optionalString(repository.name, `${where}.name`) || slug, ...(typeof id === 'number' || typeof id === 'string' ? { ref: `repository:${id}` } : {}) });
        this.progress.containers++;
        this.progress.tick();
        repositories.push({ project, slug });
      }, `project ${project}`);
    });

    // Every repository on its own, so that a project with many repositories is read concurrently too.
    this.progress.phase = 'repository permissions and pull requests (projects/{key}/repos/{slug}/permissions, …/pull-requests)';
    await forEachConcurrently(repositories, this.client.workers, async ({ project, slug }) => {
      await this.permissions(`${API}/projects/${q(project)}/repos/${q(slug)}/permissions`, 'repository', `${project}/${slug}`, `repository ${project}/${slug}`);
      await this.pullRequests(project, slug);
    });

    if (this.serviceUsers.size > 0) {
      this.notRead(
        'service-users',
        `${this.serviceUsers.size} service user${this.serviceUsers.size === 1 ? '' : 's'} (access tokens: ${[...this.serviceUsers].sort().slice(0, 5).join(', ')}${this.serviceUsers.size > 5 ? ', …' : ''}) ${this.serviceUsers.size === 1 ? 'was' : 'were'} left out, with their permissions: they are not people and do not migrate`,
        'nothing migrates for them: create new access tokens in Bitbucket Cloud for what used them',
      );
    }
    if (this.directlyGranted.size > 0) {
      const count = this.directlyGranted.size;
      const unlicensed = [...this.directlyGranted.keys()].filter((key) => ![...(this.groupsOf.get(key) ?? [])].some((group) => this.licensingGroups.has(group))).length;
      const named = [...this.directlyGranted.values()].sort();
      this.notRead(
        'direct-global-permissions',
        `${count} user${count === 1 ? ' holds' : 's hold'} a global permission directly, not through a group (${named.slice(0, 5).join(', ')}${count > 5 ? ', …' : ''}): usermig counts product access and admin access through groups only (S-09, S-10)` +
          (unlicensed > 0 ? `; ${unlicensed} of them ${unlicensed === 1 ? 'is' : 'are'} in no group that grants Bitbucket, so not counted as billable` : ''),
        'in the cloud, access and admin rights come from groups: give these users a group that grants what they hold (LICENSED_USER or higher, ADMIN, SYS_ADMIN) before migrating, or grant it in the cloud by hand',
      );
    }
    if (this.vanished.size > 0) {
      const gone = [...this.vanished].sort();
      this.notRead(
        'deleted-while-scanning',
        `${gone.length} ${gone.length === 1 ? 'group, project or repository was' : 'groups, projects or repositories were'} deleted while the scan read Bitbucket (${gone.slice(0, 5).join(', ')}${gone.length > 5 ? ', …' : ''}: listed, then not found): what they held was not read`,
        'the snapshot may miss members, permissions or pull requests that moved elsewhere meanwhile: scan again for a consistent snapshot',
      );
    }
    this.notRead(
      'directories',
      `Bitbucket REST does not give the order of its user directories${this.directories.size > 0 ? ` (${[...this.directories].sort().join(', ')})` : ''}: every user is recorded in one directory`,
      'users shadowed by an earlier directory and drift against an LDAP source (directory-drift) cannot be assessed: compare with Bitbucket\'s User directories page',
    );
    this.notRead(
      'group-nesting',
      'Bitbucket REST does not say whether group members are direct or inherited: the members it lists are recorded as direct members',
      'nested groups and cycles are not reported, and where Bitbucket lists only direct members, people who belong through a nested group are missing from the cloud groups and the billable users: scan Crowd or the LDAP directory to see the nesting',
    );
    this.notRead(
      'repository-access',
      'usermig does not read personal repositories, the default permission a project gives every licensed user, public access, or commit authors (git identities, not users); users of a repository are those with a permission on it or its project (directly or through a group) and the people of its pull requests',
      'a bitbucket:repos= scope does not bring in people who reach a repository only through a default or public permission: check the projects\' settings in Bitbucket',
    );
  }

  /**
   * Reads a start / limit listing until `isLastPage`, continuing at `nextPageStart`. `gone` names what the
   * listing belongs to (a group, project or repository listed earlier): a 404 then means it was deleted
   * while the scan ran, which is noted rather than failing the scan.
   */
  private async pages(path: string, handle: Handle, gone?: string): Promise<void> {
    const endpoint = path.replace(/\?.*$/, '');
    const separator = path.includes('?') ? '&' : '?';
    for (let start = 0; ; ) {
      const shape = new Shape(endpoint);
      const answer = await this.client.get(`${path}${separator}start=${start}&limit=${PAGE}`, gone ? [404] : []);
      if (gone && answer.status === 404) {
        this.vanished.add(gone);
        return;
      }
      const page = shape.object(answer.body, '(answer)');
      const values = shape.array(page.values, 'values');
      values.forEach((value, i) => handle(value, shape, `values[${i}]`));
      await drained(this.sink);
      if (page.isLastPage === undefined) shape.fail('isLastPage', 'true or false', undefined);
      if (shape.boolean(page.isLastPage, 'isLastPage', true)) return;
      const next = shape.number(page.nextPageStart, 'nextPageStart');
      if (next <= start) shape.fail('nextPageStart', `a start after ${start}`, next);
      start = next;
    }
  }

  /**
   * The people of a repository's pull requests, open or not: author, reviewers and participants (who
   * commented or approved), as references in the repository. They are named by key only: someone deleted
   * since is a reference to a user the source no longer has (a Former user).
   */
  private async pullRequests(project: string, slug: string): Promise<void> {
    const container = `${project}/${slug}`;
    await this.pages(`${API}/projects/${q(project)}/repos/${q(slug)}/pull-requests?state=ALL`, (value, shape, where) => {
      const pr = shape.object(value, where);
      const item = `#${String(pr.id ?? '?')} ${shape.optionalString(pr.title, `${where}.title`)}`.trim();
      const roles: Array<[string, unknown[]]> = [
        ['pull-request-author', pr.author === undefined || pr.author === null ? [] : [pr.author]],
        ['pull-request-reviewer', pr.reviewers === undefined ? [] : shape.array(pr.reviewers, `${where}.reviewers`)],
        ['pull-request-participant', pr.participants === undefined ? [] : shape.array(pr.participants, `${where}.participants`)],
      ];
      for (const [kind, people] of roles) {
        people.forEach((person, i) => {
          const at = kind === 'pull-request-author' ? `${where}.author` : `${where}.${kind === 'pull-request-reviewer' ? 'reviewers' : 'participants'}[${i}]`;
          const user = shape.object(shape.object(person, at).user, `${at}.user`);
          if (user.type === 'SERVICE') return;
          const name = shape.string(user.name, `${at}.user.name`);
          const userKey = this.keyOf(user, name);
          if (!this.seen.has(userKey) && !this.formerKeys.has(userKey)) {
            // Not among the users (read first): deleted since. Its key still names it, as a Jira backup's
            // ApplicationUser without a User does, so that it shows as a Former user by name.
            this.formerKeys.add(userKey);
            this.sink.userKey({ userKey, lowerUserName: name.toLowerCase() });
          }
          this.reference({ userKey, kind, container, item });
        });
      }
    }, `repository ${container}`);
  }

  /** The user and group permissions of one level (global, a project, a repository). */
  private async permissions(path: string, scope: 'global' | 'project' | 'repository', scopeKey: string, gone?: string): Promise<void> {
    await this.pages(`${path}/users`, (value, shape, where) => {
      const entry = shape.object(value, where);
      const permission = shape.string(entry.permission, `${where}.permission`);
      const user = this.user(entry.user, shape, `${where}.user`);
      if (user === undefined) return; // a service user (an access token): not a person
      const userKey = user.key;
      this.grant('user', userKey, permission, scope, scopeKey);
      if (scope === 'global') this.directlyGranted.set(userKey, `${this.directlyGranted.get(userKey) ?? user.name} ${permission}`);
      if (scope !== 'global') this.reference({ userKey, kind: `${scope}-permission`, container: scopeKey, item: permission });
    }, gone);
    await this.pages(`${path}/groups`, (value, shape, where) => {
      const entry = shape.object(value, where);
      const permission = shape.string(entry.permission, `${where}.permission`);
      const group = shape.string(shape.object(entry.group, `${where}.group`).name, `${where}.group.name`);
      this.grant('group', group, permission, scope, scopeKey);
      if (scope === 'global' && BITBUCKET_ACCESS.has(permission)) this.licensingGroups.add(group.toLowerCase());
    }, gone);
  }

  private keyOf(user: Record<string, unknown>, name: string): string {
    return typeof user.id === 'number' || (typeof user.id === 'string' && user.id !== '') ? String(user.id) : name.toLowerCase();
  }

  /**
   * Hands a user object to the sink once (by key); returns its username and key. Service users (`type: SERVICE`,
   * the users behind project and repository access tokens) are not people: undefined, counted for a note.
   */
  private user(value: unknown, shape: Shape, where: string): { name: string; key: string } | undefined {
    const object = shape.object(value, where);
    const name = shape.string(object.name, `${where}.name`);
    if (object.type === 'SERVICE') {
      this.serviceUsers.add(name);
      return undefined;
    }
    const key = this.keyOf(object, name);
    this.userOnce(key, () => {
      const directory = shape.optionalString(object.directoryName, `${where}.directoryName`);
      if (directory) this.directories.add(directory);
      return {
        directoryId: BITBUCKET_REST_DIRECTORY_ID,
        userName: name,
        active: shape.boolean(object.active, `${where}.active`, true),
        displayName: shape.optionalString(object.displayName, `${where}.displayName`),
        email: shape.optionalString(object.emailAddress, `${where}.emailAddress`),
        updated: '',
      };
    });
    return { name, key };
  }
}
