/**
 * The dashboard's guards: the one-time token (32 random bytes, base64url, compared in constant time),
 * accepted as `Authorization: Bearer TOKEN` or as the `usermig_token_PORT` cookie that opening
 * `/?token=TOKEN` sets (cookies do not tell ports apart: a name per port lets two dashboards run side by
 * side in one browser, neither cookie replacing the other); the Host header (127.0.0.1:PORT or
 * localhost:PORT only: a DNS-rebinding guard); and writes only as application/json (a cross-site form
 * cannot send that without a preflight: a CSRF guard).
 */
import crypto from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { apiError } from './api-error.js';

/** The cookie that carries the token of the dashboard listening on this port. */
export const tokenCookie = (port: number): string => `usermig_token_${port}`;

export const newToken = (): string => crypto.randomBytes(32).toString('base64url');

const digest = (text: string): Buffer => crypto.createHash('sha256').update(text, 'utf8').digest();

/** Constant-time comparison (of digests, so that the length of a guess tells nothing either). */
export function tokenMatches(given: string | undefined, token: string): boolean {
  if (given === undefined || given === '') return false;
  return crypto.timingSafeEqual(digest(given), digest(token));
}

function bearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** The token a request carries, by header or by the cookie of this port. */
export function requestToken(c: Context, port: number): string | undefined {
  return bearer(c.req.header('authorization')) ?? getCookie(c, tokenCookie(port));
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Refuses a Host that is not the server's own loopback address (403), on every request. */
export function hostGuard(port: () => number): MiddlewareHandler {
  return async (c, next) => {
    const host = (c.req.header('host') ?? '').toLowerCase();
    const p = port();
    if (host !== `127.0.0.1:${p}` && host !== `localhost:${p}`) {
      return c.json(apiError('forbidden', `the dashboard answers only to 127.0.0.1:${p} or localhost:${p}`), 403);
    }
    await next();
  };
}

/** The API's guard: the token (401), then writes only as application/json (400 otherwise); no caching. */
export function apiGuard(token: string, port: () => number): MiddlewareHandler {
  return async (c, next) => {
    // The answers hold people's names and emails: kept out of the browser's disk cache, never sniffed.
    c.header('Cache-Control', 'no-store');
    c.header('X-Content-Type-Options', 'nosniff');
    if (!tokenMatches(requestToken(c, port()), token)) {
      return c.json(apiError('unauthorized', 'the dashboard API needs the token of the URL usermig serve printed'), 401);
    }
    if (WRITES.has(c.req.method)) {
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/json') return c.json(apiError('usage', 'write requests must be application/json'), 400);
    }
    await next();
  };
}

/**
 * `GET /?token=TOKEN`: the page opened from the printed URL. A right token becomes an HttpOnly, SameSite
 * Strict cookie and the browser is sent to `/`, so that the token leaves the address bar and history.
 */
export function tokenLanding(token: string, port: () => number): MiddlewareHandler {
  return async (c, next) => {
    const given = c.req.query('token');
    if (given === undefined) return next();
    if (!tokenMatches(given, token)) return c.text('This link is not (or no longer) valid: use the URL usermig serve printed.', 401);
    setCookie(c, tokenCookie(port()), token, { httpOnly: true, sameSite: 'Strict', path: '/' });
    return c.redirect('/', 303);
  };
}
