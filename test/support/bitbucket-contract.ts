/**
 * A Bitbucket Data Center REST contract (SOURCES.md §3; Bitbucket Server 8.14 OpenAPI): the endpoints the
 * bitbucket: source reads, answering with the documented shapes from a generated estate:
 * - every listing is a page `{size, limit, isLastPage, start, nextPageStart?, values}`, `limit` capped at
 *   `pageCap` (default 25, as Bitbucket's default page size), so that paging is exercised;
 * - `admin/users` lists inactive users too (RestDetailedUser with directoryName);
 * - permission pages `{user|group, permission}` at the global, project and repository levels, shaped like
 *   the atlassian-python-api recordings (samples/atlassian-python-api/json/bitbucket__server__*).
 */
import { pageWindow, type Route } from './rest-contract.js';

export interface BitbucketUser {
  id: number;
  name: string;
  displayName: string;
  emailAddress: string;
  active: boolean;
}

export interface BitbucketGrants {
  users: Array<{ name: string; permission: string }>;
  groups: Array<{ name: string; permission: string }>;
}

/** A pull request: user names; a name no user has is someone deleted since (shown with an id of their own). */
export interface BitbucketPullRequest {
  id: number;
  title: string;
  author: string;
  reviewers: string[];
  participants: string[];
}

export interface BitbucketEstate {
  users: BitbucketUser[];
  /** group → user names. */
  groups: Record<string, string[]>;
  global: BitbucketGrants;
  projects: Array<{ key: string; id: number; name: string; grants: BitbucketGrants; repos: Array<{ slug: string; id: number; name: string; grants: BitbucketGrants; pullRequests?: BitbucketPullRequest[] }> }>;
}

/**
 * `userCount` users u0001…; every tenth inactive. Groups: `stash-users` (LICENSED_USER, the first 80 %),
 * `bb-admins` (ADMIN: u0001, u0002), `platform-devs` (REPO_WRITE on PLAT/api, 30 members from u0101),
 * `web-team` (PROJECT_WRITE on WEB), `empty group`. Direct grants: u0003 PROJECT_READ on PLAT, u0004
 * REPO_ADMIN on PLAT/api, u0005 REPO_READ on WEB/site, u0006 SYS_ADMIN; the service user of an access
 * token has REPO_READ on PLAT/tools. PLAT/api has two pull requests: #1 by the user 50th from the end
 * (in no group), reviewed by u0101, with the user 39th from the end participating; #2 by a deleted user.
 */
export function generateBitbucketEstate(userCount: number): BitbucketEstate {
  const users: BitbucketUser[] = Array.from({ length: userCount }, (_, i) => {
    const n = i + 1;
    const name = `u${String(n).padStart(4, '0')}`;
    return { id: 1000 + n, name, displayName: `Dev ${n}`, emailAddress: `${name}@example.com`, active: n % 10 !== 0 };
  });
  const names = users.map((u) => u.name);
  const none: BitbucketGrants = { users: [], groups: [] };
  return {
    users,
    groups: {
      'stash-users': names.slice(0, Math.floor(userCount * 0.8)),
      'bb-admins': names.slice(0, 2),
      'platform-devs': names.slice(100, 130),
      'web-team': names.slice(200, 210),
      'empty group': [],
    },
    global: {
      users: [{ name: names[5] as string, permission: 'SYS_ADMIN' }],
      groups: [
        { name: 'stash-users', permission: 'LICENSED_USER' },
        { name: 'bb-admins', permission: 'ADMIN' },
      ],
    },
    projects: [
      {
        key: 'PLAT',
        id: 1,
        name: 'Platform',
        grants: { users: [{ name: names[2] as string, permission: 'PROJECT_READ' }], groups: [] },
        repos: [
          {
            slug: 'api',
            id: 11,
            name: 'API',
            grants: { users: [{ name: names[3] as string, permission: 'REPO_ADMIN' }], groups: [{ name: 'platform-devs', permission: 'REPO_WRITE' }] },
            pullRequests: [
              { id: 1, title: 'Add rate limits', author: names[Math.max(0, userCount - 50)] as string, reviewers: [names[Math.min(100, userCount - 1)] as string], participants: [names[Math.max(0, userCount - 39)] as string] },
              { id: 2, title: 'Old fix', author: 'gone.dev', reviewers: [], participants: [] },
            ],
          },
          // a repository access token: Bitbucket lists its service user among the permissions
          { slug: 'tools', id: 12, name: 'Tools', grants: { users: [{ name: 'svc-tools-token', permission: 'REPO_READ' }], groups: [] } },
        ],
      },
      {
        key: 'WEB',
        id: 2,
        name: 'Web',
        grants: { users: [], groups: [{ name: 'web-team', permission: 'PROJECT_WRITE' }] },
        repos: [{ slug: 'site', id: 21, name: 'Site', grants: { users: [{ name: names[4] as string, permission: 'REPO_READ' }], groups: [] } }],
      },
    ],
  };
}

export function bitbucketRoute(estate: BitbucketEstate, pageCap = 25): Route {
  const byName = new Map(estate.users.map((u) => [u.name, u]));
  const base = 'http://127.0.0.1/bitbucket';
  const userJson = (u: BitbucketUser) => ({
    name: u.name,
    emailAddress: u.emailAddress,
    active: u.active,
    displayName: u.displayName,
    id: u.id,
    slug: u.name,
    type: 'NORMAL',
    links: { self: [{ href: `${base}/users/${u.name}` }] },
  });
  const serviceUser = (name: string) => ({ name, id: 90001, displayName: 'Access token for Tools', active: true, slug: name, type: 'SERVICE', links: { self: [{ href: `${base}/bots/${name}` }] } });
  const detailed = (u: BitbucketUser) => ({ ...userJson(u), directoryName: u.id % 2 === 0 ? 'Bitbucket Internal Directory' : 'Corporate LDAP', deletable: true, mutableDetails: true, mutableGroups: true, lastAuthenticationTimestamp: 1710000000000 });
  const page = <T>(url: URL, values: T[], map: (value: T) => unknown) => {
    const { start, limit, shown, next, more } = pageWindow(url, values, { cap: pageCap });
    return { body: { size: shown.length, limit, isLastPage: !more, start, ...(more ? { nextPageStart: next } : {}), values: shown.map(map) } };
  };
  const grants = (url: URL, level: BitbucketGrants, kind: string) => {
    if (kind === 'users') return page(url, level.users, (g) => ({ user: byName.has(g.name) ? userJson(byName.get(g.name) as BitbucketUser) : serviceUser(g.name), permission: g.permission }));
    if (kind === 'groups') return page(url, level.groups, (g) => ({ group: { name: g.name }, permission: g.permission }));
    return undefined;
  };
  const notFound = (message: string) => ({ status: 404, body: { errors: [{ context: null, message, exceptionName: 'com.atlassian.bitbucket.project.NoSuchProjectException' }] } });
  return (url) => {
    const path = decodeURIComponent(url.pathname.replace(/^\/bitbucket/, '')).replace(/^\/rest\/api\/(1\.0|latest)/, '');
    if (path === '/admin/users') return page(url, estate.users, detailed);
    if (path === '/admin/groups') return page(url, Object.keys(estate.groups), (name) => ({ name, deletable: true }));
    if (path === '/admin/groups/more-members') {
      const group = url.searchParams.get('context') ?? '';
      const members = estate.groups[group];
      if (!members) return { status: 404, body: { errors: [{ message: `Group ${group} does not exist.` }] } };
      return page(url, members, (name) => detailed(byName.get(name) as BitbucketUser));
    }
    const global = /^\/admin\/permissions\/(users|groups)$/.exec(path);
    if (global) return grants(url, estate.global, global[1] as string);
    if (path === '/projects') return page(url, estate.projects, (p) => ({ key: p.key, id: p.id, name: p.name, public: false, type: 'NORMAL', links: { self: [{ href: `${base}/projects/${p.key}` }] } }));
    const project = /^\/projects\/([^/]+)\/(permissions\/(users|groups)|repos)$/.exec(path);
    if (project) {
      const found = estate.projects.find((p) => p.key === project[1]);
      if (!found) return notFound(`Project ${project[1]} does not exist.`);
      if (project[2] === 'repos') {
        return page(url, found.repos, (r) => ({ slug: r.slug, id: r.id, name: r.name, scmId: 'git', state: 'AVAILABLE', forkable: true, project: { key: found.key, id: found.id, name: found.name }, public: false }));
      }
      return grants(url, found.grants, project[3] as string);
    }
    const pulls = /^\/projects\/([^/]+)\/repos\/([^/]+)\/pull-requests$/.exec(path);
    if (pulls) {
      const found = estate.projects.find((p) => p.key === pulls[1])?.repos.find((r) => r.slug === pulls[2]);
      if (!found) return notFound(`Repository ${pulls[1]}/${pulls[2]} does not exist.`);
      const person = (name: string, role: string) => ({
        user: byName.has(name) ? userJson(byName.get(name) as BitbucketUser) : { name, id: 99000 + name.length, displayName: name, active: false, slug: name, type: 'NORMAL' },
        role,
        approved: role === 'REVIEWER',
        status: role === 'REVIEWER' ? 'APPROVED' : 'UNAPPROVED',
      });
      return page(url, found.pullRequests ?? [], (pr) => ({
        id: pr.id,
        version: 3,
        title: pr.title,
        state: 'MERGED',
        open: false,
        closed: true,
        createdDate: 1700000000000,
        updatedDate: 1700500000000,
        fromRef: { id: 'refs/heads/feature', displayId: 'feature' },
        toRef: { id: 'refs/heads/main', displayId: 'main', repository: { slug: found.slug, project: { key: pulls[1] } } },
        locked: false,
        author: person(pr.author, 'AUTHOR'),
        reviewers: pr.reviewers.map((name) => person(name, 'REVIEWER')),
        participants: pr.participants.map((name) => person(name, 'PARTICIPANT')),
        links: { self: [{ href: `${base}/projects/${pulls[1]}/repos/${found.slug}/pull-requests/${pr.id}` }] },
      }));
    }
    const repo = /^\/projects\/([^/]+)\/repos\/([^/]+)\/permissions\/(users|groups)$/.exec(path);
    if (repo) {
      const found = estate.projects.find((p) => p.key === repo[1])?.repos.find((r) => r.slug === repo[2]);
      if (!found) return notFound(`Repository ${repo[1]}/${repo[2]} does not exist.`);
      return grants(url, found.grants, repo[3] as string);
    }
    return undefined;
  };
}
