/**
 * The outcome report (PRODUCT.md "report"; RULES.md REP-01, REP-02, POST-01, GR-05..07, LIC-01, IN-07):
 * one row per source user, one per group, and the post-migration checklist, computed purely from the
 * estate, the decisions, the desired state, the apply ledger and what the cloud holds.
 *
 * - A user's account is `created` when a ledger row of the target created it, `linked` when the cloud
 *   holds it but no ledger row created it (it existed before), `pending` when it is desired but not in
 *   the cloud (apply has not run, or did not finish). Merged users, Former users and skipped users say so.
 * - A group is `created` (a ledger row created it), `merged into existing` (the cloud held it before),
 *   `pending`, `skipped as blocklisted` (S-06: its members are re-added by hand) or `skipped` (decision).
 * - The checklist follows POST-01: approve product and admin access per group (with the people each
 *   approval makes billable, LIC-01; admin access is not billed, GR-06), re-add admins to the blocklisted
 *   groups (GR-05), invite the users (IN-07).
 *
 * Nothing here reads the environment: the report holds no credentials.
 */
import type { ProductKey } from '../assess/access.js';
import type { EffectiveUser, Estate, SourceEstate, SourceGroup } from '../assess/estate.js';
import { cloudGroups, groupOccurrences, type GroupOccurrence } from '../decide/cloud-group-names.js';
import { describeRef, type CloudIdentity } from '../decide/identities.js';
import type { Decisions, GroupDecision, UserDecision } from '../model/decision.js';
import type { DesiredState } from '../plan/desired-state.js';
import type { CurrentCloud, Operation } from '../plan/operations.js';
import { computeWaves, type FormerUserInWave, type UserWave, type WaveInput } from './waves.js';

export type UserOutcome = 'created' | 'linked' | 'pending' | `merged into ${string}` | 'former user' | 'skipped' | 'unresolved';
export type AccountState = 'created' | 'linked' | 'pending';
export type GroupOutcome = 'created' | 'merged into existing' | 'pending' | 'skipped as blocklisted' | 'skipped';
export type GroupNaming = 'own' | 'renamed' | 'mapped' | 'blocklisted' | 'skipped';

export interface LedgerRow {
  planId: string;
  seq: number;
  operation: Operation;
  state: string;
  cloudId: string | null;
  detail: string;
  updatedAt: string;
}

export interface AppliedPlanRow {
  planId: string;
  startedAt: string;
  finishedAt: string | null;
  target: string;
  /** How the apply wrote: through SCIM or the organization API. */
  via?: 'scim' | 'org';
  summary: Record<string, number>;
}

export interface ReportInput {
  estate: Estate;
  decisions: Decisions;
  desired: DesiredState;
  /** Every ledger row of the workspace (rows of plans applied to another target are ignored). */
  ledger: readonly LedgerRow[];
  /** Every apply, any order. */
  applies: readonly AppliedPlanRow[];
  /** What the target of the last apply holds; null when nothing was ever applied. */
  cloud: CurrentCloud | null;
  /** A label for the target (no credentials). */
  targetLabel?: string;
  /** The recorded scopes of the plans (the waves); absent: every apply is an unscoped wave. */
  waves?: Omit<WaveInput, 'appliedPlans'>;
  generatedAt: string;
}

export interface UserRow {
  source: string;
  userName: string;
  userKey: string;
  /** The email as the source holds it. */
  email: string;
  /** The cloud account's email (the survivor's for a merged user); '' without an account. */
  cloudEmail: string;
  outcome: UserOutcome;
  /** The state of the account the user lands in; null without one. */
  accountState: AccountState | null;
  /** The SCIM user id of the account in the cloud; '' when not there. */
  cloudUserId: string;
  activeInSource: boolean;
  /** Cloud groups of the account (desired state), by cloud name. */
  groups: string[];
  /** Those of them the account reaches only through a nested group (S-07). */
  groupsViaNested: string[];
  /** Blocklisted groups the account's source users were in: to re-add by hand (GR-05). */
  blocklistedGroups: string[];
  reasons: string[];
  /** The first applied plan (wave) whose scope brought the user in, and why; null when none did yet. */
  wave: UserWave | null;
}

export interface GroupSourceRow {
  source: string;
  name: string;
  naming: GroupNaming;
}

export interface GroupRow {
  /** '' for a skipped source group. */
  cloudName: string;
  sources: GroupSourceRow[];
  outcome: GroupOutcome;
  /** The SCIM group id in the cloud; '' when not there. */
  cloudGroupId: string;
  /** People (accounts) who are members. */
  members: number;
  /** Members who are in it only through a nested group. */
  membersViaNestedOnly: number;
  productAccessAwaitingApproval: ProductKey[];
  adminAccessAwaitingApproval: string[];
  reasons: string[];
}

export type ChecklistTask = 'approve-access' | 're-add-admins' | 'invite-users';

export interface ChecklistItem {
  step: 1 | 2 | 3;
  task: ChecklistTask;
  /** The cloud group concerned; '' for step 3. */
  group: string;
  /** Step 1: the product key, or `admin`; step 2: the member's cloud email; step 3: `accounts`. */
  item: string;
  /** Step 1: the group's members; step 2: 1 per member (0 for a group without members); step 3: accounts created. */
  people: number;
  /** Step 1: the people approving this makes billable (0 for admin access); otherwise null. */
  billable: number | null;
  detail: string;
}

export interface PhaseTiming {
  planId: string;
  kind: Operation['kind'];
  operations: number;
  done: number;
  skipped: number;
  intent: number;
  failed: number;
  first: string;
  last: string;
  seconds: number;
}

export interface ApplyInfo {
  planId: string;
  startedAt: string;
  finishedAt: string | null;
  target: string;
  summary: Record<string, number>;
}

export interface ReportSummary {
  users: number;
  byOutcome: Record<string, number>;
  accounts: { desired: number; created: number; linked: number; pending: number };
  groups: { desired: number; created: number; mergedIntoExisting: number; pending: number; blocklisted: number; skipped: number };
  /** Product → people billable once every group granting it is approved (LIC-01). */
  billableIfApproved: Partial<Record<ProductKey, number>>;
  /** Accounts the ledger created on the target (the ones to invite, IN-07). */
  accountsCreatedByLedger: number;
}

export interface Report {
  generatedAt: string;
  /** True when something was applied to a target; false: every account is pending. */
  applied: boolean;
  target: string | null;
  lastApply: ApplyInfo | null;
  applies: ApplyInfo[];
  notices: string[];
  summary: ReportSummary;
  users: UserRow[];
  groups: GroupRow[];
  checklist: ChecklistItem[];
  phases: PhaseTiming[];
  /** Former users the scoped waves listed (deleted, inactive-directory or decided), with their wave. */
  formerUsers: FormerUserInWave[];
}

const KIND_ORDER: Array<Operation['kind']> = ['create-account', 'create-group', 'add-members', 'remove-members'];
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A target spec without credentials a URL might carry (user:password@, query string). */
export function redactTarget(spec: string): string {
  return spec.replace(/(https?:\/\/)[^/@\s]*@/gi, '$1***@').replace(/\?.*$/, '');
}

function describeUserDecision(decision: UserDecision): string {
  const what =
    decision.action === 'new-email'
      ? `new-email ${decision.newEmail ?? ''}`
      : decision.action === 'merge-into'
        ? `merge-into ${decision.target ? `${decision.target.source}:${decision.target.userName}` : '?'}`
        : decision.action;
  return `decision: ${what}${decision.reason ? ` (${decision.reason})` : ''}`;
}

const groupDecisionReason = (occurrence: GroupOccurrence): string => {
  const reason = (occurrence.cloud.decision as Partial<GroupDecision> | null)?.reason;
  return reason ? ` (${reason})` : '';
};

const namingOf = (occurrence: GroupOccurrence): GroupNaming => {
  switch (occurrence.cloud.via) {
    case 'rename':
      return 'renamed';
    case 'map':
      return 'mapped';
    case 'skip':
      return 'skipped';
    case 'blocklisted':
      return 'blocklisted';
    default:
      return 'own';
  }
};

const sourceRow = (occurrence: GroupOccurrence): GroupSourceRow => ({ source: occurrence.source.name, name: occurrence.group.name, naming: namingOf(occurrence) });

export function computeReport(input: ReportInput): Report {
  const { estate, decisions, desired, cloud } = input;
  const identities = desired.identities;
  const applies = [...input.applies].sort((a, b) => byText(a.startedAt, b.startedAt) || byText(a.planId, b.planId));
  const last = applies[applies.length - 1] ?? null;
  const applied = last !== null && cloud !== null;
  const targetPlans = new Set(applies.filter((apply) => last && apply.target === last.target).map((apply) => apply.planId));
  const ledger = input.ledger.filter((row) => targetPlans.has(row.planId));
  const waves = computeWaves({
    appliedPlans: applies.filter((apply) => targetPlans.has(apply.planId)).map((apply) => apply.planId),
    scopes: input.waves?.scopes ?? new Map(),
    members: input.waves?.members ?? new Map(),
  });

  // What the ledger created on the target: a create that was sent (intent) or answered (done). A create
  // answered by adopting what already existed (a ledger detail starting with "adopted") created nothing.
  const createdAccounts = new Map<string, LedgerRow>();
  const createdGroups = new Map<string, LedgerRow>();
  for (const row of ledger) {
    if (row.state !== 'done' && row.state !== 'intent') continue;
    if (row.detail.startsWith('adopted')) continue;
    if (row.operation.kind === 'create-account') {
      if (!createdAccounts.has(row.operation.email) || row.state === 'done') createdAccounts.set(row.operation.email, row);
    } else if (row.operation.kind === 'change-email' && row.state === 'done') {
      // The same account under its new email: created by usermig if its old email was.
      const created = createdAccounts.get(row.operation.from);
      if (created) createdAccounts.set(row.operation.email, created);
    } else if (row.operation.kind === 'create-group') {
      const lower = row.operation.name.toLowerCase();
      if (!createdGroups.has(lower) || row.state === 'done') createdGroups.set(lower, row);
    }
  }

  const accountState = (email: string): AccountState => {
    if (!applied || !cloud?.accounts.has(email)) return 'pending';
    return createdAccounts.has(email) ? 'created' : 'linked';
  };
  const groupState = (lower: string): GroupOutcome => {
    if (!applied || !cloud?.groups.has(lower)) return 'pending';
    return createdGroups.has(lower) ? 'created' : 'merged into existing';
  };

  // Account email → cloud group (lower) → true when some active user of the account is a direct member.
  const accountGroups = new Map<string, Map<string, boolean>>();
  /** Lower cloud group name → emails of members reached directly. */
  const directMembers = new Map<string, Set<string>>();
  const membershipOf = (lower: string, occurrences: readonly GroupOccurrence[], members: ReadonlySet<string>, record: boolean) => {
    const direct = new Set<string>();
    for (const { source, group } of occurrences) {
      for (const index of source.flattened(group)) {
        const user = source.users[index] as EffectiveUser;
        if (!user.active) continue;
        const email = identities.byUser.get(user)?.email;
        if (!email || !members.has(email)) continue;
        const isDirect = group.directUsers.has(index);
        if (isDirect) direct.add(email);
        if (!record) continue;
        let groupsOfAccount = accountGroups.get(email);
        if (!groupsOfAccount) accountGroups.set(email, (groupsOfAccount = new Map()));
        groupsOfAccount.set(lower, (groupsOfAccount.get(lower) ?? false) || isDirect);
      }
    }
    directMembers.set(lower, direct);
    return direct;
  };

  const allCloudGroups = cloudGroups(estate, decisions.groups);
  const groupRows: GroupRow[] = [];
  const groupNameOf = new Map<string, string>();
  for (const [lower, group] of [...desired.groups.entries()].sort((a, b) => byText(a[0], b[0]))) {
    groupNameOf.set(lower, group.name);
    const direct = membershipOf(lower, group.occurrences, group.members, true);
    const outcome = groupState(lower);
    const existing = cloud?.groups.get(lower);
    const reasons: string[] = group.rule ? [`added by usermig: ${group.rule}`] : [];
    for (const occurrence of group.occurrences) {
      if (occurrence.cloud.via === 'rename') reasons.push(`${occurrence.source.name}:${occurrence.group.name} renamed to ${group.name}${groupDecisionReason(occurrence)}`);
      if (occurrence.cloud.via === 'map') reasons.push(`${occurrence.source.name}:${occurrence.group.name} mapped into ${group.name}${groupDecisionReason(occurrence)}`);
      if (occurrence.group.spellings.length > 1) reasons.push(`spelled ${occurrence.group.spellings.join(', ')} in ${occurrence.source.name}: one group (S-05)`);
      const children = childNames(occurrence.source, occurrence.group);
      if (children.length > 0) reasons.push(`${occurrence.source.name}:${occurrence.group.name} includes the members of ${children.join(', ')} (flattened, S-07)`);
    }
    const sourcesOfGroup = new Set(group.occurrences.map((occurrence) => occurrence.source.name));
    if (sourcesOfGroup.size > 1) reasons.push(`in ${[...sourcesOfGroup].join(' and ')}: one cloud group with the union of the members (S-05)`);
    if (outcome === 'merged into existing') reasons.push('a group of this name existed in the cloud: its missing members were added to it');
    if (outcome === 'pending') reasons.push(applied ? 'not yet in the cloud: the last apply did not reach it' : 'not yet in the cloud: nothing was applied');
    const held = [
      ...(group.productAccess.size > 0 ? [`product access (${[...group.productAccess].sort().join(', ')})`] : []),
      ...(group.adminPermissions.size > 0 ? [`admin access (${[...group.adminPermissions].sort().join(', ')})`] : []),
    ];
    if (held.length > 0) reasons.push(`${held.join(' and ')} held for approval in the cloud (GR-07, S-10)`);
    groupRows.push({
      cloudName: group.name,
      sources: group.occurrences.map(sourceRow),
      outcome,
      cloudGroupId: applied && existing ? existing.id : '',
      members: group.members.size,
      // A group usermig adds itself (S-13) has no source group: its members are direct, none nested.
      membersViaNestedOnly: group.rule ? 0 : group.members.size - direct.size,
      productAccessAwaitingApproval: [...group.productAccess].sort(),
      adminAccessAwaitingApproval: [...group.adminPermissions].sort(),
      reasons,
    });
  }

  // Blocklisted groups (S-06): never created; their members are re-added by hand (GR-05).
  const blocklistedOf = new Map<string, string[]>();
  for (const entry of [...desired.blocklisted].sort((a, b) => byText(a.name.toLowerCase(), b.name.toLowerCase()))) {
    const lower = entry.name.toLowerCase();
    const occurrences = allCloudGroups.get(lower) ?? [];
    const direct = membershipOf(lower, occurrences, entry.members, false);
    for (const email of entry.members) {
      const list = blocklistedOf.get(email) ?? [];
      list.push(entry.name);
      blocklistedOf.set(email, list);
    }
    groupRows.push({
      cloudName: entry.name,
      sources: occurrences.map(sourceRow),
      outcome: 'skipped as blocklisted',
      cloudGroupId: '',
      members: entry.members.size,
      membersViaNestedOnly: entry.members.size - direct.size,
      productAccessAwaitingApproval: [],
      adminAccessAwaitingApproval: [],
      reasons: [
        `blocklisted: Atlassian never creates or writes it (GR-05, S-06); ${entry.members.size === 1 ? 'its member is' : `its ${entry.members.size} members are`} migrated and must be added back by hand`,
      ],
    });
  }

  // Source groups skipped by decision: no cloud group.
  for (const occurrence of groupOccurrences(estate, decisions.groups)) {
    if (occurrence.cloud.via !== 'skip') continue;
    const members = new Set<string>();
    for (const index of occurrence.source.flattened(occurrence.group)) {
      const user = occurrence.source.users[index] as EffectiveUser;
      const email = user.active ? identities.byUser.get(user)?.email : null;
      if (email) members.add(email);
    }
    groupRows.push({
      cloudName: '',
      sources: [sourceRow(occurrence)],
      outcome: 'skipped',
      cloudGroupId: '',
      members: members.size,
      membersViaNestedOnly: 0,
      productAccessAwaitingApproval: [],
      adminAccessAwaitingApproval: [],
      reasons: [`decision: skip${groupDecisionReason(occurrence)}: no cloud group; its members keep their other groups`],
    });
  }

  // Users: one row per effective source user, in source and directory order.
  const problems = new Map<UserDecision, string[]>();
  for (const problem of identities.problems) problems.set(problem.decision, [...(problems.get(problem.decision) ?? []), problem.message]);
  const userRows: UserRow[] = [];
  for (const source of estate.sources) {
    for (const user of source.users) {
      const identity = identities.byUser.get(user) as CloudIdentity;
      userRows.push(userRow(identity));
    }
  }

  function userRow(identity: CloudIdentity): UserRow {
    const { user, decision } = identity;
    const reasons: string[] = [];
    if (decision) reasons.push(describeUserDecision(decision));
    for (const message of decision ? (problems.get(decision) ?? []) : []) reasons.push(`problem: ${message}`);
    const email = identity.email;
    const account = email ? desired.accounts.get(email) : undefined;
    let outcome: UserOutcome;
    let state: AccountState | null = null;
    if (identity.outcome === 'former-user') {
      outcome = 'former user';
      reasons.push('no cloud account: the data keeps the user as a Former user');
    } else if (identity.outcome === 'skip') {
      outcome = 'skipped';
      reasons.push('no cloud account: skipped by decision');
    } else if (!email || !account) {
      outcome = 'unresolved';
      if (identity.outcome === 'account') reasons.push(`no usable email ("${user.rawEmail}") and no decision: not migrated until decided`);
      else reasons.push('the merge cannot be resolved: not migrated until decided');
    } else {
      state = accountState(email);
      if (identity.outcome === 'merged' && identity.mergedInto) {
        outcome = `merged into ${describeRef(identity.mergedInto)}`;
        reasons.push(`lands in the account of ${describeRef(identity.mergedInto)} (${email}), which is ${state}`);
      } else {
        outcome = state;
        if (!decision) reasons.push('decision: migrate (default)');
        const others = account.users.filter((entry) => entry.user !== user);
        const same = others.filter((entry) => entry.via === 'own').map((entry) => describeRef(entry.user));
        const merged = others.filter((entry) => entry.via === 'merged').map((entry) => describeRef(entry.user));
        if (same.length > 0) reasons.push(`same person as ${same.join(', ')} (same email): one account (S-04)`);
        if (merged.length > 0) reasons.push(`the account also receives ${merged.join(', ')} (merged)`);
      }
      if (state === 'created') {
        const row = createdAccounts.get(email) as LedgerRow;
        reasons.push(`account created by ${row.planId} at ${row.updatedAt}`);
      } else if (state === 'linked') {
        reasons.push('an account with this email already existed in the cloud: linked, not created');
      } else {
        reasons.push(applied ? 'not yet in the cloud: the last apply did not reach it' : 'not yet in the cloud: nothing was applied');
      }
    }
    if (!user.active && identity.outcome !== 'former-user' && identity.outcome !== 'skip') {
      reasons.push('disabled in the source: brings no group memberships, not billed (S-08, LIC-01)');
    }
    const groupsOfAccount = email ? (accountGroups.get(email) ?? new Map<string, boolean>()) : new Map<string, boolean>();
    const names = [...groupsOfAccount.keys()].sort();
    return {
      source: user.source,
      userName: user.userName,
      userKey: user.userKey,
      email: user.rawEmail,
      cloudEmail: email && account ? email : '',
      outcome,
      accountState: state,
      cloudUserId: email && account && applied ? (cloud?.accounts.get(email)?.id ?? '') : '',
      activeInSource: user.active,
      groups: names.map((lower) => groupNameOf.get(lower) ?? lower),
      groupsViaNested: names.filter((lower) => groupsOfAccount.get(lower) === false).map((lower) => groupNameOf.get(lower) ?? lower),
      blocklistedGroups: email && account ? (blocklistedOf.get(email) ?? []) : [],
      reasons,
      wave: waves.of(user.source, user.userKey),
    };
  }

  // The checklist (POST-01).
  const checklist: ChecklistItem[] = [];
  const billableIfApproved: Partial<Record<ProductKey, number>> = {};
  const billableSets = new Map<ProductKey, Set<string>>();
  for (const [, group] of [...desired.groups.entries()].sort((a, b) => byText(a[0], b[0]))) {
    for (const product of [...group.productAccess].sort()) {
      const people = group.members.size;
      const set = billableSets.get(product) ?? new Set<string>();
      for (const email of group.members) set.add(email);
      billableSets.set(product, set);
      checklist.push({
        step: 1,
        task: 'approve-access',
        group: group.name,
        item: product,
        people,
        billable: people,
        detail: `approve or deny ${product} access for ${group.name} (admin.atlassian.com, held for approval: GR-07); approving makes its ${people} active member${people === 1 ? '' : 's'} billable for ${product} (LIC-01)`,
      });
    }
    if (group.adminPermissions.size > 0) {
      const people = group.members.size;
      checklist.push({
        step: 1,
        task: 'approve-access',
        group: group.name,
        item: 'admin',
        people,
        billable: 0,
        detail: `approve or deny admin access (${[...group.adminPermissions].sort().join(', ')}) for ${group.name}: ${people} ${people === 1 ? 'person gains' : 'people gain'} product administration; admin access adds nothing to the bill (GR-06, S-10)`,
      });
    }
  }
  for (const [product, set] of [...billableSets.entries()].sort((a, b) => byText(a[0], b[0]))) billableIfApproved[product] = set.size;
  for (const entry of [...desired.blocklisted].sort((a, b) => byText(a.name.toLowerCase(), b.name.toLowerCase()))) {
    const emails = [...entry.members].sort();
    if (emails.length === 0) {
      checklist.push({ step: 2, task: 're-add-admins', group: entry.name, item: '', people: 0, billable: null, detail: `${entry.name} is blocklisted and had no active members: nothing to re-add` });
    }
    for (const email of emails) {
      checklist.push({
        step: 2,
        task: 're-add-admins',
        group: entry.name,
        item: email,
        people: 1,
        billable: null,
        detail: `add ${email} back to ${entry.name} by hand (admin.atlassian.com > Users > Groups): blocklisted groups are never migrated (GR-05, S-06)`,
      });
    }
  }

  let created = 0;
  let linked = 0;
  let pending = 0;
  for (const email of desired.accounts.keys()) {
    const state = accountState(email);
    if (state === 'created') created++;
    else if (state === 'linked') linked++;
    else pending++;
  }
  const createdOnTarget = applied ? [...createdAccounts.keys()].filter((email) => cloud?.accounts.has(email)).length : 0;
  checklist.push({
    step: 3,
    task: 'invite-users',
    group: '',
    item: 'accounts',
    people: createdOnTarget,
    billable: null,
    detail:
      `${createdOnTarget} account${createdOnTarget === 1 ? '' : 's'} created: a migration sends no invitations (IN-07); resend them from Administration > Users > Resend invite, or give the users the site link` +
      (pending > 0 ? `; ${pending} more account${pending === 1 ? '' : 's'} still pending` : ''),
  });

  const byOutcome: Record<string, number> = {};
  for (const row of userRows) {
    const key = row.outcome.startsWith('merged into ') ? 'merged' : row.outcome;
    byOutcome[key] = (byOutcome[key] ?? 0) + 1;
  }
  const countGroups = (outcome: GroupOutcome) => groupRows.filter((row) => row.outcome === outcome).length;

  const notices: string[] = [];
  if (!last) notices.push('Nothing was applied yet: this report shows the desired state, and every account and group is pending.');
  else if (!last.finishedAt) notices.push(`The last apply (${last.planId}, started ${last.startedAt}) did not finish: what it did not reach is pending; run usermig apply again to resume.`);
  const unresolved = byOutcome.unresolved ?? 0;
  if (unresolved > 0) notices.push(`${unresolved} user${unresolved === 1 ? ' has' : 's have'} no usable email or merge and no decision: not migrated (usermig assess lists them).`);

  const info = (apply: AppliedPlanRow): ApplyInfo => ({ ...apply, target: redactTarget(apply.target) });
  return {
    generatedAt: input.generatedAt,
    applied,
    target: last ? (input.targetLabel ?? redactTarget(last.target)) : null,
    lastApply: last ? info(last) : null,
    applies: applies.map(info),
    notices,
    summary: {
      users: userRows.length,
      byOutcome,
      accounts: { desired: desired.accounts.size, created, linked, pending },
      groups: {
        desired: desired.groups.size,
        created: countGroups('created'),
        mergedIntoExisting: countGroups('merged into existing'),
        pending: countGroups('pending'),
        blocklisted: countGroups('skipped as blocklisted'),
        skipped: countGroups('skipped'),
      },
      billableIfApproved,
      accountsCreatedByLedger: createdOnTarget,
    },
    users: userRows,
    groups: groupRows,
    checklist,
    phases: phaseTimings(ledger, applies),
    formerUsers: waves.formerUsers,
  };
}

function childNames(source: SourceEstate, group: SourceGroup): string[] {
  return [...group.children].map((index) => (source.groups[index] as SourceGroup).name).sort();
}

/** First and last ledger update per plan and operation kind (the per-phase timing of each apply). */
export function phaseTimings(ledger: readonly LedgerRow[], applies: readonly AppliedPlanRow[]): PhaseTiming[] {
  const order = new Map(applies.map((apply, index) => [apply.planId, index]));
  const phases = new Map<string, PhaseTiming>();
  for (const row of ledger) {
    const key = `${row.planId}\u0000${row.operation.kind}`;
    let phase = phases.get(key);
    if (!phase) {
      phase = { planId: row.planId, kind: row.operation.kind, operations: 0, done: 0, skipped: 0, intent: 0, failed: 0, first: row.updatedAt, last: row.updatedAt, seconds: 0 };
      phases.set(key, phase);
    }
    phase.operations++;
    if (row.state === 'done') phase.done++;
    else if (row.state === 'skipped') phase.skipped++;
    else if (row.state === 'intent') phase.intent++;
    else phase.failed++;
    if (row.updatedAt < phase.first) phase.first = row.updatedAt;
    if (row.updatedAt > phase.last) phase.last = row.updatedAt;
  }
  const result = [...phases.values()];
  for (const phase of result) {
    const seconds = (Date.parse(phase.last) - Date.parse(phase.first)) / 1000;
    phase.seconds = Number.isFinite(seconds) ? Math.round(seconds * 1000) / 1000 : 0;
  }
  return result.sort(
    (a, b) => (order.get(a.planId) ?? 0) - (order.get(b.planId) ?? 0) || byText(a.planId, b.planId) || KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind),
  );
}
