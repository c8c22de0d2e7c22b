/**
 * The Users page: GET /api/users (filtered, sorted, paged on the server from the in-memory index, with
 * facet counts), GET /api/users/:id (findings, references, groups, decision and history), and
 * PUT /api/users/:id/decision (the same checks and messages as `usermig users decide`).
 */
import type { Hono } from 'hono';
import type { EffectiveUser } from '../../assess/estate.js';
import { describeRef, refKey } from '../../decide/identities.js';
import { decideUser } from '../../decide/user-decision.js';
import { userFacts } from '../../decide/user-facts.js';
import { fixUsers } from '../../decide/user-fix.js';
import { USER_ACTIONS, type UserDecision } from '../../model/decision.js';
import { usageError } from '../../model/errors.js';
import { describeUserDecision, readDecisionLog } from '../../workspace/decision-store.js';
import type {
  DecisionHistoryEntry,
  UserDecisionResponse,
  UserDecisionView,
  UserDetailResponse,
  UserFinding,
  UserIdentity,
  UserReferences,
  UsersFixResponse,
} from '../api-types.js';
import { notFound } from '../api-error.js';
import type { ServeContext } from '../context.js';
import type { Loaded } from '../live-workspace.js';
import { booleanQuery, choiceQuery, jsonBody, optionalBoolean, optionalString, paging } from '../paging.js';
import { parseUserId, userId } from '../user-index.js';

const DECISION_FILTERS = ['none', ...USER_ACTIONS] as const;
const SORTS = ['username', 'email', 'displayName'] as const;

export function findUser(loaded: Loaded, id: string): EffectiveUser {
  const index = loaded.users.find(id);
  if (index === undefined) {
    const ref = parseUserId(id);
    throw notFound(ref ? `no user with the key ${ref.userKey} in the source ${ref.source}` : `"${id}" is not a user id`);
  }
  return loaded.users.users[index]!;
}

const userRefOf = (ref: { source: string; userKey: string; userName: string }) => ({ id: userId(ref), source: ref.source, username: ref.userName });

export function decisionView(decision: UserDecision | undefined): UserDecisionView | null {
  if (!decision) return null;
  return {
    action: decision.action,
    newEmail: decision.newEmail,
    target: decision.target ? userRefOf(decision.target) : null,
    decidedBy: decision.decidedBy,
    decidedAt: decision.decidedAt,
    reason: decision.reason,
    appliedAt: decision.appliedAt,
    text: describeUserDecision(decision),
  };
}

export const historyOf = (entries: ReturnType<typeof readDecisionLog>): DecisionHistoryEntry[] =>
  entries.map((entry) => ({ at: entry.at, by: entry.by, decision: entry.decision, previous: entry.previous, reason: entry.reason }));

/** The findings that concern the user, as the users index found them (the same as its finding filter). */
function userFindings(loaded: Loaded, user: EffectiveUser): UserFinding[] {
  return loaded.users.concerns(loaded.users.find(userId(user))!).map(({ finding, subject }) => ({
    code: finding.code,
    severity: finding.severity,
    message: finding.message,
    ...(subject.detail ? { detail: subject.detail } : {}),
    resolved: finding.resolved ?? false,
  }));
}

function references(loaded: Loaded, user: EffectiveUser, facts: ReturnType<typeof userFacts>): UserReferences[] {
  const source = loaded.estate.sources.find((s) => s.name === user.source)!;
  const rows: UserReferences[] = [];
  if (facts.references.count > 0) rows.push({ kind: 'data', count: facts.references.count, examples: facts.references.example ? [facts.references.example] : [] });
  const owned = new Map<string, string[]>();
  for (const object of source.ownedObjects) {
    if (object.userKey !== user.userKey) continue;
    const list = owned.get(object.kind) ?? [];
    list.push(object.item);
    owned.set(object.kind, list);
  }
  for (const [kind, items] of owned) rows.push({ kind: `owned ${kind}`, count: items.length, examples: items.slice(0, 5) });
  return rows;
}

function identitiesOf(loaded: Loaded, user: EffectiveUser): UserIdentity[] {
  const row = (u: EffectiveUser): UserIdentity => {
    const i = loaded.users.find(userId(u))!;
    const r = loaded.users.row(i);
    return { id: r.id, source: u.source, username: u.userName, key: u.userKey, email: u.rawEmail, active: u.active, directory: r.directory };
  };
  const same: UserIdentity[] = [row(user)];
  if (user.email.valid) {
    for (const source of loaded.estate.sources) {
      if (source.name === user.source) continue;
      for (const other of source.users) if (other.email.normalised === user.email.normalised) same.push(row(other));
    }
  }
  return same;
}

export function userDetail(ctx: ServeContext, loaded: Loaded, user: EffectiveUser): UserDetailResponse {
  const facts = userFacts(loaded.estate, loaded.identities(), user);
  const row = loaded.users.row(loaded.users.find(userId(user))!);
  return {
    user: {
      ...row,
      key: user.userKey,
      updated: user.updated,
      emailValid: user.email.valid,
      identities: identitiesOf(loaded, user),
      becomes: {
        outcome: facts.becomes.outcome,
        email: facts.becomes.email,
        mergedInto: facts.becomes.mergedInto ? userRefOf(facts.becomes.mergedInto) : null,
        text: facts.becomes.text,
      },
    },
    findings: userFindings(loaded, user),
    references: references(loaded, user, facts),
    groups: { direct: facts.direct, nested: facts.nested },
    decision: decisionView(loaded.decisions.users.find((d) => refKey(d) === refKey(user))),
    history: historyOf(readDecisionLog(ctx.live.db, describeRef(user))),
  };
}

export function usersRoutes(app: Hono, ctx: ServeContext): void {
  app.get('/api/users', (c) => {
    const { offset, limit } = paging(c);
    const filter = {
      q: c.req.query('q') || undefined,
      finding: c.req.query('finding') || undefined,
      source: c.req.query('source') || undefined,
      directory: c.req.query('directory') || undefined,
      active: booleanQuery(c, 'active'),
      decision: choiceQuery(c, 'decision', DECISION_FILTERS),
    };
    const sort = choiceQuery(c, 'sort', SORTS) ?? 'username';
    return c.json(ctx.live.current().users.query(filter, sort, offset, limit));
  });

  app.post('/api/users/fix', async (c) => {
    const body = await jsonBody(c);
    const loaded = ctx.live.current();
    const reason = optionalString(body, 'reason');
    const fix = fixUsers(
      ctx.live.db,
      loaded.estate,
      loaded.decisions,
      {
        invalid: optionalString(body, 'invalid'),
        duplicated: optionalString(body, 'duplicated'),
        emailTemplate: optionalString(body, 'emailTemplate'),
        emailDomain: optionalString(body, 'emailDomain'),
        dryRun: optionalBoolean(body, 'dryRun'),
      },
      reason !== undefined ? { reason } : {},
    );
    const answer: UsersFixResponse = {
      saved: fix.saved,
      summary: fix.summary,
      merges: fix.merges,
      decisions: fix.inputs.slice(0, 1000).map((input) => ({ id: userId(input.user), user: `${input.user.source}:${input.user.userName}`, text: describeUserDecision(input) })),
      total: fix.inputs.length,
      message: fix.lines.at(-1) ?? '',
    };
    return c.json(answer);
  });

  app.get('/api/users/:id', (c) => {
    const loaded = ctx.live.current();
    return c.json(userDetail(ctx, loaded, findUser(loaded, c.req.param('id'))));
  });

  app.put('/api/users/:id/decision', async (c) => {
    const body = await jsonBody(c);
    const action = optionalString(body, 'action');
    if (action === undefined) throw usageError(`action is needed: one of ${[...USER_ACTIONS, 'clear'].join(', ')}`);
    let value = optionalString(body, 'value');
    const reason = optionalString(body, 'reason');
    const force = optionalBoolean(body, 'force');
    const loaded = ctx.live.current();
    const user = findUser(loaded, c.req.param('id'));
    // merge-into may name the survivor by its id, as the page knows it.
    if (action === 'merge-into' && value !== undefined && loaded.users.find(value) !== undefined) value = describeRef(loaded.users.users[loaded.users.find(value)!]!);
    const decided = decideUser(ctx.live.db, loaded.estate, loaded.decisions, user, action, value, {
      ...(reason !== undefined ? { reason } : {}),
      ...(force !== undefined ? { force } : {}),
    });
    const after = ctx.live.current();
    const answer: UserDecisionResponse = {
      id: userId(user),
      decision: decisionView(after.decisions.users.find((d) => refKey(d) === refKey(user))),
      changed: decided.changed,
      message: decided.message,
    };
    return c.json(answer);
  });
}
