/**
 * The dashboard's server: one Hono app in one process with the built page (dist/web/, written by the
 * page's Vite build; a small placeholder page when it is missing). Listens on 127.0.0.1 only. The API
 * under /api/ calls the same library functions as the CLI; see api-types.ts for the contract.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { errorAnswer, apiError } from './api-error.js';
import { apiGuard, hostGuard, newToken, tokenLanding } from './auth.js';
import { ApplyRunner } from './apply-runner.js';
import type { ServeContext } from './context.js';
import { LiveWorkspace } from './live-workspace.js';
import { applyRoutes } from './routes/apply.js';
import { decisionsRoutes } from './routes/decisions.js';
import { domainsRoutes } from './routes/domains.js';
import { groupsRoutes } from './routes/groups.js';
import { plansRoutes } from './routes/plans.js';
import { reportRoutes } from './routes/report.js';
import { strategyRoutes } from './routes/strategy.js';
import { summaryRoutes } from './routes/summary.js';
import { usersRoutes } from './routes/users.js';

/** dist/web next to dist/serve (the build), or the same from src/serve when run from the sources. */
export const defaultWebDir = (): string => path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'web');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/** The page loads only its own scripts and styles, talks only to its own server, and is never framed. */
const PAGE_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const PLACEHOLDER = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>usermig dashboard</title></head>
<body><h1>usermig dashboard</h1><p>The page is not built (dist/web/ is missing): run <code>npm ci</code> or the page's build.
The API answers under <code>/api/</code>, for example <code>/api/summary</code>.</p></body></html>`;

/** A file of the built page; index.html for paths of the page's own routes; null when there is none. */
function staticFile(webDir: string, urlPath: string): { body: Buffer; type: string } | null {
  const index = path.join(webDir, 'index.html');
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  let file = path.resolve(webDir, `.${decoded}`);
  if (file !== webDir && !file.startsWith(webDir + path.sep)) return null;
  if (file === webDir || !path.extname(file)) file = index; // the page routes itself
  try {
    return { body: fs.readFileSync(file), type: TYPES[path.extname(file)] ?? 'application/octet-stream' };
  } catch {
    return file === index ? { body: Buffer.from(PLACEHOLDER), type: TYPES['.html']! } : null;
  }
}

export interface DashboardOptions {
  workspaceDir: string;
  target: string;
  token: string;
  /** The port the server listens on (for the Host guard): known once listening. */
  port: () => number;
  webDir?: string;
}

export function dashboardApp(ctx: ServeContext, options: DashboardOptions): Hono {
  const app = new Hono();
  const webDir = path.resolve(options.webDir ?? defaultWebDir());
  app.onError((error, c) => {
    const { status, body } = errorAnswer(error);
    return c.json(body, status);
  });
  app.use('*', hostGuard(options.port));
  app.use('/api/*', apiGuard(options.token, options.port));
  summaryRoutes(app, ctx);
  usersRoutes(app, ctx);
  domainsRoutes(app, ctx);
  groupsRoutes(app, ctx);
  strategyRoutes(app, ctx);
  decisionsRoutes(app, ctx);
  plansRoutes(app, ctx);
  applyRoutes(app, ctx);
  reportRoutes(app, ctx);
  app.all('/api/*', (c) => c.json(apiError('not-found', `no API route ${c.req.method} ${c.req.path}`), 404));
  app.get('/', tokenLanding(options.token, options.port));
  app.get('*', (c) => {
    const found = staticFile(webDir, c.req.path);
    if (!found) return c.text('not found', 404);
    c.header('Content-Type', found.type);
    c.header('X-Content-Type-Options', 'nosniff');
    if (found.type.startsWith('text/html')) {
      c.header('Cache-Control', 'no-store');
      c.header('Content-Security-Policy', PAGE_POLICY);
      c.header('Referrer-Policy', 'no-referrer');
      c.header('X-Frame-Options', 'DENY');
    }
    return c.body(new Uint8Array(found.body));
  });
  return app;
}

export interface Dashboard {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts the dashboard on 127.0.0.1:port (0: a free port); the URL carries the one-time token. */
export async function startDashboard(options: { workspaceDir: string; target: string; port: number; webDir?: string }): Promise<Dashboard> {
  const token = newToken();
  const live = new LiveWorkspace(options.workspaceDir);
  const ctx: ServeContext = { live, workspaceDir: options.workspaceDir, target: options.target, runner: new ApplyRunner() };
  let port = options.port;
  const app = dashboardApp(ctx, { workspaceDir: options.workspaceDir, target: options.target, token, port: () => port, ...(options.webDir ? { webDir: options.webDir } : {}) });
  const server: ServerType = await new Promise((resolve, reject) => {
    const started = serve({ fetch: app.fetch, port: options.port, hostname: '127.0.0.1' }, (info: AddressInfo) => {
      port = info.port;
      resolve(started);
    });
    started.once('error', (error: NodeJS.ErrnoException) => {
      live.close();
      reject(error);
    });
  });
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    async close() {
      await ctx.runner.close();
      await new Promise<void>((resolve) => {
        (server as import('node:http').Server).closeAllConnections?.();
        server.close(() => resolve());
      });
      live.close();
    },
  };
}
