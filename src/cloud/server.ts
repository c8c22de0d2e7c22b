/**
 * The local cloud server: `startCloud(options)` opens (or creates) the org in its data folder and serves the
 * SCIM and organization APIs over HTTP on 127.0.0.1 only. Each request meets, in order: the latency, the
 * rate limit (429), an injected fault (500, 503, slow answer, or a connection dropped after the work is
 * done), the route (404 / 405), the bearer token of its API (401), the org or directory id in its path
 * (404), then its handler. `--log` gets one JSON line per request. Used by `usermig cloud serve` and, in
 * process, by tests and the local target.
 */
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { UsermigError } from '../model/errors.js';
import {
  apiOf,
  failureBody,
  json,
  matchRoute,
  parseJsonBody,
  proxyErrorBody,
  readBody,
  refusalReply,
  type Api,
  type Reply,
  type Route,
} from './http.js';
import { CloudOrg } from './org-model.js';
import { orgRoutesV1 } from './org-routes.js';
import { orgRoutesV2 } from './org-routes-v2.js';
import { Pacer, sleep, type FaultKind, type PacingOptions } from './pacing.js';
import { isRefusal, Refusal } from './refusal.js';
import { RequestLog } from './request-log.js';
import { ScimDirectory } from './scim-directory.js';
import { scimRoutes } from './scim-routes.js';
import { openCloudStore, type CreateOptions } from './store.js';

export const DEFAULT_CLOUD_DIR = path.join('.usermig', 'cloud');

export interface CloudOptions extends PacingOptions, CreateOptions {
  /** Folder of `cloud.db` (default `.usermig/cloud`). */
  dataDir?: string;
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  port?: number;
  /** File that gets one JSON line per request. */
  logFile?: string;
  /** Domains to add to the org as verified (accounts on them are managed). */
  verifiedDomains?: readonly string[];
}

export interface RunningCloud {
  /** `http://127.0.0.1:PORT`: the base of both APIs (as `https://api.atlassian.com` is). */
  url: string;
  orgId: string;
  orgToken: string;
  /** The SCIM directory: `${url}/scim/directory/${directoryId}`. */
  directoryId: string;
  scimToken: string;
  /** The org's user directory of the org API v2 (not the SCIM directory). */
  orgDirectoryId: string;
  siteName: string;
  dataDir: string;
  /** True when this start created the organization. */
  created: boolean;
  /** The org itself, for in-process callers (approving held access, seeding domains). */
  org: CloudOrg;
  scim: ScimDirectory;
  close(): Promise<void>;
}

const tokenMatches = (header: string | undefined, token: string): boolean => {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!match) return false;
  const given = Buffer.from((match[1] as string).trim());
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
};

const CONTENT_TYPES: Record<Api, string> = {
  scim: 'application/scim+json; charset=utf-8',
  'provisioning-admin': 'application/json; charset=utf-8',
  org: 'application/json; charset=utf-8',
};

/** Every endpoint the local cloud serves (the contract tests check them against the OpenAPI files). */
export function routesOf(org: CloudOrg, scim: ScimDirectory): Route[] {
  return [...scimRoutes(scim), ...orgRoutesV1(org), ...orgRoutesV2(org)];
}

export async function startCloud(options: CloudOptions = {}): Promise<RunningCloud> {
  const dataDir = path.resolve(options.dataDir ?? DEFAULT_CLOUD_DIR);
  const store = openCloudStore(dataDir, options);
  const { identity } = store;
  const org = new CloudOrg(store.db, identity);
  let log: RequestLog | null = null;
  try {
    for (const domain of options.verifiedDomains ?? []) org.addDomain(domain, 'verified');
    log = options.logFile ? new RequestLog(options.logFile) : null;
  } catch (error) {
    store.close();
    if (isRefusal(error)) throw new UsermigError('usage', error.message);
    throw error;
  }
  const scim = new ScimDirectory(org, identity.scimDirectoryId);
  const routes = routesOf(org, scim);
  const pacer = new Pacer(options);
  const tokens: Record<Api, string> = { scim: identity.scimToken, org: identity.orgToken, 'provisioning-admin': identity.orgToken };
  let base = '';

  /** Everything after pacing and faults: route, token, ids, handler. */
  function dispatch(method: string, url: URL, headers: http.IncomingHttpHeaders, rawBody: string): Reply {
    const api = apiOf(url.pathname);
    const match = matchRoute(routes, method, url.pathname);
    if (match === null) {
      return refusalReply(api, new Refusal(404, `no such endpoint: ${method} ${url.pathname}`, { adminCode: 'ADMIN-404-1' }));
    }
    if ('methodNotAllowed' in match) return refusalReply(api, new Refusal(405, `${method} is not supported on ${url.pathname}`));
    const { route, params } = match;
    if (!tokenMatches(headers.authorization, tokens[route.api])) {
      const reply =
        route.api === 'org'
          ? json(401, proxyErrorBody(401, 'Unauthorized: a valid organization API key is required'))
          : json(401, failureBody('Missing or invalid authorization header'));
      return { ...reply, headers: { 'WWW-Authenticate': 'Bearer' } };
    }
    if (params.orgId !== undefined && params.orgId !== identity.orgId) {
      throw new Refusal(404, `no organization ${params.orgId} for this API key`, { adminCode: 'ADMIN-404-2' });
    }
    const directoryId = route.api === 'scim' ? identity.scimDirectoryId : identity.orgDirectoryId;
    if (params.directoryId !== undefined && params.directoryId !== directoryId) throw new Refusal(404, `the directory ${params.directoryId} does not exist`);
    const body = method === 'GET' || method === 'DELETE' ? undefined : parseJsonBody(rawBody);
    return route.handler({ method, path: url.pathname, params, query: url.searchParams, body, base });
  }

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const started = performance.now();
    const method = (request.method ?? 'GET').toUpperCase();
    const url = new URL(request.url ?? '/', base);
    const api = apiOf(url.pathname);
    let fault: FaultKind | null = null;
    let reply: Reply;
    try {
      const rawBody = await readBody(request);
      if (pacer.latencyMs > 0) await sleep(pacer.latencyMs);
      const admission = pacer.admit();
      if (!admission.allowed) {
        // 429 comes from the gateway, before any API: the gateway's ProxyError for both APIs.
        reply = json(429, proxyErrorBody(429, 'Too many requests: rate limit exceeded'), {
          'Retry-After': String(admission.retryAfterSeconds),
          ...admission.headers,
        });
      } else {
        fault = pacer.fault();
        if (fault === 'slow') await sleep(pacer.slowMs);
        if (fault === '500') reply = refusalReply(api, new Refusal(500, 'injected fault: internal error'));
        else if (fault === '503') reply = { ...refusalReply(api, new Refusal(503, 'injected fault: service unavailable')), headers: { 'Retry-After': '1' } };
        else reply = dispatchSafely(method, url, request.headers, rawBody, api);
        reply = { ...reply, headers: { ...admission.headers, ...reply.headers } };
      }
    } catch (error) {
      reply = isRefusal(error) ? refusalReply(api, error) : internalError(api, error);
    }
    if (fault === 'drop') {
      // The work is done but the answer is lost: the client cannot tell whether a write happened.
      request.socket.destroy();
      log?.write({ method, path: url.pathname, status: 0, durationMs: performance.now() - started, fault });
      return;
    }
    send(response, reply, api);
    log?.write({ method, path: url.pathname, status: reply.status, durationMs: performance.now() - started, ...(fault ? { fault } : {}) });
  }

  function dispatchSafely(method: string, url: URL, headers: http.IncomingHttpHeaders, rawBody: string, api: Api | null): Reply {
    try {
      return dispatch(method, url, headers, rawBody);
    } catch (error) {
      return isRefusal(error) ? refusalReply(api, error) : internalError(api, error);
    }
  }

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, internalError(apiOf(request.url ?? '/'), error), null);
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    log?.close();
    store.close();
    throw new UsermigError('unreachable', `cannot listen on 127.0.0.1:${options.port ?? 0}: ${(error as Error).message}`);
  }
  const address = server.address() as AddressInfo;
  base = `http://127.0.0.1:${address.port}`;
  let closing: Promise<void> | null = null;
  return {
    url: base,
    orgId: identity.orgId,
    orgToken: identity.orgToken,
    directoryId: identity.scimDirectoryId,
    scimToken: identity.scimToken,
    orgDirectoryId: identity.orgDirectoryId,
    siteName: identity.siteName,
    dataDir,
    created: store.created,
    org,
    scim,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => {
          log?.close();
          store.close();
          resolve();
        });
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function internalError(api: Api | null, error: unknown): Reply {
  if (process.env.USERMIG_DEBUG) console.error(error);
  return refusalReply(api, new Refusal(500, `internal error: ${error instanceof Error ? error.message : String(error)}`));
}

function send(response: http.ServerResponse, reply: Reply, api: Api | null): void {
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.status === 204 || reply.body === undefined) {
    response.writeHead(reply.status, headers);
    response.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  headers['Content-Type'] = api ? CONTENT_TYPES[api] : 'application/json; charset=utf-8';
  headers['Content-Length'] = String(Buffer.byteLength(text));
  response.writeHead(reply.status, headers);
  response.end(text);
}
