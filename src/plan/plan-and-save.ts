/**
 * The plan step as `usermig plan` and the dashboard's Plan page both run it: open the target, plan from
 * the saved basis when nothing changed (a plan of everything), else from the estate with the scope,
 * save the plan file and record its scope. Refused plans are returned, not saved.
 */
import type { Estate } from '../assess/estate.js';
import type { Decisions } from '../model/decision.js';
import { usageError } from '../model/errors.js';
import { recordScopeOfPlan } from '../scope/describe.js';
import { parseScope, workspaceScope } from '../scope/index.js';
import { parseVia } from '../targets/cloud-writer.js';
import { describeDiscovery } from '../targets/scim-discovery.js';
import { openTarget } from '../targets/target.js';
import type { Workspace } from '../workspace/workspace.js';
import { makePlan, planFromSavedBasis } from './make-plan.js';
import { writePlanFile, type PlanFile } from './plan-file.js';

export interface PlanRequest {
  /** local, atlassian, atlassian:URL, scim:URL. */
  target: string;
  scimProfile?: string;
  /** scim (default) or org. */
  via?: string;
  refresh?: boolean;
  /** --scope specs (none: all). */
  scope: string[];
  groupMembers?: string;
  /** Where to save the plan. */
  file: string;
}

export type SavedPlan =
  | {
      plan: PlanFile;
      file: string;
      /** Notes to print before the plan (discovery of a SCIM service first). */
      notes: string[];
      targetLabel: string;
      /** A SCIM service with Bulk: how many operations go in one request. */
      bulkMaxOperations?: number;
    }
  | { refused: string[]; notes: string[]; targetLabel: string };

export async function planAndSave(
  workspace: Workspace,
  loadEstate: () => { estate: Estate; decisions: Decisions },
  request: PlanRequest,
): Promise<SavedPlan> {
  const via = parseVia(request.via);
  if (request.scimProfile !== undefined && !request.target.startsWith('scim:')) throw usageError('--scim-profile is for --target scim:URL');
  const spec = parseScope(request.scope, request.groupMembers);
  const target = await openTarget(request.target, workspace.dir, undefined, via, request.scimProfile ? { scimProfile: request.scimProfile } : {});
  try {
    const service = target.scimService;
    const discovered = service ? describeDiscovery(service.discovery, service.profile) : undefined;
    const refresh = request.refresh ?? false;
    // A plan of everything with nothing changed in the workspace reuses the desired state computed last.
    let outcome = spec.all ? await planFromSavedBasis(workspace, target, { refresh }) : undefined;
    if (!outcome) {
      const { estate, decisions } = loadEstate();
      const scope = workspaceScope(workspace.db, estate, decisions, spec);
      outcome = await makePlan(workspace, estate, decisions, target, { refresh, ...(scope ? { scope } : {}) });
    }
    if ('refused' in outcome) return { refused: outcome.refused, notes: [], targetLabel: target.label };
    if (service && discovered) outcome.plan.scim = { profile: service.profile.name, discovered };
    writePlanFile(outcome.plan, request.file);
    recordScopeOfPlan(workspace.db, outcome.plan);
    // The organization API is Atlassian's: a generic SCIM service has no groups outside its directory.
    const notes = [...(discovered ? [discovered] : []), ...outcome.notes.filter((note) => !(service && note.startsWith('note: USERMIG_ORG_ID')))];
    return {
      plan: outcome.plan,
      file: request.file,
      notes,
      targetLabel: target.label,
      ...(service?.bulk ? { bulkMaxOperations: service.bulk.maxOperations } : {}),
    };
  } finally {
    await target.close();
  }
}
