/**
 * `usermig groups`: list the groups with what they grant and what will happen to them, and decide per
 * group (RULES.md GR-01..05, P2, §6 S-05, S-06, S-14): map into a cloud group (an explicit consent to
 * merge), rename (one, or in bulk), skip, or create (back to the default). A group is named `name` for
 * every source that has it, or `source:name` for one. All changes of a command apply together or not at all.
 */
import type { Command } from 'commander';
import { bulkRenameGroups, decideGroup, type GroupDecided } from '../decide/group-decision.js';
import { listGroups, type GroupListEntry } from '../decide/groups.js';
import { usageError } from '../model/errors.js';
import type { DecisionContext } from '../workspace/decision-store.js';
import { withEstate } from './workspace-estate.js';

const out = (text: string) => void process.stdout.write(`${text}\n`);
const WORKSPACE_HELP = 'workspace folder (default ./.usermig or USERMIG_WORKSPACE)';
const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

interface ChangeOptions {
  workspace?: string;
  reason?: string;
  force?: boolean;
}

const context = (options: ChangeOptions): DecisionContext => ({ reason: options.reason, force: options.force });

function print(decided: GroupDecided): void {
  out(decided.message);
  for (const note of decided.notes) out(note);
}

function formatEntry(entry: GroupListEntry): string {
  const flags = entry.flags.length > 0 ? `  [${entry.flags.join(', ')}]` : '';
  const spellings = entry.spellings.length > 1 ? ` (spelled ${entry.spellings.join(', ')})` : '';
  const lines = [`${entry.name}${spellings}${flags}`];
  const width = Math.max(...entry.sources.map((s) => s.source.length));
  for (const s of entry.sources) {
    const parts = [
      `${s.directMembers} direct, ${s.flattenedMembers} flattened`,
      `access: ${s.productAccess.join(', ') || '-'}`,
      `admin: ${s.admin.join(', ') || '-'}`,
      plural(s.otherGrants, 'other grant'),
    ];
    if (s.children.length > 0) parts.push(`children: ${s.children.join(', ')}`);
    let fate = '';
    if (s.via === 'skip') fate = 'skipped';
    else if (s.via === 'rename') fate = `→ renamed ${s.cloudName}`;
    else if (s.via === 'map') fate = `→ mapped into ${s.cloudName}`;
    if (fate && s.decision) fate += s.decision.source === '*' ? ' (decided for every source)' : ` (decided for ${s.decision.source})`;
    if (s.via === 'blocklisted') fate = 'blocklisted: not created';
    if (fate) parts.push(fate);
    lines.push(`  ${s.source.padEnd(width)}  ${parts.join('; ')}`);
  }
  return lines.join('\n');
}

export function registerGroupCommands(groups: Command): void {
  groups
    .command('list')
    .description('every group with its sources, members, grants, nesting, problems and decision')
    .option('--workspace <dir>', WORKSPACE_HELP)
    .option('--json', 'print the list as a JSON array')
    .action((options: { workspace?: string; json?: boolean }) => {
      const entries = withEstate(options.workspace, ({ estate, decisions }) => listGroups(estate, decisions.groups));
      out(options.json ? JSON.stringify(entries) : entries.length === 0 ? 'no groups' : entries.map(formatEntry).join('\n'));
      process.exitCode = 0;
    });

  groups
    .command('map')
    .description('merge a source group into a cloud group, on purpose (an explicit consent, RULES.md P2)')
    .argument('<group>', 'the source group: NAME for every source, or SOURCE:NAME')
    .requiredOption('--to <cloud-group>', 'the cloud group to merge into')
    .option('--reason <text>', 'why (kept in the decision log)')
    .option('--force', 'change decisions that an applied plan already used')
    .option('--workspace <dir>', WORKSPACE_HELP)
    .action((group: string, options: ChangeOptions & { to: string }) => {
      withEstate(options.workspace, ({ workspace, estate, decisions }) => {
        print(decideGroup(workspace.db, estate, decisions, { group, action: 'map', value: options.to }, context(options)));
      });
      process.exitCode = 0;
    });

  groups
    .command('rename')
    .description('give groups another cloud name: OLD NEW, or in bulk with --prefix, --suffix or --regex/--replace')
    .argument('[group]', 'the source group: NAME for every source, or SOURCE:NAME')
    .argument('[new-name]', 'its cloud name')
    .option('--prefix <text>', 'bulk: put TEXT before the name of every group (but blocklisted ones)')
    .option('--suffix <text>', 'bulk: put TEXT after the name of every group (but blocklisted ones)')
    .option('--regex <re>', 'bulk: rename the groups whose name matches RE (case-insensitive), replacing every match')
    .option('--replace <text>', 'bulk: what replaces each match of --regex ($1… for captured parts)')
    .option('--match <re>', 'bulk: only the groups whose name matches RE (case-insensitive)')
    .option('--source <name>', 'bulk: only the groups of this source (default: the name in every source)')
    .option('--dry-run', 'bulk: show the renames (and any refusal) without saving them')
    .option('--reason <text>', 'why (kept in the decision log)')
    .option('--force', 'change decisions that an applied plan already used')
    .option('--workspace <dir>', WORKSPACE_HELP)
    .action(
      (
        group: string | undefined,
        newName: string | undefined,
        options: ChangeOptions & { prefix?: string; suffix?: string; regex?: string; replace?: string; match?: string; source?: string; dryRun?: boolean },
      ) => {
        const bulk = options.prefix !== undefined || options.suffix !== undefined || options.regex !== undefined;
        withEstate(options.workspace, ({ workspace, estate, decisions }) => {
          if (bulk) {
            if (group !== undefined) throw usageError('a bulk rename (--prefix, --suffix, --regex) takes no group names');
            const renamed = bulkRenameGroups(workspace.db, estate, decisions, options, context(options), options.dryRun === true);
            // The groups left alone first, as before the renames.
            for (const note of renamed.notes) out(note);
            out(renamed.message);
            return;
          }
          if (options.replace !== undefined || options.match !== undefined || options.source !== undefined || options.dryRun) {
            throw usageError('--replace, --match, --source and --dry-run go with a bulk rename (--prefix, --suffix or --regex)');
          }
          if (group === undefined || newName === undefined) throw usageError('groups rename needs OLD NEW, or --prefix, --suffix or --regex/--replace');
          print(decideGroup(workspace.db, estate, decisions, { group, action: 'rename', value: newName }, context(options)));
        });
        process.exitCode = 0;
      },
    );

  groups
    .command('skip')
    .description('create no cloud group for a group (its members still migrate)')
    .argument('<group>', 'the source group: NAME for every source, or SOURCE:NAME')
    .option('--reason <text>', 'why (kept in the decision log)')
    .option('--force', 'change decisions that an applied plan already used')
    .option('--workspace <dir>', WORKSPACE_HELP)
    .action((group: string, options: ChangeOptions) => {
      withEstate(options.workspace, ({ workspace, estate, decisions }) => {
        print(decideGroup(workspace.db, estate, decisions, { group, action: 'skip' }, context(options)));
      });
      process.exitCode = 0;
    });

  groups
    .command('create')
    .description('back to the default: the group becomes a cloud group of its own name (removes the decision)')
    .argument('<group>', 'the source group: NAME (removes its decisions in every source) or SOURCE:NAME')
    .option('--reason <text>', 'why (kept in the decision log)')
    .option('--force', 'change decisions that an applied plan already used')
    .option('--workspace <dir>', WORKSPACE_HELP)
    .action((group: string, options: ChangeOptions) => {
      withEstate(options.workspace, ({ workspace, estate, decisions }) => {
        print(decideGroup(workspace.db, estate, decisions, { group, action: 'create' }, context(options)));
      });
      process.exitCode = 0;
    });
}
