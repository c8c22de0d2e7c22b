/**
 * The plan step as a library call: refuse while blockers remain or same-name cloud groups lack consent,
 * else read the target, compute the operations and return the plan (not yet saved).
 */
import { assessEstate } from '../assess/index.js';
import type { Estate } from '../assess/estate.js';
import { appliedMembership, groupsCreatedByUsermig, migratedEmail } from '../apply/ledger.js';
import type { Decisions } from '../model/decision.js';
import { readCloud } from '../targets/cloud-view.js';
import type { Target } from '../targets/target.js';
import type { Workspace } from '../workspace/workspace.js';
import type { ResolvedScope } from '../scope/resolve.js';
import { planScopeSection } from '../scope/plan-section.js';
import { scopedBlockers } from '../scope/scoped-blockers.js';
import { loadPlanBasis, savePlanBasis } from '../workspace/plan-basis-store.js';
import { desiredState, type DesiredState } from './desired-state.js';
import { planBasis, type PlanBasis } from './plan-basis.js';
import { groupConflicts } from './group-consent.js';
import { planOperations, type KeepsGroups } from './operations.js';
import { newPlanId, PLAN_VERSION, workspaceFingerprint, type PlanFile } from './plan-file.js';

export type PlanOutcome = { plan: PlanFile; notes: string[] } | { refused: string[] };

export interface PlanOptions {
  /** Read the whole cloud even when the workspace's record of it still matches its totals. */
  refresh?: boolean;
  /** Plan only the users and groups of this scope (src/scope); undefined: everything. */
  scope?: ResolvedScope;
}

/** Bump when the plan basis is computed differently: saved bases of older versions are then not reused. */
const BASIS_VERSION = 3;

/** The key of the unscoped plan basis: the workspace's sources and decisions, and this version. */
const basisKey = (workspace: Workspace): string => JSON.stringify({ workspace: workspaceFingerprint(workspace.db), basis: BASIS_VERSION, plan: PLAN_VERSION });

/**
 * The plan of everything when the sources and decisions have not changed since the last such plan: its
 * saved basis against the cloud, without loading or assessing the estate (a plan was made from it, so
 * it had no blockers). Undefined when anything changed: then plan with makePlan.
 */
export async function planFromSavedBasis(workspace: Workspace, target: Target, options: Omit<PlanOptions, 'scope'> = {}): Promise<PlanOutcome | undefined> {
  const saved = loadPlanBasis(workspace.db, basisKey(workspace));
  if (!saved) return undefined;
  const note = `note: the sources and decisions are unchanged since ${saved.savedAt}: the desired state computed then is used`;
  return againstCloud(workspace, target, saved.basis, options, [note]);
}

export async function makePlan(workspace: Workspace, estate: Estate, decisions: Decisions, target: Target, options: PlanOptions = {}): Promise<PlanOutcome> {
  const all = assessEstate(estate, { decisions }).findings.filter((finding) => finding.severity === 'blocker');
  // A wave is blocked only by what concerns its scope (RULES.md AS-06).
  const { blocking: blockers, elsewhere } = options.scope ? scopedBlockers(all, options.scope) : { blocking: all, elsewhere: 0 };
  const outside =
    elsewhere > 0 ? [`note: ${elsewhere} blocker${elsewhere === 1 ? '' : 's'} concern${elsewhere === 1 ? 's' : ''} only users and groups outside this scope: they block the waves that move them, not this one`] : [];
  if (blockers.length > 0) {
    return {
      refused: [
        `No plan: ${blockers.length} blocker${blockers.length === 1 ? '' : 's'} remain (usermig assess shows them):`,
        ...blockers.map((blocker) => `  [${blocker.code}] ${blocker.message}`),
        ...outside,
      ],
    };
  }
  const desired = desiredState(estate, decisions, options.scope);
  const basis = planBasis(desired);
  if (!options.scope) savePlanBasis(workspace.db, basisKey(workspace), basis);
  return againstCloud(workspace, target, basis, options, outside, desired);
}

/** The basis against the cloud: refused for unconsented same-name groups, else the operations. */
async function againstCloud(
  workspace: Workspace,
  target: Target,
  basis: PlanBasis,
  options: PlanOptions,
  notes: string[],
  desired?: DesiredState,
): Promise<PlanOutcome> {
  const cloud = await readCloud(workspace.db, target, { refresh: options.refresh ?? false });
  const current = cloud.compact;
  const cloudGroups = new Map(current.groups.map((group) => [group.lower, group.name]));
  const unwritableGroups = current.unwritable ? new Map(current.unwritable) : undefined;
  const viaScim = target.via === 'scim';
  // Only a group that is not in the SCIM directory can exist outside it.
  const lookOutside = viaScim && target.org !== undefined && basis.groups.some((group) => !cloudGroups.has(group.lower));
  // Through SCIM, groups outside the SCIM directory cannot be written; through the org API, every group of
  // the organization is listed already, and only those an identity provider syncs cannot be written.
  const conflicts = groupConflicts(
    basis.groups,
    new Set(cloudGroups.keys()),
    lookOutside ? await target.org?.groupNames() : undefined,
    groupsCreatedByUsermig(workspace.db),
  );
  const unwritable = viaScim
    ? []
    : basis.groups
        .filter((group) => unwritableGroups?.has(group.lower))
        .map((group) => unwritableGroups?.get(group.lower) ?? group.lower)
        .sort();
  if (conflicts.needConsent.length > 0 || conflicts.outsideScim.length > 0 || unwritable.length > 0) {
    return {
      refused: [
        'No plan: groups of the estate already exist in the cloud, and same-name groups merge (members inherit what the cloud group grants).',
        ...conflicts.needConsent.map(
          (name) => `  ${name}: merge only with consent (usermig groups map ${name} --to ${name}), or give it another name (usermig groups rename ${name} NEW)`,
        ),
        ...conflicts.outsideScim.map((name) => `  ${name}: exists outside the SCIM directory, which cannot write to it; rename the source group`),
        ...unwritable.map((name) => `  ${name}: is synced from an identity provider, which the organization API cannot write to; rename the source group or use --via scim`),
      ],
    };
  }
  if (!target.org && viaScim) notes.push('note: USERMIG_ORG_ID and USERMIG_ORG_TOKEN are not set, so groups outside the SCIM directory could not be checked');
  if (cloud.source === 'record') {
    notes.push(
      `note: the cloud as the workspace recorded it (read in full ${cloud.readAt}, kept up to date by apply since; its totals, ` +
        `${current.emails.length} accounts and ${current.groups.length} groups, still match); plan --refresh reads it all again`,
    );
  }
  // A scoped plan (a wave) speaks only for the people in its scope: memberships that earlier waves added for
  // people outside it are never proposed for removal.
  const applied = appliedMembership(workspace.db);
  const scope = options.scope;
  const inScope = scope ? new Set(basis.emails) : undefined;
  const operationsFor = (keepsGroups?: KeepsGroups) =>
    planOperations(basis, current, inScope ? (group, email) => inScope.has(email) && applied(group, email) : applied, migratedEmail(workspace.db), keepsGroups);
  let changes = operationsFor();
  if (target.org && changes.operations.some((operation) => operation.kind === 'change-email')) {
    // An email change keeps the account only for a managed account moving to a verified domain (TARGETS.md
    // §1 quirk 5). Without the organization API the domains are unknown, and the plan assumes the worst.
    const verified = await target.org.verifiedDomains();
    const domainOf = (email: string) => email.slice(email.lastIndexOf('@') + 1);
    changes = operationsFor((from, to) => verified.has(domainOf(from)) && verified.has(domainOf(to)));
  }
  const emailChanges = changes.operations.filter((operation) => operation.kind === 'change-email');
  if (emailChanges.length > 0 && target.via === 'org') {
    return {
      refused: [
        'No plan: emails changed at the source for accounts usermig migrated, and the organization API cannot change an account\'s email:',
        ...emailChanges.map((operation) => `  ${operation.from} → ${operation.email} (${operation.reasons.join(', ')})`),
        '  plan with --via scim, or change these emails in admin.atlassian.com first',
      ],
    };
  }
  let creates = 0;
  let memberAdds = 0;
  let memberRemovals = 0;
  for (const operation of changes.operations) {
    if (operation.kind === 'create-account' || operation.kind === 'create-group') creates++;
    else if (operation.kind === 'add-members') memberAdds += operation.emails.length;
    else if (operation.kind === 'remove-members') memberRemovals += operation.emails.length;
  }
  const plan: PlanFile = {
    version: PLAN_VERSION,
    id: newPlanId(),
    createdAt: new Date().toISOString(),
    target: target.spec,
    via: target.via,
    workspaceFingerprint: workspaceFingerprint(workspace.db),
    cloudFingerprint: cloud.fingerprint,
    operations: changes.operations,
    linked: changes.linked,
    summary: {
      accounts: basis.emails.length,
      groups: basis.groups.length,
      creates,
      links: changes.linked.length,
      emailChanges: emailChanges.length,
      memberAdds,
      memberRemovals,
      writes: changes.writes,
    },
    ...(scope && desired ? { scope: planScopeSection(desired, scope, cloud.state.accounts) } : {}),
  };
  return { plan, notes };
}
