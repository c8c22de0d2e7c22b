/**
 * Reads a running Confluence (Server / Data Center) over its REST API (`/rest/api`, SOURCES.md §2) into the
 * same snapshot records as the Confluence backup reader: users with their keys, groups and members, spaces,
 * space permissions to users and groups, and the people the content names (creators and last modifiers of
 * pages, blog posts and comments, and @mentions), so that assess, scope (`confluence:spaces=`) and plan work
 * on it unchanged.
 *
 * Source spec `confluence:https://confluence.example.com` (the base URL, context path included, e.g.
 * `…/wiki`). Credentials from the environment: USERMIG_CONFLUENCE_TOKEN (a personal access token, Bearer)
 * or USERMIG_CONFLUENCE_USER and USERMIG_CONFLUENCE_PASSWORD (Basic). An administrator's account sees
 * every space and group.
 *
 * Every listing is paged by `start` / `limit` and read until an answer has no `_links.next`. The next page is
 * the one `_links.next` names (relative to the base URL, or with the context path): `content/search` pages
 * by `cursor` on Data Center and in the cloud's OpenAPI, where `start` alone may be ignored and would read
 * the first page forever. Where the link cannot be used, the next start is counted from what came back, so a
 * server that returns fewer than asked is followed correctly:
 * 1. `user/current`: the credentials (the anonymous user, where anonymous access is on, is refused);
 * 2. users: `user/list` (Confluence 8.4+ lists every user, deactivated ones included, CONFSERVER-87291)
 *    with `expand=status`; where it does not exist, the users are those found as group members (a note
 *    says that users in no group are then missing);
 * 3. `group` and `group/{name}/member`: groups and their members, recorded as direct members (whether
 *    Confluence flattens nested groups there is not documented; a note says so);
 * 4. `permissions` (Confluence 9.2+): the global permissions of users and groups, named as the backup names
 *    them where the operation is known (`use` application → USECONFLUENCE, `administer` application →
 *    ADMINISTRATECONFLUENCE, `administer` system → SYSTEMADMINISTRATOR, …), so that product access, admin
 *    groups and billable users can be assessed (RULES.md S-09, S-10); before 9.2 a note says they are unknown;
 * 5. `space`, and `space/{key}/permissions` (Confluence 9.1+) for the permissions of users and groups in
 *    each space, named as the backup names them (`read` on the space → VIEWSPACE, `create` page →
 *    EDITSPACE, …); before 9.1 that needs the JSON-RPC API, which usermig does not call (a note says so);
 * 6. `content/search` with CQL `space="KEY" and type in (page, blogpost, comment)` and
 *    `expand=history,version,body.storage,container`: creators (`history.createdBy`), last modifiers
 *    (`version.by`) and mentions (`<ri:user ri:userkey="…"/>` or legacy `ri:username`) per space.
 *
 * Confluence REST lists no directories, does not tell inherited group members from direct ones, and on
 * most versions shows no emails: not-read records say so (printed after the scan, assessed as
 * `source-not-read`; a confluence-backup, or the directory the users come from, has them).
 */
import type { SnapshotSink } from '../model/snapshot.js';
import { findMentions } from './confluence-backup.js';
import type { SourceContext } from './index.js';
import { forEachConcurrently, q, RestError, Shape } from './rest-client.js';
import { credentialsFrom, drained, openRestSource, readRestSource, RestReader } from './rest-source.js';

export const CONFLUENCE_ENV_PREFIX = 'USERMIG_CONFLUENCE';
/** The one directory a Confluence REST source has (REST does not list the real ones). */
export const CONFLUENCE_REST_DIRECTORY_ID = 'confluence-rest';

const API = '/rest/api';
const PAGE = 200;
/** Content with bodies is heavy: Confluence caps these pages lower anyway. */
const CONTENT_PAGE = 50;

/**
 * Global permission operations (`operationKey` on `targetType`) under the names the backup's global
 * SpacePermission rows use; an operation not listed is kept as `operationKey:targetType`.
 */
const GLOBAL_PERMISSION_NAMES: Record<string, string> = {
  'use:application': 'USECONFLUENCE',
  'administer:application': 'ADMINISTRATECONFLUENCE',
  'administer:system': 'SYSTEMADMINISTRATOR',
  'create:space': 'CREATESPACE',
  'create:personal_space': 'PERSONALSPACE',
  'read:user_profile': 'VIEWUSERPROFILES',
  'update:user_status': 'UPDATEUSERSTATUS',
};

/** Space permission operations (`operationKey` on `targetType`) under the names the backup's SpacePermission uses. */
const PERMISSION_NAMES: Record<string, string> = {
  'read:space': 'VIEWSPACE',
  'create:page': 'EDITSPACE',
  'create:blogpost': 'EDITBLOG',
  'create:comment': 'COMMENT',
  'create:attachment': 'CREATEATTACHMENT',
  'delete:page': 'REMOVEPAGE',
  'delete:blogpost': 'REMOVEBLOG',
  'delete:comment': 'REMOVECOMMENT',
  'delete:attachment': 'REMOVEATTACHMENT',
  'delete:space': 'REMOVEOWNCONTENT',
  'archive:page': 'ARCHIVEPAGE',
  'export:space': 'EXPORTSPACE',
  'administer:space': 'SETSPACEPERMISSIONS',
  'restrict_content:space': 'SETPAGEPERMISSIONS',
};

export async function readConfluenceRest(location: string, sink: SnapshotSink, onProgress?: (done: number, total: number) => void, context?: SourceContext): Promise<void> {
  const source = openRestSource('Confluence', location, context, (env) => credentialsFrom(env, CONFLUENCE_ENV_PREFIX), onProgress);
  const reader = new ConfluenceRestReader(source.client, sink, source.progress);
  await readRestSource(source, () => reader.read());
}

type Handle = (value: unknown, shape: Shape, where: string) => void;

interface Space {
  key: string;
  id: string;
}

class ConfluenceRestReader extends RestReader {
  /** user key → nothing; the users already handed to the sink. */
  /** lower-case username → user key, for legacy `ri:username` mentions. */
  private readonly keyByName = new Map<string, string>();
  private withoutEmail = 0;
  /** Keys of people named in content who are not among the users read. */
  private readonly formerKeys = new Set<string>();

  async read(): Promise<void> {
    this.progress.phase = 'the current user (user/current)';
    // Confluence answers anonymous requests where anonymous access is on: it would read what a guest sees.
    const current = (await this.client.get(`${API}/user/current`)).body;
    if (typeof current === 'object' && current !== null && (current as { type?: unknown }).type === 'anonymous') {
      throw new RestError(
        'auth',
        `Confluence took ${this.client.credentialsSource} as the anonymous user (GET ${API}/user/current answered type "anonymous"): set ${CONFLUENCE_ENV_PREFIX}_TOKEN, or ${CONFLUENCE_ENV_PREFIX}_USER and ${CONFLUENCE_ENV_PREFIX}_PASSWORD, of an administrator`,
      );
    }
    this.restDirectory(CONFLUENCE_REST_DIRECTORY_ID, 'Confluence');
    await this.users();
    const groups = await this.groups();
    await this.members(groups);
    await this.globalPermissions();
    const spaces = await this.spaces();
    await this.spacePermissions(spaces);
    await this.content(spaces);
    if (this.withoutEmail > 0) {
      this.notRead(
        'emails',
        `Confluence REST gave no email for ${this.withoutEmail.toLocaleString('en-US')} of ${this.seen.size.toLocaleString('en-US')} users (most versions never show it)`,
        'these users have invalid emails, which block the plan until decided (another source with their addresses, such as the LDAP directory, does not fill them in): scan a confluence-backup under this source\'s name instead, or give them addresses (users fix --invalid new-email --email-template, or users import)',
      );
    }
    this.notRead(
      'directories',
      'Confluence REST does not list the user directories: every user is recorded in one directory',
      'users shadowed by an earlier directory, users of inactive directories and drift against an LDAP source (directory-drift) cannot be assessed; scan a confluence-backup to have them',
    );
    this.notRead(
      'group-nesting',
      'Confluence REST does not say which group members are inherited from nested groups: the members it lists are recorded as direct members',
      'nested groups and cycles are not reported, and where Confluence lists only direct members, people who belong through a nested group are missing from the cloud groups and the billable users: scan a confluence-backup, Crowd or the LDAP directory to see the nesting',
    );
  }

  /**
   * Reads a start / limit listing (`{results, start, limit, size, _links.next}`) until an answer has no
   * next link. `allow` statuses end the listing at once and are returned (e.g. 404: no such endpoint).
   */
  private async pages(path: string, handle: Handle, limit = PAGE, allow: number[] = []): Promise<number | undefined> {
    const endpoint = path.replace(/\?.*$/, '');
    const separator = path.includes('?') ? '&' : '?';
    const asked = new Set<string>();
    for (let start = 0, request = `${path}${separator}start=0&limit=${limit}`; ; ) {
      asked.add(request);
      const answer = await this.client.get(request, allow);
      if (allow.includes(answer.status)) return answer.status;
      const shape = new Shape(endpoint);
      const page = shape.object(answer.body, '(answer)');
      const results = shape.array(page.results, 'results');
      results.forEach((value, i) => handle(value, shape, `results[${i}]`));
      await drained(this.sink);
      const links = page._links === undefined ? {} : shape.object(page._links, '_links');
      if (links.next === undefined || links.next === null || results.length === 0) return undefined;
      const next = this.nextPath(shape.string(links.next, '_links.next'), links.context, endpoint);
      start += results.length;
      request = next ?? `${path}${separator}start=${start}&limit=${limit}`;
      // A server that names the page just read as the next one would be read forever.
      if (asked.has(request)) shape.fail('_links.next', 'a page not read yet', links.next);
    }
  }

  /**
   * The path (relative to the base URL) of the page `_links.next` names: Confluence writes it relative to
   * `_links.base` (`/rest/api/…`), some versions with the context path (`/wiki/rest/api/…`) or in full.
   * Undefined when it leads elsewhere than the endpoint being read (then the start is counted instead).
   */
  private nextPath(next: string, context: unknown, endpoint: string): string | undefined {
    let path = next;
    if (/^https?:\/\//i.test(path)) {
      const url = new URL(path);
      if (url.origin !== this.client.base.origin) return undefined;
      path = url.pathname + url.search;
    }
    for (const prefix of [typeof context === 'string' ? context : '', this.client.base.pathname]) {
      const trimmed = prefix.replace(/\/+$/, '');
      if (trimmed && path.startsWith(`${trimmed}/rest/`)) path = path.slice(trimmed.length);
    }
    return path.replace(/\?.*$/, '') === endpoint ? path : undefined;
  }

  // ---- users

  private async users(): Promise<void> {
    this.progress.phase = 'users (user/list)';
    const status = await this.pages(`${API}/user/list?expand=status`, (value, shape, where) => void this.user(value, shape, where), PAGE, [400, 404, 405, 501]);
    if (status !== undefined) {
      this.notRead(
        'users',
        'this Confluence has no user/list (before 8.4): the users were read as the members of every group, so users in no group are missing (Confluence 8.4 and later list every user, deactivated ones included)',
        'users in no group get no account from this source, and content they created names them as deleted (Former users): scan a confluence-backup or the directory they come from',
      );
    }
  }

  /** Hands a user object to the sink once (by key); returns its username and key, or undefined for anonymous. */
  private user(value: unknown, shape: Shape, where: string): { name: string; key: string } | undefined {
    const object = shape.object(value, where);
    if (object.type === 'anonymous') return undefined;
    const name = shape.string(object.username, `${where}.username`);
    const key = object.userKey === undefined || object.userKey === null ? name.toLowerCase() : shape.string(object.userKey, `${where}.userKey`);
    this.userOnce(key, () => {
      this.keyByName.set(name.toLowerCase(), key);
      const email = emailOf(object, shape, where);
      if (!email) this.withoutEmail++;
      return {
        directoryId: CONFLUENCE_REST_DIRECTORY_ID,
        userName: name,
        active: activeOf(object, shape, where),
        displayName: shape.optionalString(object.displayName, `${where}.displayName`),
        email,
        updated: '',
      };
    });
    return { name, key };
  }

  /**
   * The key of a user named in content (`history.createdBy`, `version.by`); undefined for anonymous. Someone
   * not among the users (deleted since, or in no group where there is no user/list) keeps the username the
   * answer gives, as a user key without a user (a Former user, named).
   */
  private referenced(value: unknown, shape: Shape, where: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    const object = shape.object(value, where);
    if (object.type === 'anonymous') return undefined;
    const name = object.username === undefined || object.username === null ? undefined : shape.string(object.username, `${where}.username`);
    const key = typeof object.userKey === 'string' && object.userKey ? object.userKey : name === undefined ? shape.fail(`${where}.userKey`, 'a user key or a username', object.userKey) : (this.keyByName.get(name.toLowerCase()) ?? name.toLowerCase());
    if (name !== undefined && !this.seen.has(key) && !this.formerKeys.has(key)) {
      this.formerKeys.add(key);
      this.sink.userKey({ userKey: key, lowerUserName: name.toLowerCase() });
    }
    return key;
  }

  // ---- groups

  private async groups(): Promise<string[]> {
    this.progress.phase = 'groups (group)';
    const names: string[] = [];
    await this.pages(`${API}/group`, (value, shape, where) => {
      const name = shape.string(shape.object(value, where).name, `${where}.name`);
      names.push(name);
      this.sink.group({ directoryId: CONFLUENCE_REST_DIRECTORY_ID, name });
      this.progress.groups++;
      this.progress.tick();
    });
    return names;
  }

  private async members(groups: string[]): Promise<void> {
    this.progress.phase = 'group members (group/{name}/member)';
    const vanished: string[] = [];
    await forEachConcurrently(groups, this.client.workers, async (group) => {
      const status = await this.pages(
        `${API}/group/${q(group)}/member?expand=status`,
        (value, shape, where) => {
          const user = this.user(value, shape, where);
          if (!user) return;
          this.sink.membership({ directoryId: CONFLUENCE_REST_DIRECTORY_ID, parent: group, child: user.name, childIsGroup: false });
          this.progress.memberships++;
          this.progress.tick();
        },
        PAGE,
        [404],
      );
      // Listed, then not found: deleted while the scan ran.
      if (status === 404) vanished.push(group);
    });
    if (vanished.length > 0) {
      vanished.sort();
      this.notRead(
        'deleted-while-scanning',
        `${vanished.length === 1 ? '1 group was' : `${vanished.length} groups were`} deleted while the scan read Confluence (${vanished.slice(0, 5).join(', ')}${vanished.length > 5 ? ', …' : ''}: listed, then not found): their members were not read`,
        'the snapshot may miss memberships that moved elsewhere meanwhile: scan again for a consistent snapshot',
      );
    }
  }

  // ---- permissions

  /** `permissions` (Confluence 9.2+): global permissions; before that, a note. */
  private async globalPermissions(): Promise<void> {
    this.progress.phase = 'global permissions (permissions)';
    const endpoint = `${API}/permissions`;
    const answer = await this.client.get(endpoint, [404, 405, 501]);
    if (answer.status !== 200) {
      this.notRead(
        'global-permissions',
        'this Confluence has no global permissions endpoint (before 9.2): USECONFLUENCE, ADMINISTRATECONFLUENCE and SYSTEMADMINISTRATOR were not read',
        'product access, admin groups and billable Confluence users are not assessed: check Global permissions in Confluence by hand, or scan a confluence-backup, which has them',
      );
      return;
    }
    const handle: Handle = (value, shape, where) => {
      const permission = this.permission(value, shape, where, GLOBAL_PERMISSION_NAMES);
      if (permission) this.grant(permission.subjectType, permission.subject, permission.name, 'global', '');
    };
    if (Array.isArray(answer.body)) {
      const shape = new Shape(endpoint);
      answer.body.forEach((value, i) => handle(value, shape, `[${i}]`));
      return;
    }
    // A listing (`results`, `_links.next`): read page after page, from the first.
    await this.pages(endpoint, handle);
  }

  /**
   * One `{operation{operationKey, targetType}, subject}` entry: the permission's name and its group or user;
   * undefined for anonymous access and other subjects that are neither.
   */
  private permission(value: unknown, shape: Shape, where: string, names: Record<string, string>): { subjectType: 'group' | 'user'; subject: string; name: string } | undefined {
    const entry = shape.object(value, where);
    const operation = shape.object(entry.operation, `${where}.operation`);
    const operationKey = shape.string(operation.operationKey, `${where}.operation.operationKey`);
    const targetType = shape.string(operation.targetType, `${where}.operation.targetType`);
    const name = names[`${operationKey}:${targetType}`] ?? `${operationKey}:${targetType}`;
    if (entry.subject === undefined || entry.subject === null) return undefined; // anonymous access
    const subject = shape.object(entry.subject, `${where}.subject`);
    const type = shape.string(subject.type, `${where}.subject.type`);
    if (type === 'group') {
      const group = subject.name === undefined ? shape.string(subject.displayName, `${where}.subject.name`) : shape.string(subject.name, `${where}.subject.name`);
      return { subjectType: 'group', subject: group, name };
    }
    if (type !== 'user') return undefined;
    if (typeof subject.userKey === 'string' && subject.userKey) return { subjectType: 'user', subject: subject.userKey, name };
    const userName = shape.string(subject.username ?? subject.name, `${where}.subject.username`);
    return { subjectType: 'user', subject: this.keyByName.get(userName.toLowerCase()) ?? userName.toLowerCase(), name };
  }

  private async spaces(): Promise<Space[]> {
    this.progress.phase = 'spaces (space)';
    const spaces: Space[] = [];
    await this.pages(`${API}/space`, (value, shape, where) => {
      const space = shape.object(value, where);
      const key = shape.string(space.key, `${where}.key`);
      const id = typeof space.id === 'number' || typeof space.id === 'string' ? String(space.id) : key;
      this.sink.container({ kind: 'confluence-space', key, name: shape.optionalString(space.name, `${where}.name`), ref: `space:${id}` });
      this.progress.containers++;
      this.progress.tick();
      spaces.push({ key, id });
    });
    return spaces;
  }

  /** Asks the first space alone: where the endpoint does not exist (before 9.1), no other space is asked. */
  private async spacePermissions(spaces: Space[]): Promise<void> {
    this.progress.phase = 'space permissions (space/{key}/permissions)';
    const [first, ...rest] = spaces;
    if (!first) return;
    if (!(await this.permissionsOf(first.key))) {
      this.notRead(
        'space-permissions',
        'this Confluence has no space/{key}/permissions (before 9.1; the older JSON-RPC API is not used): space permissions were not read',
        'a confluence:spaces= scope finds users through the content only, not through who may read the space: scan a confluence-backup to have the permissions',
      );
      return;
    }
    await forEachConcurrently(rest, this.client.workers, async ({ key }) => void (await this.permissionsOf(key)));
  }

  /** The permissions of one space; false when this Confluence has no such endpoint. */
  private async permissionsOf(key: string): Promise<boolean> {
    const endpoint = `${API}/space/${q(key)}/permissions`;
    const answer = await this.client.get(endpoint, [404, 405, 501]);
    if (answer.status !== 200) return false;
    const shape = new Shape(endpoint);
    for (const [i, value] of shape.array(answer.body, '(answer)').entries()) {
      const permission = this.permission(value, shape, `[${i}]`, PERMISSION_NAMES);
      if (!permission) continue;
      this.grant(permission.subjectType, permission.subject, permission.name, 'space', key);
      if (permission.subjectType === 'user') this.reference({ userKey: permission.subject, kind: 'space-permission', container: key, item: permission.name });
    }
    await drained(this.sink);
    return true;
  }

  // ---- content

  private async content(spaces: Space[]): Promise<void> {
    this.progress.phase = 'content creators, modifiers and mentions (content/search)';
    await forEachConcurrently(spaces, this.client.workers, async ({ key }) => {
      const cql = `space="${key.replace(/["\\]/g, '\\$&')}" and type in (page, blogpost, comment)`;
      await this.pages(
        `${API}/content/search?cql=${q(cql)}&expand=${q('history,version,body.storage,container')}`,
        (value, shape, where) => this.contentItem(value, shape, where, key),
        CONTENT_PAGE,
      );
    });
  }

  private contentItem(value: unknown, shape: Shape, where: string, space: string): void {
    const content = shape.object(value, where);
    const type = shape.string(content.type, `${where}.type`);
    const kind = type === 'blogpost' ? 'blogpost' : type === 'comment' ? 'comment' : type === 'page' ? 'page' : undefined;
    if (!kind) return;
    const id = String(content.id ?? '');
    const title = shape.optionalString(content.title, `${where}.title`);
    let item = title;
    if (kind === 'comment') {
      const container = content.container === undefined || content.container === null ? {} : shape.object(content.container, `${where}.container`);
      const on = typeof container.title === 'string' ? container.title : '';
      item = on ? `comment ${id} on ${on}` : `comment ${id}`;
    }
    const history = content.history === undefined || content.history === null ? {} : shape.object(content.history, `${where}.history`);
    const version = content.version === undefined || content.version === null ? {} : shape.object(content.version, `${where}.version`);
    const creator = this.referenced(history.createdBy, shape, `${where}.history.createdBy`);
    const modifier = this.referenced(version.by, shape, `${where}.version.by`);
    if (creator) this.reference({ userKey: creator, kind: `${kind}-creator`, container: space, item });
    if (modifier && modifier !== creator) this.reference({ userKey: modifier, kind: `${kind}-modifier`, container: space, item });
    const body = content.body === undefined || content.body === null ? undefined : shape.object(content.body, `${where}.body`);
    const storage = body?.storage === undefined || body.storage === null ? undefined : shape.object(body.storage, `${where}.body.storage`);
    const text = storage ? shape.optionalString(storage.value, `${where}.body.storage.value`) : '';
    const mentioned = new Set<string>();
    for (const mention of findMentions(text)) {
      const userKey = mention.byName ? (this.keyByName.get(mention.value.toLowerCase()) ?? mention.value.toLowerCase()) : mention.value;
      if (mentioned.has(userKey)) continue;
      mentioned.add(userKey);
      this.reference({ userKey, kind: 'mention', container: space, item });
    }
  }
}

/** The email a user object carries, if the version shows it (`email`, or Cloud-like `details.personal.email`). */
function emailOf(user: Record<string, unknown>, shape: Shape, where: string): string {
  if (user.email !== undefined) return shape.optionalString(user.email, `${where}.email`);
  if (user.emailAddress !== undefined) return shape.optionalString(user.emailAddress, `${where}.emailAddress`);
  const details = user.details as { personal?: { email?: unknown } } | undefined;
  return typeof details?.personal?.email === 'string' ? details.personal.email : '';
}

/** Active unless `status` (expanded) says deactivated; a boolean `active` is taken as it is. */
function activeOf(user: Record<string, unknown>, shape: Shape, where: string): boolean {
  if (typeof user.active === 'boolean') return user.active;
  const status = user.status;
  if (status === undefined || status === null) return true;
  const text = typeof status === 'string' ? status : typeof status === 'object' && typeof (status as { value?: unknown }).value === 'string' ? (status as { value: string }).value : shape.fail(`${where}.status`, 'a status such as "current" or "deactivated"', status);
  return !/deactivated|disabled|inactive/i.test(text);
}
