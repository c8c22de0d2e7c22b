/**
 * `usermig strategy [--idp PROVIDER] [--json] [--html FILE]`: the user migration strategy for this estate
 * (issue 9), every point with its reason in numbers and its rule, and the journey to done.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { assessEstate } from '../assess/index.js';
import { usageError } from '../model/errors.js';
import { writeFileAtomically } from '../report/report-csv.js';
import { loadConfig } from '../config.js';
import { computeStrategy, configuredTiers, IDPS, type Idp } from '../strategy/index.js';
import { loadContainerUsage, loadJourneyState, loadSourceInfo } from '../strategy/load.js';
import { strategyHtml } from '../strategy/render-html.js';
import { strategyText } from '../strategy/render-text.js';
import { resolveWorkspaceDir } from '../workspace/workspace.js';
import { withEstate } from './workspace-estate.js';

interface StrategyOptions {
  idp?: string;
  json?: boolean;
  html?: string;
  config?: string;
  workspace?: string;
}

export function strategyCommand(options: StrategyOptions): number {
  const idp = (options.idp ?? 'none').toLowerCase();
  if (!(IDPS as readonly string[]).includes(idp)) throw usageError(`"${options.idp}" is not an identity provider usermig knows; use one of ${IDPS.join(', ')}`);
  const workspaceDir = resolveWorkspaceDir(options.workspace);
  const config = loadConfig(options.config, workspaceDir);
  const tiers = configuredTiers(config.strategy, config.file);
  const strategy = withEstate(options.workspace, ({ workspace, estate, decisions }) => {
    const assessment = assessEstate(estate, { decisions });
    return computeStrategy({
      estate,
      decisions,
      assessment,
      sources: loadSourceInfo(workspace.db),
      journey: loadJourneyState(workspace.db, workspaceDir),
      idp: idp as Idp,
      tiers,
      // References per project and space are read only when the estate is large enough for waves.
      containerUsage: () => loadContainerUsage(workspace.db),
    });
  });
  if (options.html) {
    const file = path.resolve(options.html);
    writeFileAtomically(file, strategyHtml(strategy, new Date().toISOString()));
    if (!options.json) process.stderr.write(`strategy written to ${file}\n`);
  }
  process.stdout.write(options.json ? `${JSON.stringify(strategy, null, 2)}\n` : strategyText(strategy));
  return 0;
}

export function registerStrategyCommand(cli: Command): void {
  cli
    .command('strategy')
    .description('recommend the user migration strategy for this estate, each point with its numbers and rule, and track the journey to done')
    .option('--idp <provider>', `the identity provider to plan for: ${IDPS.join(', ')}`, 'none')
    .option('--json', 'print the strategy as JSON')
    .option('--html <file>', 'also write the strategy as a self-contained HTML page')
    .option('--config <file>', 'configuration file (default WORKSPACE/usermig.json); its "strategy" section may override the user tiers')
    .option('--workspace <dir>', 'workspace folder (default ./.usermig or USERMIG_WORKSPACE)')
    .action((options: StrategyOptions) => {
      process.exitCode = strategyCommand(options);
    });
}
