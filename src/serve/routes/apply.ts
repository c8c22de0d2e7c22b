/**
 * The Apply page: POST /api/apply (202, one at a time), pause and resume, GET /api/apply (the current or
 * last run) and GET /api/apply/events (server-sent events: progress, error, state, done).
 */
import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { describeRunningApply, runningApply } from '../../apply/apply-lock.js';
import { checkPlanNotDone } from '../../apply/run-apply.js';
import { isUsermigError, usageError } from '../../model/errors.js';
import type { ApplyControlResponse, ApplyEvents, ApplyStarted, ApplyStatus } from '../api-types.js';
import { conflict } from '../api-error.js';
import type { ApplyListener } from '../apply-runner.js';
import type { ServeContext } from '../context.js';
import { jsonBody, optionalBoolean, optionalString } from '../paging.js';
import { findPlan } from '../plan-store.js';

const KEEP_ALIVE = 15_000;

/**
 * The last apply the workspace records (by the CLI, or before the server started): done when it finished,
 * running (elsewhere) while usermig apply runs it in another process, failed when it stopped halfway
 * (applying the plan again resumes it).
 */
function lastApplyOfWorkspace(ctx: ServeContext): ApplyStatus | undefined {
  const db = ctx.live.db;
  const last = db.prepare('SELECT plan_id, started_at, finished_at, target FROM applied_plans ORDER BY started_at DESC, plan_id DESC LIMIT 1').get() as
    | { plan_id: string; started_at: string; finished_at: string | null; target: string }
    | undefined;
  if (!last) return undefined;
  const counts = new Map(
    (db.prepare('SELECT state, count(*) AS n FROM ledger WHERE plan_id = ? GROUP BY state').all(last.plan_id) as Array<{ state: string; n: number }>).map((row) => [row.state, row.n]),
  );
  let total = [...counts.values()].reduce((sum, n) => sum + n, 0);
  try {
    total = findPlan(ctx.workspaceDir, last.plan_id).plan.operations.length;
  } catch {
    // The plan file is gone: the ledger's operations are what is known.
  }
  const done = (counts.get('done') ?? 0) + (counts.get('skipped') ?? 0);
  // Not finished, and its lock held by a live process: usermig apply is running it now, elsewhere.
  const holder = last.finished_at ? undefined : runningApply(ctx.workspaceDir);
  const elsewhere = holder && holder.plan === last.plan_id ? holder : undefined;
  return {
    run: `workspace:${last.plan_id}`,
    plan: last.plan_id,
    target: last.target,
    state: last.finished_at ? 'done' : elsewhere ? 'running' : 'failed',
    done,
    total,
    errors: counts.get('failed') ?? 0,
    rate: 0,
    etaSeconds: null,
    startedAt: last.started_at,
    finishedAt: last.finished_at,
    recentErrors: [],
    outcome: null,
    message: last.finished_at || elsewhere ? null : `the apply of ${last.plan_id} stopped after ${done} of ${total} operations; apply the plan again to resume it`,
    ...(elsewhere ? { elsewhere: { pid: elsewhere.pid, since: elsewhere.since } } : {}),
  };
}

export function applyRoutes(app: Hono, ctx: ServeContext): void {
  app.post('/api/apply', async (c) => {
    const body = await jsonBody(c);
    const id = optionalString(body, 'plan');
    if (!id) throw usageError('plan is needed: the id of a plan (POST /api/plans makes one)');
    const prune = optionalBoolean(body, 'prune') ?? false;
    const force = optionalBoolean(body, 'force') ?? false;
    const { plan } = findPlan(ctx.workspaceDir, id);
    if (ctx.runner.busy()) throw conflict('an apply is running already; wait for it, or pause and resume it');
    // An apply of another process (usermig apply in a terminal) on the same workspace.
    const other = runningApply(ctx.workspaceDir);
    if (other) throw conflict(describeRunningApply(other));
    try {
      checkPlanNotDone(ctx.live.db, plan);
    } catch (error) {
      // Applied already, or stale: a conflict with the workspace, in the words of `usermig apply`.
      if (isUsermigError(error) && error.kind === 'usage') throw conflict(error.message);
      throw error;
    }
    const answer: ApplyStarted = { run: ctx.runner.start(ctx.live.workspace, plan, { prune, force }) };
    return c.json(answer, 202);
  });

  app.post('/api/apply/pause', (c) => {
    const answer: ApplyControlResponse = { state: ctx.runner.pause() };
    return c.json(answer);
  });

  app.post('/api/apply/resume', (c) => {
    const answer: ApplyControlResponse = { state: ctx.runner.resume() };
    return c.json(answer);
  });

  app.get('/api/apply', (c) => {
    const status = ctx.runner.status();
    return c.json(status.run === null ? (lastApplyOfWorkspace(ctx) ?? status) : status);
  });

  app.get('/api/apply/events', (c) => {
    return streamSSE(c, async (stream) => {
      const queue: Array<{ event: string; data: string }> = [];
      let wake: (() => void) | undefined;
      const listener: ApplyListener = (event, data) => {
        queue.push({ event, data: JSON.stringify(data) });
        wake?.();
      };
      const unsubscribe = ctx.runner.subscribe(listener);
      let closed = false;
      stream.onAbort(() => {
        closed = true;
        wake?.();
      });
      try {
        // Where things stand, for a page that connects in the middle (or after the end) of a run.
        const status = ctx.runner.status();
        if (status.run !== null) {
          const send = <E extends keyof ApplyEvents>(event: E, data: ApplyEvents[E]) => queue.push({ event, data: JSON.stringify(data) });
          send('state', { state: status.state });
          send('progress', { done: status.done, total: status.total, rate: status.rate, etaSeconds: status.etaSeconds });
          if (status.state === 'done' || status.state === 'failed') send('done', { state: status.state, outcome: status.outcome, message: status.message });
        }
        while (!closed) {
          while (queue.length > 0 && !closed) await stream.writeSSE(queue.shift()!);
          if (closed) break;
          await new Promise<void>((resolve) => {
            wake = resolve;
            const timer = setTimeout(resolve, KEEP_ALIVE);
            timer.unref();
          });
          wake = undefined;
          if (queue.length === 0 && !closed) await stream.write(': keep-alive\n\n');
        }
      } finally {
        unsubscribe();
      }
    });
  });
}
