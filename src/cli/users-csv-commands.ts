/**
 * `usermig users export FILE.csv` and `usermig users import FILE.csv`: every effective user in one CSV,
 * Atlassian's advanced-experience columns first (RULES.md CSV-02), then usermig's; and back, from that
 * file or from Atlassian's advanced or simple CSV, as decisions saved all or none (S-14).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { planUserCsvImport, userExportCsv } from '../decide/user-csv.js';
import { inputError } from '../model/errors.js';
import { saveUserDecisions } from '../workspace/decision-store.js';
import { withEstate } from './workspace-estate.js';

const WORKSPACE_HELP = 'workspace folder (default ./.usermig or USERMIG_WORKSPACE)';
const out = (text: string) => void process.stdout.write(`${text}\n`);

/** Writes beside the file, then renames: a failure leaves no half-written file. */
function writeWhole(file: string, text: string): void {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}`);
  try {
    fs.writeFileSync(temporary, text);
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw inputError(`cannot write ${file}: ${(error as Error).message}`, error);
  }
}

export function exportUsersCommand(file: string, options: { workspace?: string }): number {
  const rows = withEstate(options.workspace, ({ estate, decisions }) => {
    writeWhole(file, userExportCsv(estate, decisions.users));
    return estate.sources.reduce((sum, source) => sum + source.users.length, 0);
  });
  out(`exported ${rows.toLocaleString('en-US')} users to ${file}`);
  return 0;
}

export function importUsersCommand(file: string, options: { workspace?: string; reason?: string; force?: boolean }): number {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw inputError(`cannot read ${file}: ${(error as Error).message}`, error);
  }
  const { changed, rows } = withEstate(options.workspace, ({ workspace, estate, decisions }) => {
    const plan = planUserCsvImport(file, text, estate, decisions.users);
    const count = saveUserDecisions(workspace.db, plan.changes, {
      reason: options.reason ?? `imported from ${path.basename(file)}`,
      force: options.force === true,
    });
    return { changed: count, rows: plan.rows };
  });
  out(`imported ${file}: ${changed} decisions changed, ${rows - changed} rows unchanged`);
  return 0;
}

export function registerUserCsvCommands(users: Command): void {
  users
    .command('export')
    .description("write every user to a CSV: Atlassian's advanced-experience columns, then usermig's (source, status, decision)")
    .argument('<file>', 'the CSV file to write')
    .option('--workspace <dir>', WORKSPACE_HELP)
    .action((file: string, options: { workspace?: string }) => {
      process.exitCode = exportUsersCommand(file, options);
    });

  users
    .command('import')
    .description("read decisions from a CSV: usermig's export, or Atlassian's advanced or simple user CSV (all or nothing)")
    .argument('<file>', 'the CSV file to read')
    .option('--workspace <dir>', WORKSPACE_HELP)
    .option('--reason <text>', 'why, for the decision log (default: "imported from FILE")')
    .option('--force', 'allow changing decisions that an applied plan already used')
    .action((file: string, options: { workspace?: string; reason?: string; force?: boolean }) => {
      process.exitCode = importUsersCommand(file, options);
    });
}
