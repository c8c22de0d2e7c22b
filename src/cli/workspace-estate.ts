/** Opens the workspace and derives the estate and decisions that most commands work on. */
import { buildEstate, type Estate } from '../assess/estate.js';
import type { Decisions } from '../model/decision.js';
import { usageError } from '../model/errors.js';
import { loadDecisions } from '../workspace/decision-store.js';
import { loadEstate } from '../workspace/estate-loader.js';
import { openWorkspace, resolveWorkspaceDir, type Workspace } from '../workspace/workspace.js';

export interface WorkspaceEstate {
  workspace: Workspace;
  estate: Estate;
  decisions: Decisions;
}

function load(workspace: Workspace): WorkspaceEstate {
  const snapshot = loadEstate(workspace.db);
  if (snapshot.sources.length === 0) throw usageError(`the workspace ${workspace.dir} has no sources yet; run usermig scan first`);
  return { workspace, estate: buildEstate(snapshot), decisions: loadDecisions(workspace.db) };
}

/** Runs `work` with the workspace open; the estate must have at least one source. */
export function withEstate<T>(workspaceOption: string | undefined, work: (context: WorkspaceEstate) => T): T {
  const workspace = openWorkspace(resolveWorkspaceDir(workspaceOption));
  try {
    return work(load(workspace));
  } finally {
    workspace.close();
  }
}

/** The same, for work that waits on a target: the workspace stays open until it is done. */
export async function withEstateAsync<T>(workspaceOption: string | undefined, work: (context: WorkspaceEstate) => Promise<T>): Promise<T> {
  const workspace = openWorkspace(resolveWorkspaceDir(workspaceOption));
  try {
    return await work(load(workspace));
  } finally {
    workspace.close();
  }
}

/**
 * The workspace open, and the estate loaded only if `work` asks for it (a plan with nothing changed does
 * not need it; apply never does).
 */
export async function withWorkspaceAsync<T>(
  workspaceOption: string | undefined,
  work: (workspace: Workspace, estate: () => WorkspaceEstate) => Promise<T>,
): Promise<T> {
  const workspace = openWorkspace(resolveWorkspaceDir(workspaceOption));
  let loaded: WorkspaceEstate | undefined;
  try {
    return await work(workspace, () => (loaded ??= load(workspace)));
  } finally {
    workspace.close();
  }
}
