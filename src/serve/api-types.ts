/**
 * The dashboard's API: every request body and response of `usermig serve` (issue #8), shared by the
 * server (src/serve) and the page (web/, which imports this file with `import type`). Types only: what
 * the library already defines (the assessment's summary, the strategy, the decision log, a cascade row,
 * the plan's summary, apply's result, the report's rows) is re-exported from it with type-only imports,
 * which the page's bundle erases, so the two cannot drift.
 *
 * Conventions: every route lives under /api/; errors are `ApiError` with 400 (usage, input), 401
 * (unauthorized), 403 (forbidden), 404 (not-found), 409 (conflict), 500 (anything else); lists are
 * paged with `offset` (default 0) and `limit` (default 100, max 1000) and answer a `Page`.
 */

import type { PlanFile } from '../plan/plan-file.js';
import type { ApplyResult } from '../apply/executor.js';
import type {
  ApplyInfo as ReportApplyInfo,
  ChecklistItem,
  GroupOutcome,
  GroupRow as ReportGroupOutcome,
  ReportSummary,
  UserRow as ReportUserOutcome,
} from '../report/outcomes.js';
import type { AssessmentSummary } from '../assess/summary.js';
import type { CascadeRow } from '../scope/cascade.js';
import type { DecisionLogEntry } from '../model/decision.js';
import type { Strategy } from '../strategy/types.js';

// --- common ------------------------------------------------------------------------------------------

export type ApiErrorKind =
  | 'unauthorized' // 401: no token, or a wrong one
  | 'forbidden' // 403: a Host header that is not 127.0.0.1:PORT or localhost:PORT
  | 'usage' // 400: the request is wrong (same messages as the CLI's usage errors)
  | 'input' // 400: a file or value is malformed
  | 'not-found' // 404
  | 'conflict' // 409: an apply already running, a stale plan, a plan applied already
  | 'unreachable' // 500: a target could not be reached
  | 'auth' // 500: a target refused the credentials
  | 'workspace' // 500: the workspace is unusable
  | 'internal'; // 500

export interface ApiError {
  error: { kind: ApiErrorKind; message: string };
}

export interface Page<Row> {
  total: number;
  offset: number;
  limit: number;
  rows: Row[];
}

export interface PageQuery {
  offset?: number;
  limit?: number;
}

export type Severity = 'blocker' | 'warning' | 'info';

// --- GET /api/summary ----------------------------------------------------------------------------------

export interface SourceInfo {
  /** The workspace's name of the source: `jira`, `confluence`, or the name given at scan. */
  name: string;
  /** jira-backup, confluence-backup, ldap, jira, crowd. */
  kind: string;
  /** The path or URL scanned (no credentials). */
  location: string;
  scannedAt: string;
  /** users, groups, memberships, directories, grants, containers, references… */
  counts: Record<string, number>;
}

/** The `summary` object of `usermig assess --json`. */
export type { AssessmentSummary } from '../assess/summary.js';

export interface FindingOverview {
  code: string;
  severity: Severity;
  /** The finding's message (what `usermig assess` prints). */
  title: string;
  /** Its number of subjects. */
  count: number;
  fix: string;
  /** True when decisions resolve it (it no longer blocks). */
  resolved: boolean;
}

export interface NextStep {
  /** The CLI command that does it, e.g. `usermig domains trust --all`. */
  command: string;
  why: string;
  /** The dashboard page where it can be done instead. */
  page: 'overview' | 'users' | 'domains' | 'groups' | 'plan' | 'apply' | 'reports';
}

export interface SummaryResponse {
  /** The workspace folder. */
  workspace: string;
  sources: SourceInfo[];
  summary: AssessmentSummary;
  findings: FindingOverview[];
  /** Counts of unresolved findings by severity. */
  blockers: number;
  warnings: number;
  nextStep: NextStep;
  /** The target plans and applies use by default (`usermig serve --target`, else `local`). */
  target: string;
}

// --- GET /api/findings/:code ------------------------------------------------------------------------

export interface FindingSubject {
  type: 'user' | 'group' | 'domain' | 'email' | 'grant' | 'product' | 'estate' | 'reference';
  id: string;
  source?: string;
  detail?: string;
  /** For a user subject: its id for /api/users/:id, when it names an effective user. */
  userId?: string;
}

export interface FindingResponse extends Page<FindingSubject> {
  code: string;
  severity: Severity;
  title: string;
  fix: string;
  resolved: boolean;
}

// --- GET /api/users ----------------------------------------------------------------------------------

export type UserDecisionAction = 'migrate' | 'new-email' | 'merge-into' | 'former-user' | 'skip';
/** The `decision` filter: `none` is a user without a stored decision. */
export type UserDecisionFilter = 'none' | UserDecisionAction;
export type UserSort = 'username' | 'email' | 'displayName';

/** Query string of GET /api/users (all optional). */
export interface UsersQuery extends PageQuery {
  /** Substring of username, display name or email, case-insensitive. */
  q?: string;
  /** A finding code (e.g. S-02): users that are subjects of it. */
  finding?: string;
  source?: string;
  /** Directory name (as the source names it). */
  directory?: string;
  active?: boolean;
  decision?: UserDecisionFilter;
  sort?: UserSort;
}

export interface UserRow {
  /** Opaque, URL-safe: identifies (source, user key). */
  id: string;
  source: string;
  username: string;
  displayName: string;
  /** The email as the source holds it. */
  email: string;
  /** Directory name. */
  directory: string;
  active: boolean;
  /** Codes of the findings naming this user. */
  findings: string[];
  /** The stored decision's action; null without one (the default, migrate). */
  decision: UserDecisionAction | null;
}

export interface Facet {
  name: string;
  count: number;
}

/** Counts over the rows that match every other filter (q included), so the page can show "n" next to each choice. */
export interface UsersFacets {
  findings: Array<{ code: string; count: number }>;
  sources: Facet[];
  directories: Facet[];
  /** `none` and the actions. */
  decisions: Facet[];
}

export interface UsersResponse extends Page<UserRow> {
  facets: UsersFacets;
}

// --- GET /api/users/:id ------------------------------------------------------------------------------

export interface UserIdentity {
  id: string;
  source: string;
  username: string;
  key: string;
  email: string;
  active: boolean;
  directory: string;
}

export interface UserDetailUser extends UserRow {
  key: string;
  updated: string;
  /** Whether the source email is a valid address. */
  emailValid: boolean;
  /** The same person in other sources (same normalised email), this user included first. */
  identities: UserIdentity[];
  /** What the user becomes in the cloud after the decisions. */
  becomes: {
    outcome: 'account' | 'merged' | 'former-user' | 'skip';
    /** The cloud email, when there is an account (the survivor's when merged). */
    email: string | null;
    /** merged: the surviving user. */
    mergedInto: { id: string; source: string; username: string } | null;
    /** The sentence `usermig users show` prints on its `becomes` line. */
    text: string;
  };
}

export interface UserFinding {
  code: string;
  severity: Severity;
  message: string;
  /** The subject's detail for this user. */
  detail?: string;
  resolved: boolean;
}

export interface UserReferences {
  /** What references the user: e.g. `issue reporter`, `comment author`, `filter owner`, or `all`. */
  kind: string;
  count: number;
  /** A few examples (issue keys, page titles…), when known. */
  examples: string[];
}

export interface UserDecisionView {
  action: UserDecisionAction;
  newEmail: string | null;
  target: { id: string; source: string; username: string } | null;
  decidedBy: string;
  decidedAt: string;
  reason: string;
  /** When an applied plan used it; changing it then needs force. */
  appliedAt: string | null;
  /** As the CLI writes it: `new-email a@b.c`, `merge-into jira:alice`, `skip`. */
  text: string;
}

export interface DecisionHistoryEntry {
  at: string;
  by: string;
  /** What it became, as text (`new-email a@b.c`, `trusted`, `rename x`…). */
  decision: string;
  /** What it was ('' when new). */
  previous: string;
  reason: string;
}

export interface UserDetailResponse {
  user: UserDetailUser;
  findings: UserFinding[];
  references: UserReferences[];
  groups: {
    direct: string[];
    /** Groups reached only through nesting, with the path from a direct group down to them... */
    nested: Array<{ name: string; path: string[] }>;
  };
  decision: UserDecisionView | null;
  history: DecisionHistoryEntry[];
}

// --- PUT /api/users/:id/decision -------------------------------------------------------------------------

export interface UserDecisionRequest {
  /** `clear` removes the decision (the user is undecided again; `usermig users decide USER clear`). */
  action: UserDecisionAction | 'clear';
  /** new-email: the address; merge-into: the surviving user (SOURCE:USERNAME, username, key, email or a user id). */
  value?: string;
  reason?: string;
  /** Change a decision that an applied plan already used. */
  force?: boolean;
}

export interface UserDecisionResponse {
  id: string;
  decision: UserDecisionView | null;
  /** False when the user was already decided so. */
  changed: boolean;
  /** The line `usermig users decide` prints. */
  message: string;
}

// --- POST /api/users/fix ----------------------------------------------------------------------------

/** As `usermig users fix`: decisions for every undecided user with an invalid or duplicated email. */
export interface UsersFixRequest {
  invalid?: 'former-user' | 'new-email';
  duplicated?: 'merge' | 'new-email' | 'former-user';
  /** Generated addresses: {username} {key} {source} {domain} (default {username}@{domain}). */
  emailTemplate?: string;
  emailDomain?: string;
  /** Show the decisions without saving them. */
  dryRun?: boolean;
  reason?: string;
}

export interface UsersFixResponse {
  /** Decisions saved (0 for a dry run). */
  saved: number;
  /** `3 former-user, 2 merge-into`, or `nothing to decide`. */
  summary: string;
  /** One line per merge: who merges into whom, and the groups the account gets. */
  merges: string[];
  /** The decisions (the first 1,000), with the users' ids. */
  decisions: Array<{ id: string; user: string; text: string }>;
  total: number;
  /** What `usermig users fix` prints last. */
  message: string;
}

// --- /api/domains ------------------------------------------------------------------------------------

export interface DomainRow {
  domain: string;
  /** Accounts that will have an address in the domain once the decisions apply. */
  users: number;
  trusted: boolean;
}

export interface DomainsQuery extends PageQuery {
  q?: string;
  trusted?: boolean;
}

export type DomainsResponse = Page<DomainRow>;

export interface DomainDecisionRequest {
  trusted: boolean;
  reason?: string;
  force?: boolean;
}

/** PUT /api/domains: several domains at once, or every domain of the list (`all`), as `domains trust --all`. */
export interface DomainsDecisionRequest {
  trusted: boolean;
  domains?: string[];
  all?: boolean;
  reason?: string;
  force?: boolean;
}

export interface DomainsDecisionResponse {
  domains: string[];
  trusted: boolean;
  changed: number;
  message: string;
}

export interface DomainDecisionResponse {
  domain: string;
  trusted: boolean;
  changed: boolean;
  message: string;
}

// --- /api/groups -------------------------------------------------------------------------------------

export type GroupFlag = 'blocklisted' | 'case-collision' | 'merged-across-products' | 'merge-consented' | 'skipped' | 'exists-in-cloud';
export type GroupNamingVia = 'own' | 'rename' | 'map' | 'skip' | 'blocklisted';

export interface GroupsQuery extends PageQuery {
  q?: string;
  flag?: GroupFlag;
}

export interface GroupSourceView {
  source: string;
  /** The spelling in that source. */
  name: string;
  spellings: string[];
  direct: number;
  flattened: number;
  children: string[];
  productAccess: string[];
  admin: string[];
  otherGrants: number;
  /** The cloud group it becomes or joins after decisions; null when skipped or blocklisted. */
  cloudName: string | null;
  via: GroupNamingVia | string;
  decision: GroupDecisionView | null;
}

export interface GroupDecisionView {
  /** The source the decision is for, or `*` for every source. */
  source: string;
  action: 'map' | 'rename' | 'skip';
  value: string | null;
}

export interface GroupRow {
  /** The group's name (its first spelling; its cloud name unless a decision renames or maps it). */
  name: string;
  sources: GroupSourceView[];
  /** Every cloud name it becomes (after decisions). */
  cloudNames: string[];
  /** Sum over sources. */
  direct: number;
  flattened: number;
  /** Grants in words: `product access: jira-software`, `admin: SYSTEM_ADMIN`, `3 other grants`. */
  grants: string[];
  flags: GroupFlag[];
  /** The decisions stored for the name; the first one, or null. */
  decision: GroupDecisionView | null;
  decisions: GroupDecisionView[];
}

export type GroupsResponse = Page<GroupRow>;

export interface GroupMemberSample {
  id: string;
  source: string;
  username: string;
  email: string;
  active: boolean;
  /** Direct member, or only through a nested group. */
  via: 'direct' | 'nested';
}

export interface GroupDetailResponse {
  group: GroupRow;
  /** Per source: the first members (at most 100), direct first. */
  members: { total: number; sample: GroupMemberSample[] };
  /** Per source: the groups it contains and the groups containing it. */
  nesting: Array<{ source: string; children: string[]; parents: string[] }>;
  history: DecisionHistoryEntry[];
}

export interface GroupDecisionRequest {
  /** The source; absent: the group in every source (as NAME on the command line, SOURCE:NAME otherwise). */
  source?: string;
  group: string;
  action: 'map' | 'rename' | 'skip' | 'create';
  /** map: the cloud group to merge into; rename: the new name. */
  value?: string;
  reason?: string;
  force?: boolean;
}

/** PUT /api/groups/rename: a bulk rename, as `usermig groups rename --prefix|--suffix|--regex/--replace [--match] [--source]`. */
export interface GroupsRenameRequest {
  prefix?: string;
  suffix?: string;
  /** Every match in a name (case-insensitive) is replaced by `replace` ($1… for captured parts). */
  regex?: string;
  replace?: string;
  /** Only the groups whose name matches it (case-insensitive). */
  match?: string;
  /** Only the groups of this source (default: the name in every source). */
  source?: string;
  reason?: string;
  force?: boolean;
  /** Answer what would be renamed (and any refusal) without saving it, as `groups rename --dry-run`. */
  dryRun?: boolean;
}

/** PUT /api/groups/rename: the message `usermig groups rename --prefix …` prints, and the renames. */
export interface GroupsRenameResponse {
  message: string;
  /** Groups renamed (or, in a dry run, that would be). */
  changed: number;
  notes: string[];
  /** Each group's new cloud name (`null`: its own name again). */
  renames: Array<{ group: string; source: string; to: string | null }>;
  dryRun: boolean;
}

export interface GroupDecisionResponse {
  /** The line `usermig groups map|rename|skip|create` prints. */
  message: string;
  changed: number;
  notes: string[];
}

// --- GET /api/decisions --------------------------------------------------------------------------------

/** One change of a decision, oldest first, as `usermig decisions log --json` prints it (query `subject`: only one user, domain or group). */
export type { DecisionLogEntry } from '../model/decision.js';

export type DecisionLogResponse = Page<DecisionLogEntry>;

// --- GET /api/strategy -------------------------------------------------------------------------------

export type StrategyLevel = 'insist' | 'advise' | 'warn' | 'info' | 'ok';
export type StepStatus = 'done' | 'in-progress' | 'todo' | 'manual' | 'not-needed';

/** The object of `usermig strategy --json` (query `idp` as --idp). */
export type StrategyResponse = Strategy;

// --- /api/plans --------------------------------------------------------------------------------------

export interface PlanRequest {
  /** Default: the serve --target, else `local`. */
  target?: string;
  /** As --scope (repeatable: an array is several --scope); absent or `all`: everything. */
  scope?: string | string[];
  /** As --group-members: scoped (default) or all. */
  groupMembers?: 'scoped' | 'all';
  /** As --refresh: read the whole cloud again. */
  refresh?: boolean;
}

export type PlanSummary = PlanFile['summary'];

export type { CascadeRow } from '../scope/cascade.js';

export interface PlanDiff {
  creates: { accounts: number; groups: number };
  /** Accounts that exist already and are linked. */
  links: number;
  /** Accounts that several source users land in (merged users, same email across sources). */
  merges: number;
  emailChanges: number;
  membershipChanges: { adds: number; removes: number };
  /** Per group the plan touches: members added and proposed for removal; for a scoped plan, its cascade row. */
  cascade: Array<{ group: string; created: boolean; adds: number; removes: number; scope?: CascadeRow }>;
}

export interface PlanScopeView {
  specs: string[];
  groupMembers: 'scoped' | 'all';
  summary: Record<string, number>;
  customers: number;
  formerUsers: number;
  notes: string[];
  /** The lines `usermig plan` prints about its scope. */
  lines: string[];
}

export interface PlanMade {
  id: string;
  createdAt: string;
  target: string;
  /** The scope specs; ['all'] when unscoped. */
  scope: string[];
  summary: PlanSummary;
  notes: string[];
  diff: PlanDiff;
  /** Present for a scoped plan. */
  scopeSection?: PlanScopeView;
  applied: boolean;
  /** Where the plan file was saved. */
  file: string;
}

/** A plan refused (blockers remain, or same-name cloud groups lack consent): nothing saved. */
export interface PlanRefused {
  id: null;
  target: string;
  scope: string[];
  /** The lines `usermig plan` prints when it refuses. */
  refused: string[];
  notes: string[];
}

/** POST /api/plans answers 200 with one or the other (`'refused' in answer`). */
export type PlanResponse = PlanMade | PlanRefused;

export interface PlanListRow {
  id: string;
  createdAt: string;
  target: string;
  scope: string[];
  summary: PlanSummary;
  applied: boolean;
  /** True for the plan in WORKSPACE/plan.json (the one `usermig apply` would run). */
  current: boolean;
}

export type PlansResponse = Page<PlanListRow>;

/** GET /api/plans/:id */
export type PlanDetailResponse = PlanMade;

export type OperationKind = 'change-email' | 'create-account' | 'create-group' | 'add-members' | 'remove-members';

export type PlanOperation =
  | { kind: 'create-account'; email: string; displayName: string; reasons: string[] }
  | { kind: 'change-email'; from: string; email: string; displayName: string; reasons: string[]; keepsGroups: boolean }
  | { kind: 'create-group'; name: string }
  | { kind: 'add-members'; group: string; emails: string[] }
  | { kind: 'remove-members'; group: string; emails: string[] };

export type PlanOperationRow = PlanOperation & { index: number };

export interface PlanOperationsQuery extends PageQuery {
  kind?: OperationKind;
}

export type PlanOperationsResponse = Page<PlanOperationRow>;

// --- /api/apply --------------------------------------------------------------------------------------

export interface ApplyRequest {
  /** The plan id (from POST /api/plans or GET /api/plans). */
  plan: string;
  /** As apply --prune / --force. */
  prune?: boolean;
  force?: boolean;
}

export interface ApplyStarted {
  run: string;
}

export type ApplyState = 'running' | 'paused' | 'done' | 'failed';

/** What `usermig apply` prints at the end, as figures and as its line. */
export interface ApplyOutcome extends ApplyResult {
  writes: number;
  reads: number;
  /** The line `usermig apply` prints. */
  text: string;
}

export interface ApplyErrorEvent {
  /** The operation in words: `create-account a@b.c`, `add-members jira-users (100)`. */
  operation: string;
  kind: OperationKind;
  message: string;
}

export interface ApplyStatus {
  run: string;
  plan: string;
  target: string;
  state: ApplyState;
  done: number;
  total: number;
  /** Operations that failed so far. */
  errors: number;
  /** Operations per second over the run (paused time excluded). */
  rate: number;
  /** null while unknown (nothing done yet) or when finished. */
  etaSeconds: number | null;
  startedAt: string;
  finishedAt: string | null;
  /** The last errors (at most 50), oldest first. */
  recentErrors: ApplyErrorEvent[];
  /** When done. */
  outcome: ApplyOutcome | null;
  /** When failed: why (as the CLI says it). */
  message: string | null;
  /**
   * Set when another process (usermig apply in a terminal) is applying this plan now: the state is
   * `running`, the figures are the ledger's, and this server can neither pause it nor stream its progress.
   */
  elsewhere?: { pid: number; since: string };
}

/**
 * GET /api/apply when nothing has run since the server started and the workspace records no apply. (When
 * it records one, made by the CLI or before the server started, GET /api/apply answers it as an
 * ApplyStatus with run `workspace:PLAN`, without outcome figures.)
 */
export interface ApplyIdle {
  run: null;
  state: 'idle';
}

export type ApplyStatusResponse = ApplyStatus | ApplyIdle;

export interface ApplyControlResponse {
  state: ApplyState;
}

/** Data of the SSE events of GET /api/apply/events (event name → data). */
export interface ApplyEvents {
  /** At most ~5 per second. */
  progress: { done: number; total: number; rate: number; etaSeconds: number | null };
  error: ApplyErrorEvent;
  state: { state: ApplyState };
  /** The last event of a run: its outcome, or the failure. */
  done: { state: 'done' | 'failed'; outcome: ApplyOutcome | null; message: string | null };
}

// --- /api/report -------------------------------------------------------------------------------------

export type { GroupOutcome, UserOutcome } from '../report/outcomes.js';

export type ReportUserRow = ReportUserOutcome;

export type ReportGroupRow = ReportGroupOutcome;

export type ReportChecklistItem = ChecklistItem;

export type { ApplyInfo as ReportApplyInfo } from '../report/outcomes.js';

export type { ReportSummary } from '../report/outcomes.js';

export interface ReportCharts {
  /** Source users by email domain (of the cloud email, else the source email), most first; `(none)` without one. */
  usersByDomain: Array<{ domain: string; users: number }>;
  /** Cloud groups by members, largest first (at most 50). */
  groupSizes: Array<{ group: string; members: number }>;
  /** Users by outcome (`merged into …` counted as `merged`). */
  outcomeCounts: Array<{ outcome: string; count: number }>;
}

/**
 * GET /api/report: the data of `usermig report` (report.json) plus the charts. `?rows=none` leaves the
 * users and groups out (a large estate's report is tens of megabytes): page them with
 * GET /api/report/users and GET /api/report/groups instead.
 */
export interface ReportResponse {
  generatedAt: string;
  applied: boolean;
  target: string | null;
  lastApply: ReportApplyInfo | null;
  applies: ReportApplyInfo[];
  notices: string[];
  summary: ReportSummary;
  users: ReportUserRow[];
  groups: ReportGroupRow[];
  checklist: ReportChecklistItem[];
  phases: Array<{ planId: string; kind: OperationKind; operations: number; done: number; skipped: number; intent: number; failed: number; first: string; last: string; seconds: number }>;
  formerUsers: Array<{ wave: number; planId: string; source: string; userName: string; userKey: string; why: string; reasons: string[] }>;
  charts: ReportCharts;
  /** The lines `usermig report` prints (summary and checklist in brief). */
  lines: string[];
}

/** GET /api/report/users?q=&outcome=&offset&limit (q: source:username, email or cloud email; outcome: as in the rows, or `merged`). */
export interface ReportUsersQuery extends PageQuery {
  q?: string;
  outcome?: string;
}
export type ReportUsersResponse = Page<ReportUserRow>;

/** GET /api/report/groups?q=&outcome=&offset&limit (q: cloud or source name). */
export interface ReportGroupsQuery extends PageQuery {
  q?: string;
  outcome?: GroupOutcome;
}
export type ReportGroupsResponse = Page<ReportGroupRow>;

/** The CSV downloads (text/csv, Content-Disposition attachment), byte-identical to `usermig report --format csv`. */
export type ReportCsvFile = 'users.csv' | 'groups.csv' | 'checklist.csv';
