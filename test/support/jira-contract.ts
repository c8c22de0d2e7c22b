/**
 * A Jira Data Center REST contract (SOURCES.md §1): the endpoints the jira: source reads, answering with
 * the documented shapes from a generated estate, like a real Jira:
 * - inactive users hidden unless includeInactive / includeInactiveUsers is true;
 * - `user/list` only when `hasUserList` (DC 10.3+); `user/search` capped at 100 results when `searchCap`;
 * - `group/member` lists effective members (nested groups flattened), 2 pages shape with isLast/nextPage;
 * - keys differ from usernames for users created after 8.4 (`JIRAUSER<id>`);
 * - `search` pages issues with the user fields asked for, embedding the first 5 comments (the issue's
 *   `comment` endpoint gives them all); `field` lists user-picker custom fields; `role` and
 *   `role/{id}/actors` give default project role actors.
 */
import type { Route } from './rest-contract.js';

export interface JiraUser {
  key: string;
  name: string;
  displayName: string;
  emailAddress: string;
  active: boolean;
}

export interface JiraEstate {
  users: JiraUser[];
  /** group → direct user names and child groups. */
  groups: Record<string, { users: string[]; groups: string[] }>;
  applicationRoles: Array<{ key: string; groups: string[] }>;
  projects: Array<{ id: string; key: string; name: string; type: string; roles: Record<string, { id: number; users: string[]; groups: string[] }>; scheme: string }>;
  schemes: Array<{ id: number; name: string; grants: Array<{ permission: string; type: string; parameter: string }> }>;
  organizations: Array<{ id: number; name: string; members: string[] }>;
  /** Default project role actors (`role`, `role/{id}/actors`); none when absent. */
  defaultRoles?: Array<{ id: number; name: string; users: string[]; groups: string[] }>;
  /** User-picker custom fields (`field`). */
  userPickers?: Array<{ id: string; name: string; multi: boolean }>;
  /** Issues for `search` (usernames in the user fields; picker values by field id). */
  issues?: JiraIssue[];
}

export interface JiraIssue {
  id: string;
  key: string;
  project: string;
  reporter?: string;
  assignee?: string;
  creator?: string;
  comments?: Array<{ author: string; updateAuthor?: string }>;
  worklogs?: string[];
  attachments?: string[];
  pickers?: Record<string, string[]>;
}

export function generateJiraEstate(userCount: number): JiraEstate {
  const users: JiraUser[] = Array.from({ length: userCount }, (_, i) => {
    const n = i + 1;
    const name = `${String.fromCharCode(97 + (i % 26))}user${String(n).padStart(4, '0')}`;
    return {
      key: n % 3 === 0 ? `JIRAUSER${10000 + n}` : name,
      name,
      displayName: `Person ${n}`,
      emailAddress: `${name}@example.com`,
      active: n % 10 !== 0,
    };
  });
  const names = users.map((u) => u.name);
  return {
    users,
    groups: {
      'jira-software-users': { users: names.slice(0, Math.floor(userCount * 0.8)), groups: ['developers'] },
      developers: { users: names.slice(0, 130), groups: [] },
      'jira-administrators': { users: [names[0] as string, names[9] as string], groups: [] },
      'empty group': { users: [], groups: [] },
    },
    applicationRoles: [{ key: 'jira-software', groups: ['jira-software-users', 'developers'] }],
    projects: [
      { id: '10000', key: 'ABC', name: 'Alpha', type: 'software', roles: { Administrators: { id: 10002, users: [names[2] as string], groups: ['jira-administrators'] }, Developers: { id: 10001, users: [], groups: ['developers'] } }, scheme: 'Default Permission Scheme' },
      { id: '10001', key: 'HELP', name: 'Help desk', type: 'service_desk', roles: { 'Service Desk Team': { id: 10100, users: [names[4] as string], groups: [] } }, scheme: 'JSM scheme' },
    ],
    schemes: [
      { id: 0, name: 'Default Permission Scheme', grants: [{ permission: 'BROWSE_PROJECTS', type: 'group', parameter: 'jira-software-users' }, { permission: 'ADMINISTER_PROJECTS', type: 'projectRole', parameter: '10002' }, { permission: 'BROWSE_PROJECTS', type: 'group', parameter: '' }] },
      { id: 10100, name: 'JSM scheme', grants: [{ permission: 'ASSIGN_ISSUES', type: 'user', parameter: names[5] as string }] },
    ],
    organizations: [{ id: 1, name: 'Charlie Cakes Franchises', members: [names[6] as string, names[7] as string] }],
  };
}

export interface JiraContractOptions {
  hasUserList: boolean;
  /** user/search answers at most this many results in all (DC 10: 100). */
  searchCap?: number;
  /** search answers at most this many issues per page (default 50), and embeds at most this many comments (default 5). */
  issuePage?: number;
  /** issue/{id}/comment answers at most this many comments per page, from startAt (default: all). */
  commentPage?: number;
}

export function jiraRoute(estate: JiraEstate, options: JiraContractOptions): Route {
  const byName = new Map(estate.users.map((u) => [u.name, u]));
  const base = 'http://127.0.0.1/jira';
  const userJson = (u: JiraUser) => ({
    self: `${base}/rest/api/2/user?username=${u.name}`,
    key: u.key,
    name: u.name,
    emailAddress: u.emailAddress,
    avatarUrls: { '48x48': `${base}/secure/useravatar?avatarId=10122` },
    displayName: u.displayName,
    active: u.active,
    deleted: false,
    timeZone: 'Europe/Berlin',
    locale: 'en_US',
  });
  const effective = (group: string, seen = new Set<string>()): string[] => {
    if (seen.has(group)) return [];
    seen.add(group);
    const g = estate.groups[group];
    if (!g) return [];
    return [...new Set([...g.users, ...g.groups.flatMap((child) => effective(child, seen))])];
  };
  const int = (url: URL, name: string, fallback: number) => (url.searchParams.has(name) ? Number(url.searchParams.get(name)) : fallback);
  return (url) => {
    const path = url.pathname.replace(/^\/jira/, '');
    const p = url.searchParams;
    if (path === '/rest/api/2/myself') return { body: userJson(estate.users[0] as JiraUser) };
    if (path === '/rest/api/2/user/list') {
      if (!options.hasUserList) return undefined;
      const start = Number(p.get('cursor') ?? 0);
      const max = int(url, 'maxResults', 2000);
      const values = estate.users.slice(start, start + max);
      const isLast = start + max >= estate.users.length;
      return { body: { self: `${base}${path}`, maxResults: max, isLast, ...(isLast ? {} : { nextCursor: String(start + max), nextPage: `${base}${path}?cursor=${start + max}` }), values: values.map(userJson) } };
    }
    if (path === '/rest/api/2/user/search') {
      const query = (p.get('username') ?? '').toLowerCase();
      if (!query) return { body: [] };
      const active = p.get('includeActive') !== 'false';
      const inactive = p.get('includeInactive') === 'true';
      const matches = estate.users.filter(
        (u) =>
          (u.active ? active : inactive) &&
          (query === '.' || [u.name, u.emailAddress, ...u.displayName.split(' ')].some((word) => word.toLowerCase().startsWith(query))),
      );
      const cap = options.searchCap ?? Infinity;
      const start = int(url, 'startAt', 0);
      const max = Math.min(int(url, 'maxResults', 50), cap === Infinity ? 1000 : cap);
      const end = Math.min(start + max, cap);
      return { body: matches.slice(start, Math.max(start, end)).map(userJson) };
    }
    if (path === '/rest/api/2/groups/picker') {
      const query = (p.get('query') ?? '').toLowerCase();
      const all = Object.keys(estate.groups).filter((g) => g.toLowerCase().includes(query));
      const max = int(url, 'maxResults', 20);
      const shown = all.slice(0, max);
      return { body: { header: `Showing ${shown.length} of ${all.length} matching groups`, total: all.length, groups: shown.map((name) => ({ name, html: name, labels: [] })) } };
    }
    if (path === '/rest/api/2/group/member') {
      const group = p.get('groupname') ?? '';
      if (!estate.groups[group]) return { status: 404, body: { errorMessages: [`The group '${group}' does not exist`] } };
      const withInactive = p.get('includeInactiveUsers') === 'true';
      const members = effective(group)
        .map((n) => byName.get(n))
        .filter((u): u is JiraUser => u !== undefined && (withInactive || u.active));
      const start = int(url, 'startAt', 0);
      const max = Math.min(int(url, 'maxResults', 50), 50);
      const isLast = start + max >= members.length;
      return {
        body: {
          self: `${base}${path}?groupname=${group}&startAt=${start}&maxResults=${max}`,
          ...(isLast ? {} : { nextPage: `${base}${path}?groupname=${group}&startAt=${start + max}&maxResults=${max}` }),
          maxResults: max,
          startAt: start,
          total: members.length,
          isLast,
          values: members.slice(start, start + max).map(userJson),
        },
      };
    }
    if (path === '/rest/api/2/applicationrole') {
      return { body: estate.applicationRoles.map((r) => ({ key: r.key, groups: r.groups, name: r.key, defaultGroups: r.groups.slice(0, 1), selectedByDefault: false, defined: true, numberOfSeats: 10, remainingSeats: 5, userCount: 5, userCountDescription: '5 users', hasUnlimitedSeats: false, platform: false })) };
    }
    if (path === '/rest/api/2/project') {
      return { body: estate.projects.map((pr) => ({ expand: 'description,lead,url,projectKeys', self: `${base}/rest/api/2/project/${pr.id}`, id: pr.id, key: pr.key, name: pr.name, projectTypeKey: pr.type })) };
    }
    const role = /^\/rest\/api\/2\/project\/([^/]+)\/role(?:\/(\d+))?$/.exec(path);
    if (role) {
      const project = estate.projects.find((pr) => pr.key === decodeURIComponent(role[1] as string));
      if (!project) return { status: 404, body: { errorMessages: ['No project could be found'] } };
      if (!role[2]) return { body: Object.fromEntries(Object.entries(project.roles).map(([name, r]) => [name, `${base}/rest/api/2/project/${project.id}/role/${r.id}`])) };
      const entry = Object.entries(project.roles).find(([, r]) => String(r.id) === role[2]);
      if (!entry) return { status: 404, body: { errorMessages: ['No role'] } };
      const [name, r] = entry;
      return {
        body: {
          self: `${base}${path}`,
          name,
          id: r.id,
          description: `${name} of the project`,
          actors: [
            ...r.groups.map((g, i) => ({ id: 20000 + i, displayName: g, type: 'atlassian-group-role-actor', name: g, avatarUrl: '' })),
            ...r.users.map((u, i) => ({ id: 30000 + i, displayName: byName.get(u)?.displayName ?? u, type: 'atlassian-user-role-actor', name: u, avatarUrl: '' })),
          ],
        },
      };
    }
    const projectScheme = /^\/rest\/api\/2\/project\/([^/]+)\/permissionscheme$/.exec(path);
    if (projectScheme) {
      const project = estate.projects.find((pr) => pr.key === projectScheme[1]);
      const scheme = estate.schemes.find((s) => s.name === project?.scheme);
      return scheme ? { body: { expand: 'permissions', id: scheme.id, self: `${base}/rest/api/2/permissionscheme/${scheme.id}`, name: scheme.name } } : undefined;
    }
    if (path === '/rest/api/2/permissionscheme') {
      return {
        body: {
          permissionSchemes: estate.schemes.map((s) => ({
            expand: 'permissions,user,group,projectRole,field,all',
            id: s.id,
            self: `${base}/rest/api/2/permissionscheme/${s.id}`,
            name: s.name,
            permissions: s.grants.map((g, i) => ({
              id: s.id * 100 + i,
              holder: { type: g.type, parameter: g.parameter, expand: g.type, ...(g.type === 'user' && byName.get(g.parameter) ? { user: userJson(byName.get(g.parameter) as JiraUser) } : {}) },
              permission: g.permission,
            })),
          })),
        },
      };
    }
    if (path === '/rest/servicedeskapi/organization') {
      const start = int(url, 'start', 0);
      const limit = int(url, 'limit', 50);
      const values = estate.organizations.slice(start, start + limit);
      return { body: { _expands: [], size: values.length, start, limit, isLastPage: start + limit >= estate.organizations.length, values: values.map((o) => ({ id: String(o.id), name: o.name, _links: { self: `${base}${path}/${o.id}` } })) } };
    }
    if (path === '/rest/api/2/role') {
      return { body: (estate.defaultRoles ?? []).map((r) => ({ self: `${base}${path}/${r.id}`, name: r.name, id: r.id, description: r.name })) };
    }
    const defaultActors = /^\/rest\/api\/2\/role\/(\d+)\/actors$/.exec(path);
    if (defaultActors) {
      const r = (estate.defaultRoles ?? []).find((d) => String(d.id) === defaultActors[1]);
      if (!r) return { status: 404, body: { errorMessages: ['No role'] } };
      return {
        body: {
          actors: [
            ...r.groups.map((g, i) => ({ id: 40000 + i, displayName: g, type: 'atlassian-group-role-actor', name: g })),
            ...r.users.map((u, i) => ({ id: 50000 + i, displayName: byName.get(u)?.displayName ?? u, type: 'atlassian-user-role-actor', name: u })),
          ],
        },
      };
    }
    if (path === '/rest/api/2/field') {
      return {
        body: [
          { id: 'summary', name: 'Summary', custom: false, schema: { type: 'string', system: 'summary' } },
          { id: 'reporter', name: 'Reporter', custom: false, schema: { type: 'user', system: 'reporter' } },
          ...(estate.userPickers ?? []).map((f) => ({
            id: f.id,
            name: f.name,
            custom: true,
            schema: f.multi
              ? { type: 'array', items: 'user', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:multiuserpicker', customId: Number(f.id.replace(/\D/g, '')) }
              : { type: 'user', custom: 'com.atlassian.jira.plugin.system.customfieldtypes:userpicker', customId: Number(f.id.replace(/\D/g, '')) },
          })),
        ],
      };
    }
    if (path === '/rest/api/2/search') {
      const projectKey = /project\s*=\s*"?([A-Z0-9_]+)"?/i.exec(p.get('jql') ?? '')?.[1];
      const matching = (estate.issues ?? []).filter((issue) => issue.project === projectKey);
      const start = int(url, 'startAt', 0);
      const max = Math.min(int(url, 'maxResults', 50), options.issuePage ?? 50);
      const wanted = new Set((p.get('fields') ?? '').split(','));
      const user = (name: string | undefined) => (name && byName.get(name) ? userJson(byName.get(name) as JiraUser) : null);
      const embedded = 5;
      return {
        body: {
          expand: 'schema,names',
          startAt: start,
          maxResults: max,
          total: matching.length,
          issues: matching.slice(start, start + max).map((issue) => {
            const fields: Record<string, unknown> = {};
            if (wanted.has('reporter')) fields.reporter = user(issue.reporter);
            if (wanted.has('assignee')) fields.assignee = user(issue.assignee);
            if (wanted.has('creator')) fields.creator = user(issue.creator);
            if (wanted.has('comment')) {
              const comments = issue.comments ?? [];
              fields.comment = { comments: comments.slice(0, embedded).map((c, i) => ({ id: String(i), author: user(c.author), updateAuthor: user(c.updateAuthor ?? c.author), body: 'text' })), maxResults: embedded, total: comments.length, startAt: 0 };
            }
            if (wanted.has('worklog')) {
              const worklogs = issue.worklogs ?? [];
              fields.worklog = { worklogs: worklogs.map((w, i) => ({ id: String(i), author: user(w), updateAuthor: user(w), timeSpent: '1h' })), maxResults: 20, total: worklogs.length, startAt: 0 };
            }
            if (wanted.has('attachment')) fields.attachment = (issue.attachments ?? []).map((a, i) => ({ id: String(i), filename: `file${i}.txt`, author: user(a) }));
            for (const picker of estate.userPickers ?? []) {
              if (!wanted.has(picker.id)) continue;
              const values = issue.pickers?.[picker.id] ?? [];
              fields[picker.id] = picker.multi ? (values.length > 0 ? values.map(user) : null) : user(values[0]);
            }
            return { expand: '', id: issue.id, self: `${base}/rest/api/2/issue/${issue.id}`, key: issue.key, fields };
          }),
        },
      };
    }
    const issueComments = /^\/rest\/api\/2\/issue\/([^/]+)\/comment$/.exec(path);
    if (issueComments) {
      const issue = (estate.issues ?? []).find((i) => i.id === issueComments[1] || i.key === issueComments[1]);
      if (!issue) return { status: 404, body: { errorMessages: ['Issue Does Not Exist'] } };
      const comments = issue.comments ?? [];
      const user = (name: string) => userJson(byName.get(name) as JiraUser);
      const start = int(url, 'startAt', 0);
      const max = Math.min(int(url, 'maxResults', comments.length), options.commentPage ?? Infinity);
      const shown = comments.slice(start, start + max);
      return { body: { startAt: start, maxResults: max, total: comments.length, comments: shown.map((c, i) => ({ id: String(start + i), author: user(c.author), updateAuthor: user(c.updateAuthor ?? c.author), body: 'text' })) } };
    }
    const orgUsers = /^\/rest\/servicedeskapi\/organization\/(\d+)\/user$/.exec(path);
    if (orgUsers) {
      const org = estate.organizations.find((o) => String(o.id) === orgUsers[1]);
      if (!org) return { status: 404, body: { errorMessage: 'no organization' } };
      const members = org.members.map((n) => byName.get(n) as JiraUser);
      return { body: { _expands: [], size: members.length, start: 0, limit: 50, isLastPage: true, values: members.map((u) => ({ name: u.name, key: u.key, emailAddress: u.emailAddress, displayName: u.displayName, active: u.active, timeZone: 'Europe/Berlin' })) } };
    }
    return undefined;
  };
}
