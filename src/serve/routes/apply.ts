/**
 * The Apply page: POST /api/apply (202, one at a time), pause and resume, GET /api/apply (the current or
 * last run) and GET /api/apply/events (server-sent events: progress, error, state, done).
 */
import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { checkPlanNotDone } from '../../apply/run-apply.js';
import { isUsermigError, usageError } from '../../model/errors.js';
import type { ApplyControlResponse, ApplyEvents, ApplyStarted } from '../api-types.js';
import { conflict } from '../api-error.js';
import type { ApplyListener } from '../apply-runner.js';
import type { ServeContext } from '../context.js';
import { jsonBody, optionalBoolean, optionalString } from '../paging.js';
import { findPlan } from '../plan-store.js';

const KEEP_ALIVE = 15_000;

export function applyRoutes(app: Hono, ctx: ServeContext): void {
  app.post('/api/apply', async (c) => {
    const body = await jsonBody(c);
    const id = optionalString(body, 'plan');
    if (!id) throw usageError('plan is needed: the id of a plan (POST /api/plans makes one)');
    const prune = optionalBoolean(body, 'prune') ?? false;
    const force = optionalBoolean(body, 'force') ?? false;
    const { plan } = findPlan(ctx.workspaceDir, id);
    if (ctx.runner.busy()) throw conflict('an apply is running already; wait for it, or pause and resume it');
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

  app.get('/api/apply', (c) => c.json(ctx.runner.status()));

  app.get('/api/apply/events', (c) => {
    c.header('Cache-Control', 'no-store');
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
