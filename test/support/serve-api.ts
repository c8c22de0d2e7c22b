/**
 * A small client of the dashboard's API over real HTTP, on a `usermig serve` started by startServe
 * (test/support/serve.ts): JSON calls with the token, requests with a Host of one's choosing, and a reader
 * of the server-sent events of GET /api/apply/events.
 */
import http from 'node:http';
import { startServe, type ServeProcess } from './serve.js';

export interface Dashboard extends ServeProcess {
  base: string;
  port: number;
  /** fetch() of an API path with the token (Bearer unless `token` says otherwise), JSON bodies. */
  api(path: string, init?: { method?: string; body?: unknown; headers?: Record<string, string>; token?: string | null }): Promise<Response>;
  json<T = any>(path: string, init?: { method?: string; body?: unknown }): Promise<T>;
}

export async function startDashboard(args: string[], env: Record<string, string> = {}): Promise<Dashboard> {
  const serve = await startServe(args, env);
  const base = serve.origin;
  const token = serve.token;
  const api: Dashboard['api'] = (path, init = {}) => {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    const bearer = init.token === undefined ? token : init.token;
    if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
    if (init.body !== undefined) headers['content-type'] ??= 'application/json';
    return fetch(`${base}${path}`, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body !== undefined ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) } : {}),
      redirect: 'manual',
    });
  };
  return {
    ...serve,
    base,
    port: Number(new URL(base).port),
    api,
    async json(path, init = {}) {
      const response = await api(path, init);
      const text = await response.text();
      if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${text}`);
      return JSON.parse(text);
    },
  };
}

/** A request with a Host header of one's choosing (fetch does not let one set it). */
export function requestWithHost(port: number, path: string, host: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, path, method, headers: { ...headers, host } }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
    request.end();
  });
}

export interface SseEvent {
  event: string;
  data: any;
}

/** Reads server-sent events from GET /api/apply/events until `until` says stop (or the stream ends). */
export async function readEvents(dashboard: Dashboard, until: (event: SseEvent, all: SseEvent[]) => boolean, onOpen?: () => Promise<void>): Promise<SseEvent[]> {
  const controller = new AbortController();
  const response = await fetch(`${dashboard.base}/api/apply/events`, { headers: { authorization: `Bearer ${dashboard.token}` }, signal: controller.signal });
  if (response.status !== 200) throw new Error(`events: ${response.status}`);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const events: SseEvent[] = [];
  let buffer = '';
  const opened = onOpen?.();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: ?(.*)$/m.exec(block)?.[1];
        const data = block
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.replace(/^data: ?/, ''))
          .join('\n');
        if (!event) continue;
        const parsed: SseEvent = { event, data: data ? JSON.parse(data) : null };
        events.push(parsed);
        if (until(parsed, events)) return events;
      }
    }
    return events;
  } finally {
    controller.abort();
    await opened;
  }
}
