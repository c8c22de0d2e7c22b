/**
 * Deciding for a group, as `usermig groups map|rename|skip|create` and the dashboard's Groups page both do
 * (RULES.md GR-01..05, P2, §6 S-05, S-06, S-14): the group resolved (NAME for every source, SOURCE:NAME for
 * one), blocklisted groups refused for map and rename, cloud names checked, renames checked for
 * collisions, then saved together or not at all. The messages are the CLI's.
 */
import type { Estate } from '../assess/estate.js';
import type { Decisions } from '../model/decision.js';
import { usageError } from '../model/errors.js';
import { isBlocklistedGroup } from '../model/names.js';
import { saveGroupDecisions, type DecisionContext, type GroupDecisionInput } from '../workspace/decision-store.js';
import type { Db } from '../workspace/workspace.js';
import { cloudGroups } from './cloud-group-names.js';
import { cloudNameProblem, describeCollisions, describeGroupRef, groupsOf, parseGroupRef, planBulkRename, renameCollisions, withInputs, type BulkRename, type GroupRef } from './groups.js';

export const GROUP_ACTIONS = ['map', 'rename', 'skip', 'create'] as const;
export type GroupActionRequest = (typeof GROUP_ACTIONS)[number];

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
const changedText = (changed: number) => (changed === 0 ? 'nothing changed (already decided so)' : `${plural(changed, 'decision')} changed`);

/** Resolves a group named by the administrator; unknown groups are a usage error (decided ones may be named for create). */
export function resolveGroup(estate: Estate, text: string, decisions?: Decisions): GroupRef {
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

/** Notes the per-source decisions that still win over a decision for every source. */
export function shadowingNotes(ref: GroupRef, decisions: Decisions): string[] {
  if (ref.source !== '*') return [];
  const lower = ref.name.toLowerCase();
  return decisions.groups
    .filter((d) => d.source !== '*' && d.group === lower)
    .map((d) => `note: ${d.source}:${ref.name} has its own decision (${d.action}${d.value ? ` ${d.value}` : ''}), which still applies there`);
}

export interface GroupDecided {
  /** What `groups map|rename|skip|create` prints. */
  message: string;
  changed: number;
  notes: string[];
  /** A bulk rename: each group's new cloud name (`null`: its own name again). */
  renames?: Array<{ group: string; source: string; to: string | null }>;
}

/**
 * Saves renames after checking that the new names collide with no other cloud group; the message lists them.
 * A dry run checks the same and lists the same, and saves nothing.
 */
export function saveGroupRenames(db: Db, estate: Estate, decisions: Decisions, inputs: GroupDecisionInput[], context: DecisionContext, dryRun = false): GroupDecided {
  const collisions = renameCollisions(estate, decisions.groups, inputs);
  if (collisions.length > 0) {
    throw usageError(
      `the new names collide with other cloud groups (names compare case-insensitively, and a rename never merges groups); nothing was changed:\n${describeCollisions(collisions)}\n` +
        'Choose other names, or merge on purpose with usermig groups map GROUP --to CLOUD_GROUP.',
    );
  }
  const changed = dryRun ? inputs.length : saveGroupDecisions(db, inputs, context);
  const shown = inputs
    .slice(0, 20)
    .map((input) => `  ${describeGroupRef({ source: input.source, name: input.group })} → ${input.action === 'create' ? `${input.group} (its own name again)` : input.value}`);
  if (inputs.length > 20) shown.push(`  … and ${inputs.length - 20} more`);
  const outcome = dryRun ? `${inputs.length} ${inputs.length === 1 ? 'group' : 'groups'} would be renamed (a dry run: nothing was saved)` : changedText(changed);
  const renames = inputs.map((input) => ({ group: input.group, source: input.source, to: input.action === 'create' ? null : (input.value ?? null) }));
  return { message: `${shown.join('\n')}\n${outcome}`, changed, notes: [], renames };
}

/** One group's decision: map into a cloud group, rename, skip, or create (back to the default). */
export function decideGroup(
  db: Db,
  estate: Estate,
  decisions: Decisions,
  request: { group: string; action: string; value?: string | undefined },
  context: DecisionContext,
): GroupDecided {
  const action = request.action as GroupActionRequest;
  if (!GROUP_ACTIONS.includes(action)) throw usageError(`"${request.action}" is not a group decision; use one of ${GROUP_ACTIONS.join(', ')}`);
  if ((action === 'skip' || action === 'create') && request.value !== undefined) throw usageError(`${action} takes no value`);
  switch (action) {
    case 'map': {
      const ref = resolveGroup(estate, request.group);
      refuseBlocklisted(ref, 'mapped');
      const target = (request.value ?? '').trim();
      const problem = cloudNameProblem(target);
      if (problem) throw usageError(`cannot map ${describeGroupRef(ref)} into "${request.value ?? ''}": ${problem}`);
      const inputs: GroupDecisionInput[] = [{ source: ref.source, group: ref.name, action: 'map', value: target }];
      const changed = saveGroupDecisions(db, inputs, context);
      const mine = groupsOf(estate, ref).map(({ group: g }) => g);
      const together = (cloudGroups(estate, withInputs(decisions.groups, inputs)).get(target.toLowerCase()) ?? [])
        .filter(({ group: g }) => !mine.includes(g))
        .map(({ source, group: g }) => `${source.name}:${g.name}`);
      return {
        message:
          `${describeGroupRef(ref)} merges into the cloud group ${target}` +
          (together.length > 0 ? ` together with ${together.join(', ')}` : ' (no group of the estate has that name: it must exist in the cloud)') +
          `: ${changedText(changed)}`,
        changed,
        notes: shadowingNotes(ref, decisions),
      };
    }
    case 'rename': {
      if (request.value === undefined) throw usageError('groups rename needs OLD NEW, or --prefix, --suffix or --regex/--replace');
      const ref = resolveGroup(estate, request.group);
      refuseBlocklisted(ref, 'renamed');
      const value = request.value.trim();
      const problem = cloudNameProblem(value);
      if (problem) throw usageError(`cannot rename ${describeGroupRef(ref)} to "${request.value}": ${problem}`);
      // Renaming a group to its own name is the default: no decision.
      const inputs: GroupDecisionInput[] = [value === ref.name ? { source: ref.source, group: ref.name, action: 'create' } : { source: ref.source, group: ref.name, action: 'rename', value }];
      const saved = saveGroupRenames(db, estate, decisions, inputs, context);
      return { ...saved, notes: shadowingNotes(ref, decisions) };
    }
    case 'skip': {
      const ref = resolveGroup(estate, request.group);
      const changed = saveGroupDecisions(db, [{ source: ref.source, group: ref.name, action: 'skip' }], context);
      const notes = [
        ...(isBlocklistedGroup(ref.name) ? ['note: it is blocklisted, so it was never going to be created (S-06)'] : []),
        ...shadowingNotes(ref, decisions),
      ];
      return { message: `${describeGroupRef(ref)} is skipped: ${changedText(changed)}`, changed, notes };
    }
    case 'create': {
      const ref = resolveGroup(estate, request.group, decisions);
      const lower = ref.name.toLowerCase();
      const inputs: GroupDecisionInput[] = decisions.groups
        .filter((d) => d.group === lower && (ref.source === '*' || d.source === ref.source))
        .map((d) => ({ source: d.source, group: ref.name, action: 'create' }));
      const changed = inputs.length === 0 ? 0 : saveGroupDecisions(db, inputs, context);
      return { message: `${describeGroupRef(ref)} is created under its own name: ${changedText(changed)}`, changed, notes: [] };
    }
  }
}

/**
 * A bulk rename (`groups rename --prefix|--suffix|--regex/--replace [--match] [--source]`): checked, planned,
 * checked for collisions and saved together, or not at all. The notes name the groups left alone.
 */
export function bulkRenameGroups(db: Db, estate: Estate, decisions: Decisions, spec: BulkRename, context: DecisionContext, dryRun = false): GroupDecided {
  if (spec.prefix === undefined && spec.suffix === undefined && spec.regex === undefined) throw usageError('a bulk rename needs --prefix, --suffix or --regex/--replace');
  if (spec.regex !== undefined && (spec.prefix !== undefined || spec.suffix !== undefined)) throw usageError('use either --regex/--replace or --prefix/--suffix, not both');
  if (spec.regex !== undefined && spec.replace === undefined) throw usageError('--regex needs --replace');
  if (spec.prefix === '' || spec.suffix === '' || spec.regex === '') throw usageError('--prefix, --suffix and --regex need some text');
  if (spec.source !== undefined && !estate.sources.some((s) => s.name === spec.source)) {
    throw usageError(`there is no source "${spec.source}" (sources: ${estate.sources.map((s) => s.name).join(', ')})`);
  }
  const plan = planBulkRename(estate, decisions.groups, spec);
  if (plan.problems.length > 0) throw usageError(`cannot rename; nothing was changed:\n${plan.problems.map((p) => `  ${p}`).join('\n')}`);
  const notes = plan.keptDecisions.length > 0 ? [`left alone (a map or skip decision applies): ${plan.keptDecisions.join(', ')}`] : [];
  if (plan.inputs.length === 0) return { message: 'no group matches', changed: 0, notes, renames: [] };
  return { ...saveGroupRenames(db, estate, decisions, plan.inputs, context, dryRun), notes };
}
