/**
 * A Confluence Data Center REST contract (SOURCES.md §2): the endpoints the confluence: source reads,
 * answering with the documented shapes from a generated estate:
 * - listings `{results, start, limit, size, _links{base, context, self, next?}}`, `limit` capped (users and
 *   groups at 100, content with bodies at 25, as Confluence lowers the limit of expanded content);
 * - users `{type:"known", username, userKey (32 hex), displayName, profilePicture, _links}`, with `status`
 *   ("current" / "deactivated") when expand=status; `email` only when `showEmails`;
 * - `user/list` only when `hasUserList` (Confluence 8.4+); `permissions` (global) only when
 *   `hasGlobalPermissions` (9.2+); `space/{key}/permissions` only when `hasSpacePermissions` (9.1+); both
 *   arrays of `{operation{operationKey, targetType}, subject}` (CONFSERVER-100505's shape);
 * - `content/search` with CQL `space="KEY" and type in (…)` (paged by `cursor` when `cursorSearch`): pages, blog posts and comments with
 *   history.createdBy, version.by, body.storage (mentions by userkey and by username) and container.
 */
import { pageWindow, type Route } from './rest-contract.js';

export interface ConfluenceUser {
  userKey: string;
  username: string;
  displayName: string;
  email: string;
  active: boolean;
}

export interface ConfluenceContent {
  id: number;
  type: 'page' | 'blogpost' | 'comment';
  title: string;
  /** Creator and last modifier: user names, or `key:<userKey>` for a deleted user. */
  creator: string;
  modifier: string;
  body: string;
  /** For a comment: the page it is on. */
  on?: number;
}

export interface ConfluencePermission {
  operation: string;
  target: string;
  group?: string;
  user?: string;
  anonymous?: boolean;
}

export interface ConfluenceEstate {
  users: ConfluenceUser[];
  groups: Record<string, string[]>;
  /** Global permissions (`permissions`, Confluence 9.2+). */
  global: ConfluencePermission[];
  spaces: Array<{
    id: number;
    key: string;
    name: string;
    type: 'global' | 'personal';
    permissions: ConfluencePermission[];
    content: ConfluenceContent[];
  }>;
}

export const DELETED_KEY = '8a7f808a00000000000000000deadbee';
export const userKeyOf = (n: number): string => `8a7f808a${n.toString(16).padStart(24, '0')}`;

/**
 * `userCount` users c0001…; every tenth deactivated; users after the first 80 % are in no group. Groups:
 * confluence-users (the first 80 %), confluence-administrators (c0001, c0002), eng (c0101–c0130), docs-team
 * (c0201–c0210), `empty group`. Global: confluence-users and confluence-administrators may use Confluence,
 * confluence-administrators administer it (application and system), c0006 may create spaces. Space ENG: eng may read and create pages, c0003 administers it; 60 pages
 * (created by the eng people, last modified by c0011), the first mentioning c0020 by key and c0021 by
 * username, a blog post by c0012, a comment by c0013, a page by a deleted user. DOCS: docs-team and c0004
 * read it; one page by c0201. A personal space ~c0005.
 */
export function generateConfluenceEstate(userCount: number): ConfluenceEstate {
  const users: ConfluenceUser[] = Array.from({ length: userCount }, (_, i) => {
    const n = i + 1;
    const username = `c${String(n).padStart(4, '0')}`;
    return { userKey: userKeyOf(n), username, displayName: `Writer ${n}`, email: `${username}@example.com`, active: n % 10 !== 0 };
  });
  const names = users.map((u) => u.username);
  const pages: ConfluenceContent[] = Array.from({ length: 60 }, (_, i) => ({
    id: 1000 + i,
    type: 'page',
    title: `Design note ${i + 1}`,
    creator: names[100 + (i % 30)] as string,
    modifier: i % 2 === 0 ? (names[10] as string) : (names[100 + (i % 30)] as string),
    body: i === 0 ? `<p>Ask <ac:link><ri:user ri:userkey="${userKeyOf(20)}" /></ac:link> or <ac:link><ri:user ri:username="${names[20]}"/></ac:link>.</p>` : '<p>Nothing to see.</p>',
  }));
  return {
    users,
    groups: {
      'confluence-users': names.slice(0, Math.floor(userCount * 0.8)),
      'confluence-administrators': names.slice(0, 2),
      eng: names.slice(100, 130),
      'docs-team': names.slice(200, 210),
      'empty group': [],
    },
    global: [
      { operation: 'use', target: 'application', group: 'confluence-users' },
      { operation: 'use', target: 'application', group: 'confluence-administrators' },
      { operation: 'administer', target: 'application', group: 'confluence-administrators' },
      { operation: 'administer', target: 'system', group: 'confluence-administrators' },
      { operation: 'create', target: 'space', user: names[5] as string },
      { operation: 'read', target: 'user_profile', anonymous: true },
    ],
    spaces: [
      {
        id: 98305,
        key: 'ENG',
        name: 'Engineering',
        type: 'global',
        permissions: [
          { operation: 'read', target: 'space', group: 'eng' },
          { operation: 'create', target: 'page', group: 'eng' },
          { operation: 'administer', target: 'space', user: names[2] as string },
          { operation: 'read', target: 'space', anonymous: true },
        ],
        content: [
          ...pages,
          { id: 2000, type: 'blogpost', title: 'Release party', creator: names[11] as string, modifier: names[11] as string, body: '' },
          { id: 3000, type: 'comment', title: 'Re: Design note 1', creator: names[12] as string, modifier: names[12] as string, body: '<p>+1</p>', on: 1000 },
          { id: 4000, type: 'page', title: 'Old runbook', creator: `key:${DELETED_KEY}`, modifier: `key:${DELETED_KEY}`, body: '' },
        ],
      },
      {
        id: 98306,
        key: 'DOCS',
        name: 'Documentation',
        type: 'global',
        permissions: [
          { operation: 'read', target: 'space', group: 'docs-team' },
          { operation: 'read', target: 'space', user: names[3] as string },
        ],
        content: [{ id: 5000, type: 'page', title: 'Style guide', creator: names[200] as string, modifier: names[200] as string, body: '' }],
      },
      { id: 98307, key: '~c0005', name: 'Writer 5', type: 'personal', permissions: [], content: [] },
    ],
  };
}

export interface ConfluenceContractOptions {
  hasUserList: boolean;
  hasGlobalPermissions: boolean;
  hasSpacePermissions: boolean;
  showEmails: boolean;
  /**
   * `content/search` pages by `cursor` only, as Data Center's search does (and the cloud's OpenAPI, which
   * has no `start`): `start` is ignored, `_links.next` carries `next=true&cursor=…`.
   */
  cursorSearch?: boolean;
  /** `permissions` answers a listing of 2 a page (`results`, `_links.next`) instead of an array. */
  pagedGlobalPermissions?: boolean;
}

export function confluenceRoute(estate: ConfluenceEstate, options: ConfluenceContractOptions): Route {
  const byName = new Map(estate.users.map((u) => [u.username, u]));
  const base = 'http://127.0.0.1/wiki';
  const userJson = (u: ConfluenceUser, expand: string) => ({
    type: 'known',
    username: u.username,
    userKey: u.userKey,
    profilePicture: { path: '/wiki/images/icons/profilepics/default.svg', width: 48, height: 48, isDefault: true },
    displayName: u.displayName,
    ...(options.showEmails ? { email: u.email } : {}),
    ...(expand.includes('status') ? { status: u.active ? 'current' : 'deactivated' } : {}),
    _links: { self: `${base}/rest/api/user?key=${u.userKey}` },
    _expandable: expand.includes('status') ? {} : { status: '' },
  });
  const person = (who: string) => {
    if (who.startsWith('key:')) return { type: 'known', userKey: who.slice(4), displayName: 'Unknown user', profilePicture: { path: '/wiki/images/icons/profilepics/default.svg', width: 48, height: 48, isDefault: true } };
    const u = byName.get(who) as ConfluenceUser;
    return userJson(u, '');
  };
  const listing = <T>(url: URL, values: T[], map: (value: T) => unknown, cap: number, cursor = false) => {
    const given = url.searchParams.get('cursor');
    const at = cursor ? { start: given ? Number(Buffer.from(given, 'base64url').toString('utf8').replace(/^offset:/, '')) : 0 } : {};
    const { start, limit, shown, next, more } = pageWindow(url, values, { cap, ...at });
    const query = new URLSearchParams(url.searchParams);
    if (cursor) {
      query.set('next', 'true');
      query.set('cursor', Buffer.from(`offset:${next}`).toString('base64url'));
    }
    query.set('start', String(next));
    query.set('limit', String(limit));
    return {
      body: {
        results: shown.map(map),
        start,
        limit,
        size: shown.length,
        _links: { base, context: '/wiki', self: `${base}${url.pathname}`, ...(more ? { next: `${url.pathname.replace(/^\/wiki/, '')}?${query}` } : {}) },
      },
    };
  };
  return (url) => {
    const path = decodeURIComponent(url.pathname.replace(/^\/wiki/, '')).replace(/^\/rest\/api/, '');
    const expand = url.searchParams.get('expand') ?? '';
    if (path === '/user/current') return { body: userJson(estate.users[0] as ConfluenceUser, '') };
    if (path === '/user/list') {
      if (!options.hasUserList) return { status: 404, body: { statusCode: 404, message: 'null for uri: /rest/api/user/list', reason: 'Not Found' } };
      return listing(url, estate.users, (u) => userJson(u, expand), 100);
    }
    if (path === '/group') return listing(url, Object.keys(estate.groups), (name) => ({ type: 'group', name, _links: { self: `${base}/rest/api/group/${encodeURIComponent(name)}` } }), 100);
    const members = /^\/group\/(.+)\/member$/.exec(path);
    if (members) {
      const group = estate.groups[members[1] as string];
      if (!group) return { status: 404, body: { statusCode: 404, message: `Group not found: ${members[1]}` } };
      return listing(url, group, (name) => userJson(byName.get(name) as ConfluenceUser, expand), 100);
    }
    if (path === '/space') return listing(url, estate.spaces, (s) => ({ id: s.id, key: s.key, name: s.name, type: s.type, _links: { webui: `/spaces/${s.key}` }, _expandable: { description: '', homepage: '' } }), 100);
    const subjectOf = (p: ConfluencePermission) =>
      p.anonymous ? { subject: { type: 'anonymous' } } : p.group ? { subject: { type: 'group', name: p.group } } : { subject: { type: 'user', userKey: byName.get(p.user as string)?.userKey } };
    if (path === '/permissions') {
      if (!options.hasGlobalPermissions) return { status: 404, body: { statusCode: 404, message: 'null for uri', reason: 'Not Found' } };
      const permission = (p: ConfluencePermission) => ({ operation: { targetType: p.target, operationKey: p.operation }, ...subjectOf(p) });
      if (options.pagedGlobalPermissions) return listing(url, estate.global, permission, 2);
      return { body: estate.global.map(permission) };
    }
    const permissions = /^\/space\/([^/]+)\/permissions$/.exec(path);
    if (permissions) {
      if (!options.hasSpacePermissions) return { status: 404, body: { statusCode: 404, message: 'null for uri', reason: 'Not Found' } };
      const space = estate.spaces.find((s) => s.key === permissions[1]);
      if (!space) return { status: 404, body: { statusCode: 404, message: `No space with key : ${permissions[1]}` } };
      return {
        body: space.permissions.map((p) => ({
          operation: { targetType: p.target, operationKey: p.operation },
          ...subjectOf(p),
          spaceKey: space.key,
          spaceId: space.id,
        })),
      };
    }
    if (path === '/content/search') {
      const cql = url.searchParams.get('cql') ?? '';
      const key = /space\s*=\s*"([^"]+)"/.exec(cql)?.[1];
      const types = /type\s+in\s*\(([^)]*)\)/.exec(cql)?.[1]?.split(',').map((t) => t.trim()) ?? ['page'];
      const space = estate.spaces.find((s) => s.key === key);
      if (!space) return { status: 400, body: { statusCode: 400, message: `Could not parse cql : ${cql}` } };
      const content = space.content.filter((c) => types.includes(c.type));
      const byId = new Map(space.content.map((c) => [c.id, c]));
      return listing(
        url,
        content,
        (c) => ({
          id: String(c.id),
          type: c.type,
          status: 'current',
          title: c.title,
          history: { latest: true, createdBy: person(c.creator), createdDate: '2024-03-01T10:00:00.000Z' },
          version: { by: person(c.modifier), when: '2024-03-02T10:00:00.000Z', number: 2, minorEdit: false },
          body: { storage: { value: c.body, representation: 'storage' } },
          ...(c.on !== undefined ? { container: { id: String(c.on), type: 'page', status: 'current', title: byId.get(c.on)?.title ?? '' } } : { container: { id: space.id, key: space.key, name: space.name, type: 'global' } }),
          _links: { webui: `/pages/viewpage.action?pageId=${c.id}` },
        }),
        25,
        options.cursorSearch === true,
      );
    }
    return undefined;
  };
}
