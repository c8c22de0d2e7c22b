/**
 * The plan step as a library call: refuse while blockers remain or same-name cloud groups lack consent,
 * else read the target, compute the operations and return the plan (not yet saved).
 */
import { assessEstate } from '../assess/index.js';
import type { Estate } from '../assess/estate.js';
import { appliedMembership, groupsCreatedByUsermig } from '../apply/ledger.js';
import type { Decisions } from '../model/decision.js';
import { readCloud } from '../targets/cloud-view.js';
import type { Target } from '../targets/target.js';
import type { Workspace } from '../workspace/workspace.js';
import type { ResolvedScope } from '../scope/resolve.js';
import { planScopeSection } from '../scope/plan-section.js';
import { desiredState } from './desired-state.js';
import { groupConflicts } from './group-consent.js';
import { planOperations } from './operations.js';
import { newPlanId, PLAN_VERSION, workspaceFingerprint, type PlanFile } from './plan-file.js';

export type PlanOutcome = { plan: PlanFile; notes: string[] } | { refused: string[] };

export interface PlanOptions {
  /** Read the whole cloud even when the workspace's record of it still matches its totals. */
  refresh?: boolean;
  /** Plan only the users and groups of this scope (src/scope); undefined: everything. */
  scope?: ResolvedScope;
}

export async function makePlan(workspace: Workspace, estate: Estate, decisions: Decisions, target: Target, options: PlanOptions = {}): Promise<PlanOutcome> {
  const blockers = assessEstate(estate, { decisions }).findings.filter((finding) => finding.severity === 'blocker');
  if (blockers.length > 0) {
    return {
      refused: [
        `No plan: ${blockers.length} blocker${blockers.length === 1 ? '' : 's'} remain (usermig assess shows them):`,
        ...blockers.map((blocker) => `  [${blocker.code}] ${blocker.message}`),
      ],
    };
  }
  const cloud = await readCloud(workspace.db, target, { refresh: options.refresh ?? false });
  const current = cloud.state;
  const desired = desiredState(estate, decisions, options.scope);
  const viaScim = target.via === 'scim';
  // Only a group that is not in the SCIM directory can exist outside it.
  const lookOutside = viaScim && target.org !== undefined && [...desired.groups.keys()].some((lower) => !current.groups.has(lower));
  // Through SCIM, groups outside the SCIM directory cannot be written; through the org API, every group of
  // the organization is listed already, and only those an identity provider syncs cannot be written.
  const conflicts = groupConflicts(
    desired,
    new Set(current.groups.keys()),
    lookOutside ? await target.org?.groupNames() : undefined,
    groupsCreatedByUsermig(workspace.db),
  );
  const unwritable = viaScim ? [] : [...desired.groups.keys()].filter((lower) => current.unwritableGroups?.has(lower)).map((lower) => current.unwritableGroups?.get(lower) ?? lower).sort();
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
  const notes = target.org || !viaScim ? [] : ['note: USERMIG_ORG_ID and USERMIG_ORG_TOKEN are not set, so groups outside the SCIM directory could not be checked'];
  if (cloud.source === 'record') {
    notes.push(
      `note: the cloud as the workspace recorded it (read in full ${cloud.readAt}, kept up to date by apply since; its totals, ` +
        `${current.accounts.size} accounts and ${current.groups.size} groups, still match); plan --refresh reads it all again`,
    );
  }
  // A scoped plan (a wave) speaks only for the people in its scope: memberships that earlier waves added for
  // people outside it are never proposed for removal.
  const applied = appliedMembership(workspace.db);
  const scope = options.scope;
  const changes = planOperations(desired, current, scope ? (group, email) => desired.accounts.has(email) && applied(group, email) : applied);
  let creates = 0;
  let memberAdds = 0;
  let memberRemovals = 0;
  for (const operation of changes.operations) {
    if (operation.kind === 'create-account' || operation.kind === 'create-group') creates++;
    else if (operation.kind === 'add-members') memberAdds += operation.emails.length;
    else memberRemovals += operation.emails.length;
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
      accounts: desired.accounts.size,
      groups: desired.groups.size,
      creates,
      links: changes.linked.length,
      memberAdds,
      memberRemovals,
      writes: changes.writes,
    },
    ...(scope ? { scope: planScopeSection(desired, scope, current.accounts) } : {}),
  };
  return { plan, notes };
}
