/**
 * What `plan --scope` and `explain --scope` accept (RULES.md SC-J02, SC-C01..C04, SC-S02; issue 5), parsed
 * into one ScopeSpec. Specs are repeatable and combine as a union:
 *
 * - `all` (the default): every user and group.
 * - `jira:projects=KEY,KEY[+roles][+group-members]`: the users referenced in those projects (every
 *   reference kind the Jira reader collects, users named in the projects' roles and permission schemes),
 *   plus JCMA's two options: `+roles` adds every member of the groups in the projects' roles, and
 *   `+group-members` migrates the groups this clause includes whole (all their members).
 * - `confluence:spaces=KEY,KEY[+group-members]`: users with a permission on those spaces (directly or
 *   through a group), creators and modifiers of their pages, blog posts and comments, and mentioned users.
 * - `bitbucket:repos=PROJECT/slug,PROJECT/slug[+group-members]` (SC-B01, its "users with read access to, or
 *   who appear on, the selected repositories"): users with a permission on those repositories or on their
 *   projects, directly or through a group (every permission implies read access: REPO_READ…REPO_ADMIN,
 *   PROJECT_READ…PROJECT_ADMIN), and the authors, reviewers and participants of their pull requests.
 * - `jsm:customers=all|related`: JSM customers (portal users without a Jira licence): everyone who raised
 *   a request in a service desk or belongs to a JSM organization, or only those related to the service
 *   desk projects in scope.
 *
 * `--group-members scoped|all` says how every group in a scoped plan is migrated: with its in-scope
 * members only (the default), or whole, as Atlassian's assistants do (the cascade of MIG-2590).
 */
import { usageError } from '../model/errors.js';

export type GroupMembersMode = 'scoped' | 'all';

export interface JiraClause {
  projects: string[];
  roles: boolean;
  groupMembers: boolean;
}

export interface ConfluenceClause {
  spaces: string[];
  groupMembers: boolean;
}

export interface BitbucketClause {
  /** `PROJECT/slug` as given. */
  repos: string[];
  groupMembers: boolean;
}

export interface ScopeSpec {
  /** True when `all` was given (or nothing): no scoping at all. */
  all: boolean;
  jira: JiraClause[];
  confluence: ConfluenceClause[];
  bitbucket: BitbucketClause[];
  /** JSM customers: undefined when not asked for. */
  customers: 'all' | 'related' | undefined;
  groupMembers: GroupMembersMode;
  /** The specs as given, normalised: what plans and reports print. */
  specs: string[];
}

export const ALL_SCOPE: ScopeSpec = { all: true, jira: [], confluence: [], bitbucket: [], customers: undefined, groupMembers: 'scoped', specs: ['all'] };

const KEY = /^[A-Za-z0-9_~.-]+$/;
/** A Bitbucket repository: the project key (`~user` for a personal project) and the repository slug. */
const REPO = /^[A-Za-z0-9_~.-]+\/[A-Za-z0-9_.-]+$/;

function repos(text: string, spec: string): string[] {
  const list = text.split(',').map((repo) => repo.trim());
  if (list.length === 0 || list.some((repo) => repo === '')) throw usageError(`--scope ${spec}: give at least one repository as PROJECT/slug, separated by commas (e.g. bitbucket:repos=PLAT/api,WEB/site)`);
  for (const repo of list) if (!REPO.test(repo)) throw usageError(`--scope ${spec}: "${repo}" is not a repository; write PROJECT/slug (e.g. PLAT/api)`);
  return [...new Set(list)];
}

function keys(text: string, what: string, spec: string): string[] {
  const list = text.split(',').map((key) => key.trim());
  if (list.length === 0 || list.some((key) => key === '')) throw usageError(`--scope ${spec}: give at least one ${what} key, separated by commas (e.g. ${what === 'project' ? 'jira:projects=APO,BET' : 'confluence:spaces=ENG,OPS'})`);
  for (const key of list) if (!KEY.test(key)) throw usageError(`--scope ${spec}: "${key}" is not a ${what} key`);
  return [...new Set(list)];
}

/** Splits `projects=APO,BET+roles+group-members` into the value and its options. */
function options(text: string, allowed: readonly string[], spec: string): { value: string; flags: Set<string> } {
  const [value = '', ...flags] = text.split('+');
  for (const flag of flags) {
    if (!allowed.includes(flag)) {
      throw usageError(`--scope ${spec}: unknown option "+${flag}"${allowed.length > 0 ? `; use ${allowed.map((a) => `+${a}`).join(' or ')}` : ''}`);
    }
  }
  return { value, flags: new Set(flags) };
}

export function parseScope(specs: readonly string[] | undefined, groupMembers: string | undefined = undefined): ScopeSpec {
  const mode = groupMembers ?? 'scoped';
  if (mode !== 'scoped' && mode !== 'all') throw usageError(`--group-members ${mode}: use scoped (only in-scope members, the default) or all (whole groups)`);
  const given = (specs ?? []).map((spec) => spec.trim()).filter((spec) => spec !== '');
  const result: ScopeSpec = { all: given.length === 0, jira: [], confluence: [], bitbucket: [], customers: undefined, groupMembers: mode, specs: [] };
  for (const spec of given) {
    if (spec === 'all') {
      result.all = true;
      result.specs.push('all');
      continue;
    }
    const colon = spec.indexOf(':');
    const product = colon > 0 ? spec.slice(0, colon) : '';
    const rest = colon > 0 ? spec.slice(colon + 1) : '';
    const equals = rest.indexOf('=');
    const field = equals > 0 ? rest.slice(0, equals) : '';
    const value = equals > 0 ? rest.slice(equals + 1) : '';
    if (product === 'jira' && field === 'projects') {
      const parsed = options(value, ['roles', 'group-members'], spec);
      const clause = { projects: keys(parsed.value, 'project', spec), roles: parsed.flags.has('roles'), groupMembers: parsed.flags.has('group-members') };
      result.jira.push(clause);
      result.specs.push(`jira:projects=${clause.projects.join(',')}${clause.roles ? '+roles' : ''}${clause.groupMembers ? '+group-members' : ''}`);
    } else if (product === 'confluence' && field === 'spaces') {
      const parsed = options(value, ['group-members'], spec);
      const clause = { spaces: keys(parsed.value, 'space', spec), groupMembers: parsed.flags.has('group-members') };
      result.confluence.push(clause);
      result.specs.push(`confluence:spaces=${clause.spaces.join(',')}${clause.groupMembers ? '+group-members' : ''}`);
    } else if (product === 'bitbucket' && field === 'repos') {
      const parsed = options(value, ['group-members'], spec);
      const clause = { repos: repos(parsed.value, spec), groupMembers: parsed.flags.has('group-members') };
      result.bitbucket.push(clause);
      result.specs.push(`bitbucket:repos=${clause.repos.join(',')}${clause.groupMembers ? '+group-members' : ''}`);
    } else if (product === 'jsm' && field === 'customers') {
      if (value !== 'all' && value !== 'related') throw usageError(`--scope ${spec}: use jsm:customers=all or jsm:customers=related`);
      if (result.customers !== 'all') result.customers = value;
      result.specs.push(`jsm:customers=${value}`);
    } else {
      throw usageError(
        `--scope ${spec}: not a scope; use all, jira:projects=KEY,KEY[+roles][+group-members], confluence:spaces=KEY,KEY[+group-members], bitbucket:repos=PROJECT/slug,PROJECT/slug[+group-members] or jsm:customers=all|related`,
      );
    }
  }
  if (mode === 'all') result.specs.push('--group-members all');
  return result;
}

/** One line for plans and reports: `jira:projects=APO+roles, jsm:customers=related`. */
export const describeScope = (spec: Pick<ScopeSpec, 'specs'>): string => spec.specs.join(', ');
