/** GET /api/decisions[?subject=]: the decision log, as `usermig decisions log --json` prints it, paged (for the reviewer's sign-off). */
import type { Hono } from 'hono';
import { readDecisionLog } from '../../workspace/decision-store.js';
import type { DecisionLogResponse } from '../api-types.js';
import type { ServeContext } from '../context.js';
import { page, paging } from '../paging.js';

export function decisionsRoutes(app: Hono, ctx: ServeContext): void {
  app.get('/api/decisions', (c) => {
    const subject = c.req.query('subject') || undefined;
    const answer: DecisionLogResponse = page(readDecisionLog(ctx.live.db, subject), paging(c));
    return c.json(answer);
  });
}
