/**
 * The small HTTP toolkit of the local cloud: routes with `:param` segments, the request context handed to
 * handlers, replies, and the error bodies of each API in Atlassian's shapes — SCIM `Error` and `Failure`
 * for the user-provisioning API, `ApplicationError` and the gateway's `ProxyError` for the org API.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Refusal } from './refusal.js';
import { SCHEMA } from './scim-resources.js';

/**
 * Which API a path belongs to: it decides the token and the shape of errors. The provisioning admin API
 * takes the org key but answers in the SCIM API's shapes.
 */
export type Api = 'scim' | 'org' | 'provisioning-admin';

export interface RequestContext {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  /** The server's own URL (`http://127.0.0.1:PORT`), for links. */
  base: string;
}

export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (context: RequestContext) => Reply;

export interface Route {
  method: string;
  pattern: string;
  api: Api;
  handler: Handler;
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({ status, body, ...(headers ? { headers } : {}) });
export const noContent = (): Reply => ({ status: 204 });

/** The API of a path: SCIM under /scim, the provisioning admin API under /admin/user-provisioning, the org API under /admin. */
export function apiOf(path: string): Api | null {
  if (path.startsWith('/scim/')) return 'scim';
  if (path.startsWith('/admin/user-provisioning/')) return 'provisioning-admin';
  if (path.startsWith('/admin/')) return 'org';
  return null;
}

export type Match = { route: Route; params: Record<string, string> } | { methodNotAllowed: true } | null;

/** Finds the first route whose pattern matches the path (segments decoded); literal routes are listed before parametric ones. */
export function matchRoute(routes: readonly Route[], method: string, path: string): Match {
  const segments = path.split('/').slice(1);
  let pathMatched = false;
  for (const route of routes) {
    const parts = route.pattern.split('/').slice(1);
    if (parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let index = 0; index < parts.length && ok; index++) {
      const part = parts[index] as string;
      let segment: string;
      try {
        segment = decodeURIComponent(segments[index] as string);
      } catch {
        return null;
      }
      if (part.startsWith(':')) {
        if (segment === '') ok = false;
        else params[part.slice(1)] = segment;
      } else if (part !== segment) {
        ok = false;
      }
    }
    if (!ok) continue;
    if (route.method === method) return { route, params };
    pathMatched = true;
  }
  return pathMatched ? { methodNotAllowed: true } : null;
}

const MAX_BODY = 16 * 1024 * 1024;

/** Reads the body; an over-long one is refused with 413. */
export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Refusal(413, `the body is larger than ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses a JSON body; malformed JSON is a 400 in the API's shape. */
export function parseJsonBody(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Refusal(400, `the body is not valid JSON: ${(error as Error).message}`, { scimType: 'invalidSyntax', adminCode: 'ADMIN-400-24' });
  }
}

// --- error bodies ----------------------------------------------------------------------------------------

const ADMIN_TITLES: Record<string, string> = {
  'ADMIN-400-1': 'Invalid page cursor',
  'ADMIN-400-4': 'Invalid resource',
  'ADMIN-400-24': 'Invalid request body',
  'ADMIN-400-32': 'Too many license breaches',
  'ADMIN-403-3': 'Not allowed to manage the org',
  'ADMIN-403-5': 'Not allowed to manage the group',
  'ADMIN-403-6': 'Not allowed to delete group with default-role attribute',
  'ADMIN-403-7': 'Not allowed to delete group which grants admin access to a product or org',
  'ADMIN-404-1': 'Unknown resource',
  'ADMIN-404-2': 'Organization not found',
  'ADMIN-404-3': 'Domain not found',
  'ADMIN-404-8': 'User not found',
  'ADMIN-404-10': 'Group not found',
  'ADMIN-405-1': 'Method not supported',
  'ADMIN-409-3': 'License limit exceeded',
  'ADMIN-409-5': 'Group not empty',
  'ADMIN-429-1': 'Rate limit exceeded',
  'ADMIN-500-1': 'Internal error',
};

export function scimErrorBody(status: number, detail: string, scimType?: string): Record<string, unknown> {
  return { schemas: [SCHEMA.error], status: String(status), ...(scimType ? { scimType } : {}), detail };
}

export function adminErrorBody(status: number, code: string, detail: string): Record<string, unknown> {
  return { errors: [{ id: randomUUID(), status: String(status), code, title: ADMIN_TITLES[code] ?? 'Error', detail }] };
}

/** The API gateway's error (401, 429): `{code, message}`. */
export const proxyErrorBody = (status: number, message: string): Record<string, unknown> => ({ code: status, message });

/** The SCIM API's 401/403 body: `{error, traceId}`. */
export const failureBody = (error: string): Record<string, unknown> => ({ error, traceId: randomUUID().replaceAll('-', '') });

/** A refusal as the API answers it. */
export function refusalReply(api: Api | null, refusal: Refusal): Reply {
  if (api === 'scim' || api === 'provisioning-admin') return json(refusal.status, scimErrorBody(refusal.status, refusal.message, refusal.scimType));
  if (api === 'org') return json(refusal.status, adminErrorBody(refusal.status, refusal.adminCode, refusal.message));
  return json(refusal.status, proxyErrorBody(refusal.status, refusal.message));
}
