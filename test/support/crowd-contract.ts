/**
 * A Crowd usermanagement REST contract (SOURCES.md §4): `search?entity-type=user|group` with expand,
 * `group/user/direct` and `group/child-group/direct`, paged by start-index / max-results, JSON with
 * Crowd's hyphenated keys; the application authenticates with Basic (application name and password).
 * The estate can come from the ldap-crowd-adapter sample's JSON directory format
 * ({groups:[{name,group_members,user_members}], users:[{username,first_name,…}]}).
 */
import { pageWindow, type Route } from './rest-contract.js';

export interface CrowdDirectory {
  users: Array<{ username: string; first_name: string; last_name: string; display_name: string; email: string; active: boolean }>;
  groups: Array<{ name: string; description?: string; group_members: string[]; user_members: string[] }>;
}

export function generateCrowdDirectory(userCount: number): CrowdDirectory {
  const users = Array.from({ length: userCount }, (_, i) => ({
    username: `user${String(i + 1).padStart(4, '0')}`,
    first_name: 'First',
    last_name: `Last${i + 1}`,
    display_name: i % 7 === 0 ? '' : `Person ${i + 1}`,
    email: `user${i + 1}@example.org`,
    active: i % 5 !== 4,
  }));
  return {
    users,
    groups: [
      { name: 'all-staff', group_members: ['engineering'], user_members: users.slice(0, Math.floor(userCount / 2)).map((u) => u.username) },
      { name: 'engineering', group_members: ['platform'], user_members: users.slice(0, 40).map((u) => u.username) },
      { name: 'platform', group_members: [], user_members: users.slice(userCount - 3).map((u) => u.username) },
      { name: 'self-loop', group_members: ['self-loop'], user_members: [] },
    ],
  };
}

export function crowdRoute(directory: CrowdDirectory): Route {
  const base = 'http://127.0.0.1/crowd/rest/usermanagement/1';
  const page = <T>(url: URL, values: T[]) => pageWindow(url, values, { cap: 1000, defaultLimit: 1000, startParam: 'start-index', limitParam: 'max-results' }).shown;
  const link = (kind: string, name: string) => ({ href: `${base}/${kind}?${kind === 'user' ? 'username' : 'groupname'}=${encodeURIComponent(name)}`, rel: 'self' });
  return (url) => {
    const path = url.pathname.replace(/^\/crowd\/rest\/usermanagement\/1/, '');
    const p = url.searchParams;
    if (path === '/search' && p.get('entity-type') === 'user') {
      const expanded = p.get('expand') === 'user';
      return {
        body: {
          expand: 'user',
          users: page(url, directory.users).map((u) =>
            expanded
              ? { link: link('user', u.username), name: u.username, 'first-name': u.first_name, 'last-name': u.last_name, 'display-name': u.display_name, email: u.email, password: { link: link('user', u.username) }, active: u.active, 'created-date': 1700000000000, 'updated-date': 1710000000000, key: `98305:${u.username}` }
              : { link: link('user', u.username), name: u.username },
          ),
        },
      };
    }
    if (path === '/search' && p.get('entity-type') === 'group') {
      return { body: { expand: 'group', groups: page(url, directory.groups).map((g) => ({ link: link('group', g.name), name: g.name, description: g.description ?? '', type: 'GROUP', active: true })) } };
    }
    const group = directory.groups.find((g) => g.name === p.get('groupname'));
    if (path === '/group/user/direct' || path === '/group/child-group/direct') {
      if (!group) return { status: 404, body: { reason: 'GROUP_NOT_FOUND', message: `Group <${p.get('groupname')}> does not exist` } };
      if (path === '/group/user/direct') return { body: { expand: 'user', users: page(url, group.user_members).map((name) => ({ link: link('user', name), name })) } };
      return { body: { expand: 'group', groups: page(url, group.group_members).map((name) => ({ link: link('group', name), name })) } };
    }
    return undefined;
  };
}
