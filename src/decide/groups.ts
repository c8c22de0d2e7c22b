/**
 * Group decisions as pure functions (RULES.md GR-01..05, P2, §6 S-05, S-06, S-14): naming a group on the
 * command line (`name` for every source, `source:name` for one), what `usermig groups list` shows, the
 * renames of a bulk rename, and the collisions a rename would cause. Renaming never merges groups: a
 * rename onto another group's cloud name is a collision; merging is what `map` is for (an explicit consent).
 */
import { adminGroups, productAccessGroups } from '../assess/access.js';
import { isNatural, spellingsOf, unconsentedMerges } from '../assess/checks/group-identity.js';
import type { Estate, SourceEstate, SourceGroup } from '../assess/estate.js';
import type { GroupAction } from '../model/decision.js';
import { isBlocklistedGroup } from '../model/names.js';
import type { GroupDecisionInput } from '../workspace/decision-store.js';
import { cloudGroupNames, cloudGroups, groupOccurrences, type CloudNameVia, type GroupDecisionLike } from './cloud-group-names.js';

export const MAX_GROUP_NAME = 255;

/** A group as named on the command line: for one source, or '*' for every source that has it. */
export interface GroupRef {
  source: string;
  name: string;
}

export const describeGroupRef = (ref: GroupRef): string => (ref.source === '*' ? ref.name : `${ref.source}:${ref.name}`);

/** `source:name` when the prefix is a source of the workspace, else the whole text is the name (for every source). */
export function parseGroupRef(text: string, sourceNames: readonly string[]): GroupRef {
  const colon = text.indexOf(':');
  if (colon > 0) {
    const source = text.slice(0, colon);
    if (sourceNames.includes(source)) return { source, name: text.slice(colon + 1) };
  }
  return { source: '*', name: text };
}

/** The source groups a reference names (empty when none). */
export function groupsOf(estate: Estate, ref: GroupRef): Array<{ source: SourceEstate; group: SourceGroup }> {
  const lower = ref.name.toLowerCase();
  const result: Array<{ source: SourceEstate; group: SourceGroup }> = [];
  for (const source of estate.sources) {
    if (ref.source !== '*' && source.name !== ref.source) continue;
    const group = source.groupsByLowerName.get(lower);
    if (group) result.push({ source, group });
  }
  return result;
}

/** Why a name cannot be a cloud group usermig creates or writes, or null when it can. */
export function cloudNameProblem(name: string): string | null {
  if (name.trim() === '') return 'a cloud group name cannot be empty';
  if (name.length > MAX_GROUP_NAME) return `"${name.slice(0, 40)}…" is ${name.length} characters long; a cloud group name has at most ${MAX_GROUP_NAME}`;
  if (name !== name.trim()) return `"${name}" starts or ends with white space`;
  if (isBlocklistedGroup(name)) return `${name} is a blocklisted cloud group: usermig never creates or writes it (S-06)`;
  return null;
}

/** The decisions once the inputs apply ('create' removes one). */
export function withInputs(decisions: readonly GroupDecisionLike[], inputs: readonly GroupDecisionInput[]): GroupDecisionLike[] {
  const byKey = new Map<string, GroupDecisionLike>();
  const key = (source: string, group: string) => `${source}\u0000${group.toLowerCase()}`;
  for (const decision of decisions) byKey.set(key(decision.source, decision.group), decision);
  for (const input of inputs) {
    const k = key(input.source, input.group);
    if (input.action === 'create') byKey.delete(k);
    else byKey.set(k, { source: input.source, group: input.group.toLowerCase(), action: input.action, value: input.value ?? null });
  }
  return [...byKey.values()];
}

// --- groups list -------------------------------------------------------------------------------------

export interface GroupListSource {
  source: string;
  name: string;
  spellings: string[];
  directMembers: number;
  flattenedMembers: number;
  children: string[];
  /** Products the group grants access to (S-09). */
  productAccess: string[];
  /** Administration permissions it holds (S-10). */
  admin: string[];
  /** Other grants naming it: scheme, role, space and other global permissions. */
  otherGrants: number;
  /** The cloud group it becomes or joins after decisions; null when skipped. */
  cloudName: string | null;
  via: CloudNameVia;
  decision: { source: string; action: GroupAction; value: string | null } | null;
}

export type GroupFlag = 'blocklisted' | 'case-collision' | 'merged-across-products' | 'merge-consented' | 'skipped';

export interface GroupListEntry {
  /** The first spelling seen. */
  name: string;
  /** Every spelling over all sources. */
  spellings: string[];
  sources: GroupListSource[];
  flags: GroupFlag[];
  /** The decisions stored for the name: for every source ('*') and per source. */
  decisions: Array<{ source: string; action: GroupAction; value: string | null }>;
}

const ACCESS_PERMISSIONS = new Set(['USE', 'USECONFLUENCE', 'LICENSED_USER', 'PROJECT_CREATE', 'ADMIN', 'SYS_ADMIN']);

function grantsBySource(source: SourceEstate) {
  const access = productAccessGroups(source);
  const admin = adminGroups(source);
  const grants = new Map<string, SourceEstate['grants']>();
  for (const grant of source.grants) {
    if (grant.subjectType !== 'group') continue;
    const lower = grant.subject.toLowerCase();
    const list = grants.get(lower);
    if (list) list.push(grant);
    else grants.set(lower, [grant]);
  }
  return (group: SourceGroup) => {
    const productAccess = [...access].filter(([, groups]) => groups.has(group.lowerName)).map(([product]) => product as string);
    const adminPermissions = admin.get(group) ?? [];
    let other = 0;
    for (const grant of grants.get(group.lowerName) ?? []) {
      const isAccess =
        (grant.scope === 'application' && productAccess.includes(grant.permission)) ||
        (grant.scope === 'global' && productAccess.length > 0 && ACCESS_PERMISSIONS.has(grant.permission));
      const isAdmin = grant.scope === 'global' && adminPermissions.includes(grant.permission);
      if (!isAccess && !isAdmin) other++;
    }
    return { productAccess, admin: adminPermissions, otherGrants: other };
  };
}

/** One entry per source group name (case-insensitive over all sources), sorted by name. */
export function listGroups(estate: Estate, decisions: readonly GroupDecisionLike[]): GroupListEntry[] {
  const groups = cloudGroups(estate, decisions);
  const merges = unconsentedMerges(estate, decisions);
  const grantsOf = new Map(estate.sources.map((source) => [source, grantsBySource(source)]));
  const decisionsByName = new Map<string, GroupListEntry['decisions']>();
  for (const decision of decisions) {
    const lower = decision.group.toLowerCase();
    const list = decisionsByName.get(lower) ?? [];
    list.push({ source: decision.source, action: decision.action, value: decision.value });
    decisionsByName.set(lower, list);
  }
  const entries = new Map<string, GroupListEntry>();
  for (const occurrence of groupOccurrences(estate, decisions)) {
    const { source, group, cloud } = occurrence;
    let entry = entries.get(group.lowerName);
    if (!entry) {
      entry = { name: group.name, spellings: [], sources: [], flags: [], decisions: decisionsByName.get(group.lowerName) ?? [] };
      entries.set(group.lowerName, entry);
    }
    for (const spelling of group.spellings) if (!entry.spellings.includes(spelling)) entry.spellings.push(spelling);
    entry.sources.push({
      source: source.name,
      name: group.name,
      spellings: group.spellings,
      directMembers: group.directUsers.size,
      flattenedMembers: source.flattened(group).size,
      children: [...group.children].map((child) => source.groups[child]!.name).sort((a, b) => a.localeCompare(b)),
      ...grantsOf.get(source)!(group),
      cloudName: cloud.name,
      via: cloud.via,
      decision: cloud.decision ? { source: cloud.decision.source, action: cloud.decision.action, value: cloud.decision.value } : null,
    });
    const flags = new Set<GroupFlag>(entry.flags);
    if (cloud.via === 'blocklisted') flags.add('blocklisted');
    if (cloud.via === 'skip') flags.add('skipped');
    if (cloud.name !== null) {
      const lower = cloud.name.toLowerCase();
      const together = groups.get(lower) ?? [];
      if (isNatural(occurrence) && spellingsOf(together).size > 1) flags.add('case-collision');
      if (isNatural(occurrence) && merges.get(lower)?.occurrences.some((o) => o.group === group)) flags.add('merged-across-products');
      if (!isNatural(occurrence) && together.length > 1) flags.add('merge-consented');
    }
    entry.flags = [...flags];
  }
  return [...entries.values()].sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()));
}

// --- renames -----------------------------------------------------------------------------------------

export interface BulkRename {
  prefix?: string;
  suffix?: string;
  /** Every match of it in the name is replaced by `replace` (case-insensitive). */
  regex?: string;
  replace?: string;
  /** Narrows --prefix / --suffix (and --regex) to the names it matches (case-insensitive). */
  match?: string;
  /** Rename only in this source (default: the name in every source). */
  source?: string;
}

export interface BulkRenamePlan {
  inputs: GroupDecisionInput[];
  /** Names left alone because a map or skip decision applies to them. */
  keptDecisions: string[];
  /** Names whose new name is not allowed, with why. */
  problems: string[];
}

export function compileRegex(text: string, what: string, flags = 'i'): RegExp | string {
  try {
    return new RegExp(text, flags);
  } catch (error) {
    return `${what} ${JSON.stringify(text)} is not a valid regular expression: ${(error as Error).message}`;
  }
}

/**
 * The renames of a bulk rename. New names derive from the source group's name (not its current cloud
 * name), so running the same command twice changes nothing. Blocklisted groups are never renamed.
 */
export function planBulkRename(estate: Estate, decisions: readonly GroupDecisionLike[], spec: BulkRename): BulkRenamePlan {
  const scope = spec.source ?? '*';
  const plan: BulkRenamePlan = { inputs: [], keptDecisions: [], problems: [] };
  const match = spec.match !== undefined ? compileRegex(spec.match, '--match') : null;
  const regex = spec.regex !== undefined ? compileRegex(spec.regex, '--regex') : null;
  for (const compiled of [match, regex]) if (typeof compiled === 'string') plan.problems.push(compiled);
  if (typeof match === 'string' || typeof regex === 'string') return plan;
  const replaceAll = spec.regex !== undefined ? new RegExp(spec.regex, 'gi') : null;
  const names = cloudGroupNames(decisions);
  const seen = new Set<string>();
  for (const source of estate.sources) {
    if (scope !== '*' && source.name !== scope) continue;
    for (const group of source.groups) {
      if (seen.has(group.lowerName) || isBlocklistedGroup(group.name)) continue;
      if (match && !match.test(group.name)) continue;
      if (regex && !regex.test(group.name)) continue;
      seen.add(group.lowerName);
      const ref = describeGroupRef({ source: scope, name: group.name });
      // A map or skip is a deliberate choice: a bulk rename does not overwrite it, nor decide for a name
      // whose every occurrence in scope is mapped or skipped by its own decision.
      const own = names.decisionFor(scope, group.name);
      const inScope = estate.sources.filter((s) => (scope === '*' || s.name === scope) && s.groupsByLowerName.has(group.lowerName));
      const effective = inScope.map((s) => names.decisionFor(s.name, group.name));
      const kept = own && own.action !== 'rename' ? own : effective.every((d) => d && d.action !== 'rename') ? effective[0] : null;
      if (kept) {
        plan.keptDecisions.push(`${ref} (${kept.action}${kept.value ? ` ${kept.value}` : ''})`);
        continue;
      }
      const value = replaceAll ? group.name.replace(replaceAll, spec.replace ?? '') : `${spec.prefix ?? ''}${group.name}${spec.suffix ?? ''}`;
      if (value === group.name) {
        // Back to its own name: that is no decision at all.
        if (own?.action === 'rename') plan.inputs.push({ source: scope, group: group.name, action: 'create' });
        continue;
      }
      const problem = cloudNameProblem(value);
      if (problem) plan.problems.push(`${ref} → "${value}": ${problem}`);
      else plan.inputs.push({ source: scope, group: group.name, action: 'rename', value });
    }
  }
  return plan;
}

export interface Collision {
  /** The cloud name several groups would share. */
  name: string;
  /** The groups, each with how it gets there. */
  groups: string[];
}

/**
 * The merges the inputs would cause: groups that end in one cloud group after the inputs apply although
 * they were in different cloud groups before, where at least one of them gets there by a rename of the
 * inputs. (Groups that already shared a cloud group keep sharing it; merging on purpose is `map`.)
 */
export function renameCollisions(estate: Estate, decisions: readonly GroupDecisionLike[], inputs: readonly GroupDecisionInput[]): Collision[] {
  const before = cloudGroupNames(decisions);
  const afterDecisions = withInputs(decisions, inputs);
  const after = cloudGroupNames(afterDecisions);
  const renamedNow = new Set(inputs.filter((input) => input.action === 'rename').map((input) => `${input.source}\u0000${input.group.toLowerCase()}`));
  const byName = new Map<string, Array<{ label: string; before: string; changed: boolean }>>();
  for (const source of estate.sources) {
    for (const group of source.groups) {
      const next = after.groupName(source.name, group);
      if (next.name === null) continue;
      const previous = before.groupName(source.name, group);
      const changed =
        next.via === 'rename' &&
        next.decision !== null &&
        renamedNow.has(`${next.decision.source}\u0000${next.decision.group.toLowerCase()}`) &&
        (previous.via !== 'rename' || previous.name !== next.name);
      const how = changed
        ? `renamed to ${next.name} by this command`
        : next.via === 'rename'
          ? `renamed to ${next.name} earlier`
          : next.via === 'map'
            ? `mapped into ${next.name}`
            : 'its own name';
      const lower = next.name.toLowerCase();
      const list = byName.get(lower) ?? [];
      list.push({ label: `${source.name}:${group.name} (${how})`, before: previous.name?.toLowerCase() ?? `\u0000${source.name}:${group.lowerName}`, changed });
      byName.set(lower, list);
    }
  }
  const collisions: Collision[] = [];
  for (const [lower, list] of byName) {
    if (!list.some((item) => item.changed)) continue;
    if (new Set(list.map((item) => item.before)).size < 2) continue;
    const name = inputs.find((input) => input.value?.toLowerCase() === lower)?.value ?? lower;
    collisions.push({ name, groups: list.map((item) => item.label) });
  }
  return collisions;
}

export const describeCollisions = (collisions: readonly Collision[]): string =>
  collisions.map((collision) => `  ${collision.name}: ${collision.groups.join(', ')}`).join('\n');
