#!/usr/bin/env node
/**
 * The usermig command line. Maps error kinds to exit codes (0 ok, 1 blockers or failed operations,
 * 2 bad usage or input, 3 unreachable or refused, 4 internal error) and never shows a stack trace unless
 * USERMIG_DEBUG is set.
 */
import { Command, CommanderError } from 'commander';
import { exitCodeFor, isUsermigError } from '../model/errors.js';

/** The journey's main commands, loaded when one of them runs: every command pays for what it loads. */
const commands = () => import('./commands.js');

/** The commands this file defines: running one of them loads none of the command groups (registerGroups). */
const CORE_COMMANDS = new Set(['scan', 'assess', 'generate', 'demo']);

/**
 * The other commands. Their modules are most of the start-up time (a scan started about 0.16 s later when
 * it loaded them all), so they load only when the command line needs them: another command, or help.
 */
async function registerGroups(cli: Command): Promise<void> {
  const [users, usersCsv, domains, groups, decisions, plan, explain, report, strategy, serve, cloud] = await Promise.all([
    import('./users-commands.js'),
    import('./users-csv-commands.js'),
    import('./domains-commands.js'),
    import('./groups-commands.js'),
    import('./decisions-commands.js'),
    import('./plan-commands.js'),
    import('./explain-commands.js'),
    import('./report-commands.js'),
    import('./strategy-commands.js'),
    import('./serve-command.js'),
    import('../cloud/commands.js'),
  ]);
  const userCommand = cli.command('users').description('per-user decisions: show, decide, fix in bulk, export and import CSV');
  users.registerUserCommands(userCommand);
  usersCsv.registerUserCsvCommands(userCommand);
  domains.registerDomainCommands(cli.command('domains').description('email domains and their trust'));
  groups.registerGroupCommands(cli.command('groups').description('groups: list, map to a cloud group, rename, skip'));
  decisions.registerDecisionCommands(cli.command('decisions').description('the decisions taken and their history'));
  plan.registerPlanCommands(cli);
  explain.registerExplainCommand(cli);
  report.registerReportCommands(cli);
  strategy.registerStrategyCommand(cli);
  serve.registerServeCommand(cli);
  cloud.registerCloudCommands(cli.command('cloud').description('the local cloud: an Atlassian-compatible organization on loopback'));
}

async function program(argv: string[]): Promise<Command> {
  const cli = new Command('usermig')
    .description('Move the users, groups and memberships of a self-hosted Atlassian estate to Atlassian Cloud.')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });

  cli
    .command('scan')
    .description('read sources into the workspace (KIND:PATH, e.g. jira-backup:backup.zip confluence-backup:export.zip)')
    .argument('<source...>', 'source specs: jira-backup:PATH, confluence-backup:PATH, ldap:ldap[s]://HOST[:PORT]/BASE_DN, jira:https://HOST[/CONTEXT] (USERMIG_JIRA_TOKEN, or USERMIG_JIRA_USER / USERMIG_JIRA_PASSWORD), confluence:https://HOST[/CONTEXT] (USERMIG_CONFLUENCE_TOKEN, or USERMIG_CONFLUENCE_USER / USERMIG_CONFLUENCE_PASSWORD), bitbucket:https://HOST[/CONTEXT] (USERMIG_BITBUCKET_TOKEN, or USERMIG_BITBUCKET_USER / USERMIG_BITBUCKET_PASSWORD), crowd:https://HOST/crowd (USERMIG_CROWD_APP / USERMIG_CROWD_PASSWORD) (NAME=KIND:PATH to name one)')
    .option('--workspace <dir>', 'workspace folder (default ./.usermig or USERMIG_WORKSPACE)')
    .option('--json', 'print the result as JSON')
    .option('--ldap-preset <preset>', 'defaults of the LDAP mapping: openldap or ad (bind with USERMIG_LDAP_BIND_DN / USERMIG_LDAP_PASSWORD)')
    .option('--ca <file>', 'PEM file of a private CA that signed the server certificate (TLS is always verified)')
    .option('--config <file>', 'configuration file (default: usermig.json in the workspace folder, when present)')
    .action(async (sources: string[], options) => {
      process.exitCode = await (await import('./scan-command.js')).scanCommand(sources, options);
    });

  cli
    .command('assess')
    .description('report every problem that would block or spoil the migration (exit 1 when blockers exist)')
    .option('--workspace <dir>', 'workspace folder (default ./.usermig or USERMIG_WORKSPACE)')
    .option('--json', 'print the summary and findings as JSON')
    .option('--csv <file>', 'also write one row per finding subject to FILE')
    .option('--config <file>', 'configuration file (default: usermig.json in the workspace folder, when present)')
    .action(async (options) => {
      process.exitCode = (await import('./assess-command.js')).assessCommand(options);
    });

  cli
    .command('generate')
    .description('write a realistic generated estate (Jira and Confluence backups with known defects)')
    .option('--users <n>', 'people', '1000')
    .option('--groups <n>', 'groups over both products')
    .option('--memberships <n>', 'user-in-group memberships over both products')
    .option('--seed <n>', 'random seed (same seed, same files)', '1')
    .requiredOption('--out <dir>', 'output folder')
    .action(async (options) => {
      process.exitCode = await (await commands()).generateCommand(options);
    });

  if (!CORE_COMMANDS.has(argv[2] ?? '')) await registerGroups(cli);

  cli
    .command('demo')
    .description('run the journey on the bundled demo estate (what npm start runs)')
    .option('--workspace <dir>', 'workspace folder (default ./.usermig/demo)')
    .action(async (options) => {
      process.exitCode = await (await commands()).demoCommand(options);
    });
  return cli;
}

async function main(argv: string[]): Promise<void> {
  try {
    await (await program(argv)).parseAsync(argv);
  } catch (error) {
    process.exitCode = report(error);
  }
}

function report(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander already printed its message; help and version are not failures.
    return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0 ? 0 : 2;
  }
  if (process.env.USERMIG_DEBUG) console.error(error);
  if (isUsermigError(error)) {
    process.stderr.write(`usermig: ${error.message}\n`);
    return exitCodeFor(error.kind);
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`usermig: internal error: ${message} (set USERMIG_DEBUG=1 for details)\n`);
  return 4;
}

await main(process.argv);
