/**
 * Why a user is in a scope, as data and as the sentence `explain`, the plan and the report print:
 * "assignee of 41 issues in APO, e.g. APO-12", "member of jira-developers via eng".
 */
import type { ReferenceRow } from './scope-data.js';

export type ReasonKind =
  /** Named in the data of a scoped project or space (any reference kind the readers collect). */
  | 'reference'
  /** Granted a permission in a scoped project through its permission scheme. */
  | 'permission'
  /** A JSM customer: raised requests, or belongs to a JSM organization. */
  | 'customer'
  /** Member of a group that holds a space permission, or a project role with +roles. */
  | 'group-permission'
  /** Member of a group migrated whole (--group-members all, +group-members). */
  | 'group-members'
  /** The same cloud account as an in-scope user (same email, or merged). */
  | 'same-account';

export interface Reason {
  kind: ReasonKind;
  /** In scope on their own account (not only through a group). */
  direct: boolean;
  text: string;
  /** For group reasons: the source group (lower-case name) the user comes through. */
  group?: string;
  /** For reference reasons: the container. */
  container?: string;
  count?: number;
}

const plural = (count: number, one: string, many = `${one}s`) => `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;

/** "41 issues in APO, e.g. APO-12" / "1 issue in APO (APO-12)". */
function items(count: number, noun: string, container: string, example: string, quote = false): string {
  const shown = quote ? `"${example}"` : example;
  const where = container ? ` in ${container}` : '';
  if (!example) return `${plural(count, noun)}${where}`;
  return count === 1 ? `${plural(count, noun)}${where} (${shown})` : `${plural(count, noun)}${where}, e.g. ${shown}`;
}

const ISSUE_KINDS: Record<string, string> = {
  reporter: 'reporter of',
  assignee: 'assignee of',
  creator: 'creator of',
  watcher: 'watcher of',
  voter: 'voter on',
};

const ISSUE_ROW_KINDS: Record<string, [string, string]> = {
  'comment-author': ['author of', 'comment'],
  'comment-updater': ['last editor of', 'comment'],
  'worklog-author': ['author of', 'worklog'],
  'worklog-updater': ['last editor of', 'worklog'],
  'history-author': ['author of', 'change'],
  'attachment-author': ['author of', 'attachment'],
};

const CONTENT_KINDS: Record<string, [string, string]> = {
  'page-creator': ['creator of', 'page'],
  'page-modifier': ['last modifier of', 'page'],
  'blogpost-creator': ['creator of', 'blog post'],
  'blogpost-modifier': ['last modifier of', 'blog post'],
  'comment-creator': ['author of', 'comment'],
  'comment-modifier': ['last modifier of', 'comment'],
};

/** The sentence for a summarised reference row. */
export function describeReference(row: Pick<ReferenceRow, 'kind' | 'container' | 'count' | 'example'>): string {
  const { kind, container, count, example } = row;
  const issueKind = ISSUE_KINDS[kind];
  if (issueKind) return `${issueKind} ${items(count, 'issue', container, example)}`;
  const issueRow = ISSUE_ROW_KINDS[kind];
  if (issueRow) return `${issueRow[0]} ${plural(count, issueRow[1])} on issues${container ? ` in ${container}` : ''}${example ? `${count === 1 ? ' (on ' : ', e.g. on '}${example}${count === 1 ? ')' : ''}` : ''}`;
  const content = CONTENT_KINDS[kind];
  if (content) return `${content[0]} ${items(count, content[1], container, example, true)}`;
  if (kind.startsWith('user-picker:')) return `named in the field "${kind.slice('user-picker:'.length)}" of ${items(count, 'issue', container, example)}`;
  switch (kind) {
    case 'project-lead':
      return `lead of project ${container}`;
    case 'component-lead':
      return `lead of component ${example ? `"${example}" ` : ''}in ${container}${count > 1 ? ` (${plural(count, 'component')})` : ''}`;
    case 'project-role':
      return `in the role ${example} of ${container}${count > 1 ? ` (and ${count - 1} more role${count === 2 ? '' : 's'})` : ''}`;
    case 'space-creator':
      return `creator of space ${container}`;
    case 'space-permission':
      return `holds ${items(count, 'permission', '', example)} on space ${container}`;
    case 'pull-request-author':
      return `author of ${items(count, 'pull request', container, example)}`;
    case 'pull-request-reviewer':
      return `reviewer of ${items(count, 'pull request', container, example)}`;
    case 'pull-request-participant':
      return `participant in ${items(count, 'pull request', container, example)}`;
    case 'repository-permission':
      return `holds ${example || 'a permission'} on repository ${container}`;
    case 'project-permission':
      return `holds ${example || 'a permission'} on Bitbucket project ${container}`;
    case 'mention':
      return `mentioned on ${items(count, 'page or comment', container, example, true).replace('page or comments', 'pages or comments')}`;
    case 'jsm-organization-member':
      return `member of the JSM organization ${container}`;
    case 'permission-scheme-grant':
      return `granted ${example} directly`;
    case 'filter-owner':
      return `owner of ${items(count, 'filter', '', example, true)}`;
    case 'board-owner':
      return `owner of ${items(count, 'board', '', example, true)}`;
    default:
      return `${kind} ×${count}${container ? ` in ${container}` : ''}${example ? `, e.g. ${example}` : ''}`;
  }
}

/** Reference kinds that name a request's customer in a service desk (SC-S02: "created a request"). */
export const REQUEST_KINDS: ReadonlySet<string> = new Set(['reporter', 'creator']);

/** Reference kinds whose container is not a project or space (they never bring a user into a project scope). */
export const NON_PROJECT_KINDS: ReadonlySet<string> = new Set(['jsm-organization-member', 'filter-owner', 'board-owner', 'permission-scheme-grant']);
