/**
 * `usermig strategy [--idp PROVIDER] [--json] [--html FILE]`: the user migration strategy for this estate
 * (issue 9), every point with its reason in numbers and its rule, and the journey to done.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomically } from '../report/report-csv.js';
import { loadConfig } from '../config.js';
import { IDPS } from '../strategy/index.js';
import { parseIdp, workspaceStrategy } from '../strategy/workspace-strategy.js';
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
  const idp = parseIdp(options.idp);
  // The configuration file is checked before the workspace is opened, as before.
  loadConfig(options.config, resolveWorkspaceDir(options.workspace));
  const strategy = withEstate(options.workspace, (context) => workspaceStrategy(context, { idp, configFile: options.config }));
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
