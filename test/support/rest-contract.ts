/**
 * A contract server for the REST sources: a real node:http server (node:https when given a certificate) on
 * 127.0.0.1 that answers GETs from a route function with the documented shapes, checks the Authorization
 * header (401 otherwise), and can be told to misbehave on matching paths: answer a status (403, 429 with Retry-After, 500), answer slowly,
 * drop the connection in the middle of a page, or answer JSON of an unexpected shape.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { CLI } from './cli.js';

export type Answer = { status?: number; body: unknown; headers?: Record<string, string> } | undefined;
export type Route = (url: URL) => Answer;

export interface Fault {
  /** Which requests (path and query) it applies to. */
  match: RegExp;
  /** How many matching requests it spoils (default: all). */
  times?: number;
  status?: number;
  headers?: Record<string, string>;
  /** Answer after this many ms (the real answer, unless status or body says otherwise). */
  delayMs?: number;
  /** Send half of the answer, then destroy the socket. */
  drop?: boolean;
  /** Answer this body instead. */
  body?: unknown;
}

export interface ContractServer {
  url: string;
  /** Every request's path and query, in order of arrival. */
  requests: string[];
  faults: Fault[];
  /** The most requests in flight at once. */
  peakInFlight: number;
  close(): Promise<void>;
}

/** `tls`: serve https with this key and certificate (PEM) instead of http. */
export async function startContractServer(route: Route, authorization: string, tls?: { key: string | Buffer; cert: string | Buffer }): Promise<ContractServer> {
  const state: ContractServer = { url: '', requests: [], faults: [], peakInFlight: 0, close: async () => undefined };
  let inFlight = 0;
  const handle: http.RequestListener = (request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const target = url.pathname + url.search;
    state.requests.push(target);
    inFlight++;
    state.peakInFlight = Math.max(state.peakInFlight, inFlight);
    response.on('close', () => inFlight--);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      response.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (request.headers.authorization !== authorization) {
      send(401, { errorMessages: ['You are not authenticated. Authentication required to perform this operation.'], errors: {} }, { 'WWW-Authenticate': 'Basic realm="protected-area"' });
      return;
    }
    const fault = state.faults.find((f) => f.match.test(target) && (f.times === undefined || f.times > 0));
    if (fault && fault.times !== undefined) fault.times--;
    const answer = () => {
      let found: Answer;
      try {
        found = route(url);
      } catch (error) {
        send(500, { errorMessages: [(error as Error).message] });
        return;
      }
      if (fault?.status !== undefined || fault?.body !== undefined) {
        send(fault.status ?? 200, fault.body ?? { errorMessages: [`status ${fault.status}`] }, fault.headers);
        return;
      }
      if (!found) {
        send(404, { errorMessages: [`no route ${url.pathname}`] });
        return;
      }
      if (fault?.drop) {
        const text = JSON.stringify(found.body);
        response.writeHead(found.status ?? 200, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) });
        response.write(text.slice(0, Math.floor(text.length / 2)));
        setTimeout(() => response.socket?.destroy(), 20);
        return;
      }
      send(found.status ?? 200, found.body, found.headers);
    };
    if (fault?.delayMs) setTimeout(answer, fault.delayMs);
    else answer();
  };
  const server = tls ? https.createServer(tls, handle) : http.createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

export const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** The built CLI without blocking this process (the contract server lives in it). */
export { runInBackground as usermigAsync } from './cli.js';

/**
 * The window an offset listing asks for, as the contract servers answer it: the start and page size read
 * from the query (parameter names per product: `start`/`limit`, `start-index`/`max-results`), the size
 * capped as the product caps it; `next` is the start of the following page, `more` whether there is one.
 */
export function pageWindow<T>(
  url: URL,
  values: T[],
  options: { cap: number; defaultLimit?: number; startParam?: string; limitParam?: string; start?: number },
): { start: number; limit: number; shown: T[]; next: number; more: boolean } {
  const start = options.start ?? Number(url.searchParams.get(options.startParam ?? 'start') ?? 0);
  const limit = Math.min(Number(url.searchParams.get(options.limitParam ?? 'limit') ?? options.defaultLimit ?? 25), options.cap);
  const shown = values.slice(start, start + limit);
  const next = start + shown.length;
  return { start, limit, shown, next, more: next < values.length };
}
