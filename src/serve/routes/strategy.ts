/** GET /api/strategy[?idp=PROVIDER]: the object of `usermig strategy --json`. */
import type { Hono } from 'hono';
import { parseIdp, workspaceStrategy } from '../../strategy/workspace-strategy.js';
import type { StrategyResponse } from '../api-types.js';
import type { ServeContext } from '../context.js';

export function strategyRoutes(app: Hono, ctx: ServeContext): void {
  app.get('/api/strategy', (c) => {
    const idp = parseIdp(c.req.query('idp') || undefined);
    const strategy: StrategyResponse = workspaceStrategy(ctx.live.current(), { idp });
    return c.json(strategy);
  });
}
