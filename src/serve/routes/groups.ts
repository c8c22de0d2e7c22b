/**
 * The Groups page: GET /api/groups (sizes, grants, collisions across products and with the cloud,
 * blocklisted groups, decisions), GET /api/groups/:name (members sample, nesting, history), and
 * PUT /api/groups/decision (the same actions, checks and messages as `usermig groups map|rename|skip|create`).
 */
import type { Hono } from 'hono';
import { groupsCreatedByUsermig } from '../../apply/ledger.js';
import { bulkRenameGroups, decideGroup } from '../../decide/group-decision.js';
import { listGroups, type BulkRename, type GroupListEntry } from '../../decide/groups.js';
import { usageError } from '../../model/errors.js';
import { loadCloudRecord } from '../../workspace/cloud-record-store.js';
import { readDecisionLog } from '../../workspace/decision-store.js';
import type { GroupDecisionResponse, GroupDetailResponse, GroupFlag, GroupMemberSample, GroupRow, GroupsRenameResponse } from '../api-types.js';
import { notFound } from '../api-error.js';
import type { ServeContext } from '../context.js';
import type { Loaded } from '../live-workspace.js';
import { choiceQuery, jsonBody, optionalBoolean, optionalString, page, paging } from '../paging.js';
import { userId } from '../user-index.js';
import { historyOf } from './users.js';

const FLAGS: readonly GroupFlag[] = ['blocklisted', 'case-collision', 'merged-across-products', 'merge-consented', 'skipped', 'exists-in-cloud'];
const SAMPLE = 100;

/** Lower-case names of the cloud groups the workspace's record of the target holds that usermig did not create. */
function foreignCloudGroups(ctx: ServeContext): Set<string> {
  const record = loadCloudRecord(ctx.live.db, ctx.target);
  if (!record) return new Set();
  const ours = groupsCreatedByUsermig(ctx.live.db);
  return new Set(record.cloud.groups.map((g) => g.lower).filter((lower) => !ours.has(lower)));
}

function groupRow(entry: GroupListEntry, foreign: ReadonlySet<string>): GroupRow {
  const cloudNames = [...new Set(entry.sources.map((s) => s.cloudName).filter((name): name is string => name !== null))];
  const flags: GroupFlag[] = [...entry.flags];
  if (cloudNames.some((name) => foreign.has(name.toLowerCase()))) flags.push('exists-in-cloud');
  const grants: string[] = [];
  for (const s of entry.sources) {
    for (const product of s.productAccess) grants.push(`${s.source}: product access ${product}`);
    for (const admin of s.admin) grants.push(`${s.source}: admin ${admin}`);
    if (s.otherGrants > 0) grants.push(`${s.source}: ${s.otherGrants} other grant${s.otherGrants === 1 ? '' : 's'}`);
  }
  return {
    name: entry.name,
    sources: entry.sources.map((s) => ({
      source: s.source,
      name: s.name,
      spellings: s.spellings,
      direct: s.directMembers,
      flattened: s.flattenedMembers,
      children: s.children,
      productAccess: s.productAccess,
      admin: s.admin,
      otherGrants: s.otherGrants,
      cloudName: s.cloudName,
      via: s.via,
      decision: s.decision,
    })),
    cloudNames,
    direct: entry.sources.reduce((sum, s) => sum + s.directMembers, 0),
    flattened: entry.sources.reduce((sum, s) => sum + s.flattenedMembers, 0),
    grants,
    flags,
    decision: entry.decisions[0] ?? null,
    decisions: entry.decisions,
  };
}

/** The group list of a load, computed once per load. */
const lists = new WeakMap<Loaded, GroupListEntry[]>();
const groupList = (loaded: Loaded): GroupListEntry[] => {
  let list = lists.get(loaded);
  if (!list) lists.set(loaded, (list = listGroups(loaded.estate, loaded.decisions.groups)));
  return list;
};

function groupDetail(ctx: ServeContext, loaded: Loaded, entry: GroupListEntry): GroupDetailResponse {
  const lower = entry.name.toLowerCase();
  const sample: GroupMemberSample[] = [];
  let total = 0;
  const nesting: GroupDetailResponse['nesting'] = [];
  for (const source of loaded.estate.sources) {
    const group = source.groupsByLowerName.get(lower);
    if (!group) continue;
    const flattened = source.flattened(group);
    total += flattened.size;
    const direct = [...group.directUsers];
    const nested = [...flattened].filter((index) => !group.directUsers.has(index));
    for (const [via, indexes] of [['direct', direct], ['nested', nested]] as const) {
      for (const index of indexes) {
        if (sample.length >= SAMPLE) break;
        const user = source.users[index]!;
        sample.push({ id: userId(user), source: source.name, username: user.userName, email: user.rawEmail, active: user.active, via });
      }
    }
    nesting.push({
      source: source.name,
      children: [...group.children].map((child) => source.groups[child]!.name),
      parents: source.groups.filter((parent) => parent.children.has(group.index)).map((parent) => parent.name),
    });
  }
  const history = historyOf(readDecisionLog(ctx.live.db).filter((e) => e.subjectType === 'group' && (e.subject.toLowerCase() === lower || e.subject.toLowerCase().endsWith(`:${lower}`))));
  return { group: groupRow(entry, foreignCloudGroups(ctx)), members: { total, sample }, nesting, history };
}

export function groupsRoutes(app: Hono, ctx: ServeContext): void {
  app.get('/api/groups', (c) => {
    const loaded = ctx.live.current();
    const q = (c.req.query('q') ?? '').trim().toLowerCase();
    const flag = choiceQuery(c, 'flag', FLAGS);
    const foreign = foreignCloudGroups(ctx);
    const rows = groupList(loaded)
      .filter((entry) => q === '' || entry.spellings.some((s) => s.toLowerCase().includes(q)) || entry.sources.some((s) => s.cloudName?.toLowerCase().includes(q)))
      .map((entry) => groupRow(entry, foreign))
      .filter((row) => flag === undefined || row.flags.includes(flag));
    return c.json(page(rows, paging(c)));
  });

  app.get('/api/groups/:name', (c) => {
    const loaded = ctx.live.current();
    const name = c.req.param('name');
    const lower = name.toLowerCase();
    // By the group's name, else by the cloud name a decision gave it.
    const list = groupList(loaded);
    const entry = list.find((e) => e.name.toLowerCase() === lower) ?? list.find((e) => e.sources.some((s) => s.cloudName?.toLowerCase() === lower));
    if (!entry) throw notFound(`there is no group "${name}"; GET /api/groups lists them`);
    return c.json(groupDetail(ctx, loaded, entry));
  });

  app.put('/api/groups/rename', async (c) => {
    const body = await jsonBody(c);
    const spec: BulkRename = {};
    for (const name of ['prefix', 'suffix', 'regex', 'replace', 'match', 'source'] as const) {
      const value = optionalString(body, name);
      if (value !== undefined) spec[name] = value;
    }
    const reason = optionalString(body, 'reason');
    const force = optionalBoolean(body, 'force');
    const dryRun = optionalBoolean(body, 'dryRun') ?? false;
    const loaded = ctx.live.current();
    const context = { ...(reason !== undefined ? { reason } : {}), ...(force !== undefined ? { force } : {}) };
    const renamed = bulkRenameGroups(ctx.live.db, loaded.estate, loaded.decisions, spec, context, dryRun);
    const answer: GroupsRenameResponse = { message: renamed.message, changed: renamed.changed, notes: renamed.notes, renames: renamed.renames ?? [], dryRun };
    return c.json(answer);
  });

  app.put('/api/groups/decision', async (c) => {
    const body = await jsonBody(c);
    const group = optionalString(body, 'group');
    const action = optionalString(body, 'action');
    if (!group) throw usageError('group is needed');
    if (!action) throw usageError('action is needed: map, rename, skip or create');
    const source = optionalString(body, 'source');
    const value = optionalString(body, 'value');
    const reason = optionalString(body, 'reason');
    const force = optionalBoolean(body, 'force');
    const loaded = ctx.live.current();
    if (source !== undefined && !loaded.estate.sources.some((s) => s.name === source)) {
      throw usageError(`there is no source "${source}" (sources: ${loaded.estate.sources.map((s) => s.name).join(', ')})`);
    }
    if ((action === 'map' || action === 'rename') && value === undefined) throw usageError(`${action} needs a value: the ${action === 'map' ? 'cloud group to merge into' : 'new name'}`);
    const decided = decideGroup(ctx.live.db, loaded.estate, loaded.decisions, { group: source ? `${source}:${group}` : group, action, value }, {
      ...(reason !== undefined ? { reason } : {}),
      ...(force !== undefined ? { force } : {}),
    });
    const answer: GroupDecisionResponse = { message: decided.message, changed: decided.changed, notes: decided.notes };
    return c.json(answer);
  });
}
