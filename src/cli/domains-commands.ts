/**
 * `usermig domains`: the email domains of the accounts and their trust (RULES.md DOM-01..03, §6 S-11).
 * list, trust, untrust, and the domains CSV (`Domain,Users,Trusted`) out and in. Every change is one
 * transaction, logged, and sticky once an applied plan used it (S-14: --force).
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { checkContext } from '../assess/context.js';
import { buildEstate } from '../assess/estate.js';
import { setDomainTrust } from '../decide/domain-trust.js';
import { domainRows, domainsCsv, namedDomains, parseDomainsCsv, type DomainRow } from '../decide/domains.js';
import { inputError, usageError } from '../model/errors.js';
import { loadDecisions, saveDomainDecisions } from '../workspace/decision-store.js';
import { loadEstate } from '../workspace/estate-loader.js';
import { openWorkspace, resolveWorkspaceDir, type Workspace } from '../workspace/workspace.js';
import { withEstate } from './workspace-estate.js';

const out = (text: string) => void process.stdout.write(`${text}\n`);
const WORKSPACE_HELP = 'workspace folder (default ./.usermig or USERMIG_WORKSPACE)';

interface ChangeOptions {
  workspace?: string;
  reason?: string;
  force?: boolean;
}

/** The domain rows when the workspace has sources, else null (domains may be trusted ahead of a scan). */
function rowsOf(workspace: Workspace): DomainRow[] | null {
  const snapshot = loadEstate(workspace.db);
  if (snapshot.sources.length === 0) return null;
  const estate = buildEstate(snapshot);
  return domainRows(estate, checkContext(estate, loadDecisions(workspace.db)));
}

function withWorkspace<T>(option: string | undefined, work: (workspace: Workspace) => T): T {
  const workspace = openWorkspace(resolveWorkspaceDir(option));
  try {
    return work(workspace);
  } finally {
    workspace.close();
  }
}

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

function formatList(rows: readonly DomainRow[]): string {
  const width = Math.max('DOMAIN'.length, ...rows.map((row) => row.domain.length));
  const usersWidth = Math.max('USERS'.length, ...rows.map((row) => String(row.users).length));
  const lines = [`${'DOMAIN'.padEnd(width)}  ${'USERS'.padStart(usersWidth)}  TRUSTED`];
  for (const row of rows) lines.push(`${row.domain.padEnd(width)}  ${String(row.users).padStart(usersWidth)}  ${row.trusted ? 'yes' : 'no'}`);
  return lines.join('\n');
}

export function registerDomainCommands(domains: Command): void {
  domains
    .command('list')
    .description('every email domain with the number of accounts there and whether it is trusted, most users first')
    .option('--workspace <dir>', WORKSPACE_HELP)
    .option('--json', 'print an array of { domain, users, trusted }')
    .action((options: { workspace?: string; json?: boolean }) => {
      const rows = withEstate(options.workspace, ({ estate, decisions }) => domainRows(estate, checkContext(estate, decisions)));
      out(options.json ? JSON.stringify(rows) : rows.length === 0 ? 'no email domains' : formatList(rows));
      process.exitCode = 0;
    });

  domains
    .command('trust')
    .description('trust domains (DOMAIN... or --all for every domain of the list); a domain not seen yet may be trusted ahead of time')
    .argument('[domain...]', 'domains to trust')
    .option('--all', 'trust every domain that `domains list` shows')
    .option('--reason <text>', 'why (kept in the decision log)')
    .option('--force', 'change decisions that an applied plan already used')
    .option('--workspace <dir>', WORKSPACE_HELP)
    .action((names: string[], options: ChangeOptions & { all?: boolean }) => {
      if (options.all && names.length > 0) throw usageError('domains trust takes either DOMAIN... or --all, not both');
      if (!options.all && names.length === 0) throw usageError('domains trust needs DOMAIN... or --all');
      withWorkspace(options.workspace, (workspace) => {
        const rows = rowsOf(workspace);
        let domainList: string[];
        if (options.all) {
          if (rows === null) throw usageError(`the workspace ${workspace.dir} has no sources yet; run usermig scan first, or name the domains to trust`);
          domainList = rows.map((row) => row.domain);
        } else domainList = namedDomains(names);
        out(setDomainTrust(workspace.db, domainList, true, { reason: options.reason, force: options.force }).message);
        if (rows !== null && !options.all) {
          const known = new Set(rows.map((row) => row.domain));
          const ahead = domainList.filter((domain) => !known.has(domain));
          if (ahead.length > 0) out(`note: ${ahead.join(', ')} ${ahead.length === 1 ? 'is' : 'are'} not a domain of any account yet; trusted ahead of time`);
        }
      });
      process.exitCode = 0;
    });

  domains
    .command('untrust')
    .description('withdraw trust from domains (this unblocks nothing: their users need other addresses, DOM-01)')
    .argument('<domain...>', 'domains to untrust')
    .option('--reason <text>', 'why (kept in the decision log)')
    .option('--force', 'change decisions that an applied plan already used')
    .option('--workspace <dir>', WORKSPACE_HELP)
    .action((names: string[], options: ChangeOptions) => {
      const domainList = namedDomains(names);
      withWorkspace(options.workspace, (workspace) => {
        out(setDomainTrust(workspace.db, domainList, false, { reason: options.reason, force: options.force }).message);
      });
      process.exitCode = 0;
    });

  domains
    .command('export')
    .description('write the domain list as CSV: Domain,Users,Trusted (TRUE/FALSE)')
    .argument('<file>', 'the CSV file to write')
    .option('--workspace <dir>', WORKSPACE_HELP)
    .action((file: string, options: { workspace?: string }) => {
      const rows = withEstate(options.workspace, ({ estate, decisions }) => domainRows(estate, checkContext(estate, decisions)));
      try {
        fs.writeFileSync(file, domainsCsv(rows));
      } catch (error) {
        throw inputError(`cannot write ${file}: ${(error as Error).message}`, error);
      }
      out(`wrote ${plural(rows.length, 'domain')} to ${file}`);
      process.exitCode = 0;
    });

  domains
    .command('import')
    .description('trust and untrust domains from a CSV (Domain,Users,Trusted; Users is ignored); all rows or none')
    .argument('<file>', 'the CSV file to read')
    .option('--reason <text>', 'why (kept in the decision log)')
    .option('--force', 'change decisions that an applied plan already used')
    .option('--workspace <dir>', WORKSPACE_HELP)
    .action((file: string, options: ChangeOptions) => {
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (error) {
        throw inputError(`cannot read ${file}: ${(error as Error).message}`, error);
      }
      const { rows, errors } = parseDomainsCsv(text);
      if (errors.length > 0) {
        throw inputError(`${file}: ${plural(errors.length, 'bad row')}, nothing was imported:\n${errors.map((error) => `  ${error}`).join('\n')}`);
      }
      withWorkspace(options.workspace, (workspace) => {
        const context = { reason: options.reason, force: options.force };
        const trusted = rows.filter((row) => row.trusted).map((row) => row.domain);
        const untrusted = rows.filter((row) => !row.trusted).map((row) => row.domain);
        // One transaction around both calls (they nest as savepoints): all rows apply or none.
        const changed = workspace.db.transaction(
          () => saveDomainDecisions(workspace.db, trusted, true, context) + saveDomainDecisions(workspace.db, untrusted, false, context),
        )();
        out(`read ${plural(rows.length, 'domain')} from ${file}: ${plural(changed, 'decision')} changed`);
      });
      process.exitCode = 0;
    });
}
