/**
 * `usermig groups`: list the groups with what they grant and what will happen to them, and decide per
 * group (RULES.md GR-01..05, P2, §6 S-05, S-06, S-14): map into a cloud group (an explicit consent to
 * merge), rename (one, or in bulk), skip, or create (back to the default). A group is named `name` for
 * every source that has it, or `source:name` for one. All changes of a command apply together or not at all.
 */
import type { Command } from 'commander';
import type { Estate } from '../assess/estate.js';
import { cloudGroups } from '../decide/cloud-group-names.js';
import {
  cloudNameProblem,
  describeCollisions,
  describeGroupRef,
  groupsOf,
  listGroups,
  parseGroupRef,
  planBulkRename,
  renameCollisions,
  withInputs,
  type GroupListEntry,
  type GroupRef,
} from '../decide/groups.js';
import type { Decisions } from '../model/decision.js';
import { usageError } from '../model/errors.js';
import { isBlocklistedGroup } from '../model/names.js';
import { saveGroupDecisions, type GroupDecisionInput } from '../workspace/decision-store.js';
import type { Workspace } from '../workspace/workspace.js';
import { withEstate } from './workspace-estate.js';

const out = (text: string) => void process.stdout.write(`${text}\n`);
const WORKSPACE_HELP = 'workspace folder (default ./.usermig or USERMIG_WORKSPACE)';
const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

interface ChangeOptions {
  workspace?: string;
  reason?: string;
  force?: boolean;
}

/** Resolves a group named on the command line; unknown groups are a usage error. */
function resolveGroup(estate: Estate, text: string, decisions?: Decisions): GroupRef {
  const sourceNames = estate.sources.map((source) => source.name);
  const ref = parseGroupRef(text.trim(), sourceNames);
  if (ref.name === '') throw usageError(`"${text}" does not name a group`);
  const found = groupsOf(estate, ref);
  if (found.length > 0) return { ...ref, name: found[0]!.group.name };
  const decided = decisions?.groups.some((d) => d.source === ref.source && d.group === ref.name.toLowerCase());
  if (decided) return ref;
  const where = ref.source === '*' ? `any source (${sourceNames.join(', ')})` : ref.source;
  throw usageError(
    `there is no group "${ref.name}" in ${where}; usermig groups list shows the groups${ref.source === '*' && text.includes(':') ? ', and SOURCE:GROUP names one source' : ''}`,
  );
}

function refuseBlocklisted(ref: GroupRef, what: string): void {
  if (isBlocklistedGroup(ref.name)) {
    throw usageError(`${describeGroupRef(ref)} is blocklisted: the cloud never creates it whatever the decision (S-06), so it cannot be ${what}`);
  }
}

const save = (workspace: Workspace, inputs: GroupDecisionInput[], options: ChangeOptions): number =>
  saveGroupDecisions(workspace.db, inputs, { reason: options.reason, force: options.force });

const changedText = (changed: number) => (changed === 0 ? 'nothing changed (already decided so)' : `${plural(changed, 'decision')} changed`);

/** Notes the per-source decisions that still win over a decision for every source. */
function shadowingNotes(ref: GroupRef, decisions: Decisions): string[] {
  if (ref.source !== '*') return [];
  const lower = ref.name.toLowerCase();
  return decisions.groups
    .filter((d) => d.source !== '*' && d.group === lower)
    .map((d) => `note: ${d.source}:${ref.name} has its own decision (${d.action}${d.value ? ` ${d.value}` : ''}), which still applies there`);
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
        const ref = resolveGroup(estate, group);
        refuseBlocklisted(ref, 'mapped');
        const target = options.to.trim();
        const problem = cloudNameProblem(target);
        if (problem) throw usageError(`cannot map ${describeGroupRef(ref)} into "${options.to}": ${problem}`);
        const inputs: GroupDecisionInput[] = [{ source: ref.source, group: ref.name, action: 'map', value: target }];
        const changed = save(workspace, inputs, options);
        const mine = groupsOf(estate, ref).map(({ group: g }) => g);
        const together = (cloudGroups(estate, withInputs(decisions.groups, inputs)).get(target.toLowerCase()) ?? [])
          .filter(({ group: g }) => !mine.includes(g))
          .map(({ source, group: g }) => `${source.name}:${g.name}`);
        out(
          `${describeGroupRef(ref)} merges into the cloud group ${target}` +
            (together.length > 0 ? ` together with ${together.join(', ')}` : ' (no group of the estate has that name: it must exist in the cloud)') +
            `: ${changedText(changed)}`,
        );
        for (const note of shadowingNotes(ref, decisions)) out(note);
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
    .option('--reason <text>', 'why (kept in the decision log)')
    .option('--force', 'change decisions that an applied plan already used')
    .option('--workspace <dir>', WORKSPACE_HELP)
    .action(
      (
        group: string | undefined,
        newName: string | undefined,
        options: ChangeOptions & { prefix?: string; suffix?: string; regex?: string; replace?: string; match?: string; source?: string },
      ) => {
        const bulk = options.prefix !== undefined || options.suffix !== undefined || options.regex !== undefined;
        withEstate(options.workspace, ({ workspace, estate, decisions }) => {
          let inputs: GroupDecisionInput[];
          if (bulk) {
            if (group !== undefined) throw usageError('a bulk rename (--prefix, --suffix, --regex) takes no group names');
            if (options.regex !== undefined && (options.prefix !== undefined || options.suffix !== undefined)) {
              throw usageError('use either --regex/--replace or --prefix/--suffix, not both');
            }
            if (options.regex !== undefined && options.replace === undefined) throw usageError('--regex needs --replace');
            if (options.prefix === '' || options.suffix === '' || options.regex === '') throw usageError('--prefix, --suffix and --regex need some text');
            if (options.source !== undefined && !estate.sources.some((s) => s.name === options.source)) {
              throw usageError(`there is no source "${options.source}" (sources: ${estate.sources.map((s) => s.name).join(', ')})`);
            }
            const plan = planBulkRename(estate, decisions.groups, options);
            if (plan.problems.length > 0) throw usageError(`cannot rename; nothing was changed:\n${plan.problems.map((p) => `  ${p}`).join('\n')}`);
            if (plan.keptDecisions.length > 0) out(`left alone (a map or skip decision applies): ${plan.keptDecisions.join(', ')}`);
            if (plan.inputs.length === 0) {
              out('no group matches');
              return;
            }
            inputs = plan.inputs;
          } else {
            if (options.replace !== undefined || options.match !== undefined || options.source !== undefined) {
              throw usageError('--replace, --match and --source go with a bulk rename (--prefix, --suffix or --regex)');
            }
            if (group === undefined || newName === undefined) throw usageError('groups rename needs OLD NEW, or --prefix, --suffix or --regex/--replace');
            const ref = resolveGroup(estate, group);
            refuseBlocklisted(ref, 'renamed');
            const value = newName.trim();
            const problem = cloudNameProblem(value);
            if (problem) throw usageError(`cannot rename ${describeGroupRef(ref)} to "${newName}": ${problem}`);
            // Renaming a group to its own name is the default: no decision.
            inputs = [value === ref.name ? { source: ref.source, group: ref.name, action: 'create' } : { source: ref.source, group: ref.name, action: 'rename', value }];
          }
          const collisions = renameCollisions(estate, decisions.groups, inputs);
          if (collisions.length > 0) {
            throw usageError(
              `the new names collide with other cloud groups (names compare case-insensitively, and a rename never merges groups); nothing was changed:\n${describeCollisions(collisions)}\n` +
                'Choose other names, or merge on purpose with usermig groups map GROUP --to CLOUD_GROUP.',
            );
          }
          const changed = save(workspace, inputs, options);
          const shown = inputs
            .slice(0, 20)
            .map((input) => `  ${describeGroupRef({ source: input.source, name: input.group })} → ${input.action === 'create' ? `${input.group} (its own name again)` : input.value}`);
          if (inputs.length > 20) shown.push(`  … and ${inputs.length - 20} more`);
          out(`${shown.join('\n')}\n${changedText(changed)}`);
          if (!bulk) for (const note of shadowingNotes({ source: inputs[0]!.source, name: inputs[0]!.group }, decisions)) out(note);
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
        const ref = resolveGroup(estate, group);
        const changed = save(workspace, [{ source: ref.source, group: ref.name, action: 'skip' }], options);
        out(`${describeGroupRef(ref)} is skipped: ${changedText(changed)}`);
        if (isBlocklistedGroup(ref.name)) out('note: it is blocklisted, so it was never going to be created (S-06)');
        for (const note of shadowingNotes(ref, decisions)) out(note);
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
        const ref = resolveGroup(estate, group, decisions);
        const lower = ref.name.toLowerCase();
        const inputs: GroupDecisionInput[] = decisions.groups
          .filter((d) => d.group === lower && (ref.source === '*' || d.source === ref.source))
          .map((d) => ({ source: d.source, group: ref.name, action: 'create' }));
        const changed = inputs.length === 0 ? 0 : save(workspace, inputs, options);
        out(`${describeGroupRef(ref)} is created under its own name: ${changedText(changed)}`);
      });
      process.exitCode = 0;
    });
}
