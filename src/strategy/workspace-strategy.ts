/**
 * The strategy of a workspace, as `usermig strategy` and the dashboard both compute it: the identity
 * provider checked, the tiers of the configuration file, the assessment, the sources and the journey.
 */
import { assessConfigured } from '../assess/configured.js';
import type { Estate } from '../assess/estate.js';
import { loadConfig } from '../config.js';
import type { Decisions } from '../model/decision.js';
import { usageError } from '../model/errors.js';
import type { Workspace } from '../workspace/workspace.js';
import { computeStrategy, configuredTiers, IDPS, type Idp } from './index.js';
import { loadContainerUsage, loadJourneyState, loadSourceInfo } from './load.js';
import type { Strategy } from './types.js';

/** The identity provider named by --idp (default none); unknown ones are a usage error. */
export function parseIdp(text: string | undefined): Idp {
  const idp = (text ?? 'none').toLowerCase();
  if (!(IDPS as readonly string[]).includes(idp)) throw usageError(`"${text}" is not an identity provider usermig knows; use one of ${IDPS.join(', ')}`);
  return idp as Idp;
}

export function workspaceStrategy(
  { workspace, estate, decisions }: { workspace: Workspace; estate: Estate; decisions: Decisions },
  options: { idp: Idp; configFile?: string | undefined },
): Strategy {
  const config = loadConfig(options.configFile, workspace.dir);
  const tiers = configuredTiers(config.strategy, config.file);
  return computeStrategy({
    estate,
    decisions,
    assessment: assessConfigured(estate, decisions, config),
    sources: loadSourceInfo(workspace.db),
    journey: loadJourneyState(workspace.db, workspace.dir),
    idp: options.idp,
    tiers,
    // References per project and space are read only when the estate is large enough for waves.
    containerUsage: () => loadContainerUsage(workspace.db),
  });
}
