/**
 * The one HTTP client of the cloud connectors: paced, retried only when safe, and never sending during a
 * Retry-After window. One instance per (host, credential), shared by every request to it.
 *
 * - Concurrency adapts: halved on every 429, grown by one after a run of successes (AIMD).
 * - A 429 or 503 with Retry-After pauses every request of the client until the window has passed.
 * - Transient failures of idempotent requests are retried with backoff; a create whose outcome is
 *   unknown (5xx, dropped connection) is never retried blindly: it fails with `outcome-unknown`, and the
 *   caller looks the object up and adopts it (LESSONS 8).
 * - The token is sent only in the Authorization header and never appears in an error or a log line.
 */
import { UsermigError } from '../model/errors.js';
import { MAX_ATTEMPTS, backoff, requestedWait, retryable, type Safety } from './retry-policy.js';

export interface ClientOptions {
  baseUrl: string;
  token: string;
  /** How to name the target in messages, e.g. "the local cloud". */
  label: string;
  maxConcurrency?: number;
  /** Called once per answered request, for counting and logging (no secrets in it). */
  onRequest?: (event: RequestEvent) => void;
  /** Injected for tests of pacing; defaults to real time. */
  sleep?: (ms: number) => Promise<void>;
}

export interface RequestEvent {
  method: string;
  path: string;
  status: number;
  /** When it was sent and answered (ms since the epoch). */
  sentAt: number;
  answeredAt: number;
  /** The wait the answer asked for (429 and 503), in ms. */
  requestedWaitMs?: number;
}

/** Reads are GETs and searches (POST …/search); everything else changes the target. */
export const isWrite = (event: Pick<RequestEvent, 'method' | 'path'>): boolean =>
  event.method !== 'GET' && !/\/search(\?|$)/.test(event.path);

export interface Response<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

/** Raised when a create may or may not have happened: look the object up before doing anything else. */
export class OutcomeUnknownError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    failure?: unknown,
  ) {
    super(`${method} ${path}: no answer; the outcome is unknown`, { cause: failure });
    this.name = 'OutcomeUnknownError';
  }
}

const SUCCESSES_TO_GROW = 20;

export class HttpClient {
  private readonly base: string;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly maxConcurrency: number;
  private concurrency: number;
  private active = 0;
  private successes = 0;
  private pausedUntil = 0;
  private readonly waiting: Array<() => void> = [];
  /** Requests sent, by status; for the report and the benchmark. */
  readonly sent = new Map<number, number>();

  constructor(private readonly options: ClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.maxConcurrency = options.maxConcurrency ?? 8;
    this.concurrency = Math.min(4, this.maxConcurrency);
  }

  /** Requests in flight allowed now (adapts to the target's answers). */
  get currentConcurrency(): number {
    return this.concurrency;
  }

  async request<T = unknown>(method: string, path: string, body?: unknown, safety: Safety = 'idempotent'): Promise<Response<T>> {
    for (let attempt = 1; ; attempt++) {
      await this.acquire();
      let response: globalThis.Response;
      let sentAt = Date.now();
      try {
        await this.respectPause();
        sentAt = Date.now();
        response = await fetch(`${this.base}${path}`, {
          method,
          headers: {
            Authorization: `Bearer ${this.options.token}`,
            Accept: 'application/json, application/scim+json',
            ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
      } catch (error) {
        this.release();
        const code = (error as { cause?: { code?: string } }).cause?.code;
        if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
          throw new UsermigError('unreachable', `${this.options.label} at ${this.base} cannot be reached (${code})`);
        }
        if (safety === 'create') throw new OutcomeUnknownError(method, path, error);
        if (attempt >= MAX_ATTEMPTS) {
          throw new UsermigError('unreachable', `${this.options.label}: ${method} ${path} failed ${attempt} times (${(error as Error).message})`);
        }
        await this.sleep(backoff(attempt));
        continue;
      }
      this.release();
      this.sent.set(response.status, (this.sent.get(response.status) ?? 0) + 1);
      const answeredAt = Date.now();
      const wait = response.status === 429 || response.status === 503 ? requestedWait(response.headers, answeredAt) : undefined;
      this.options.onRequest?.({ method, path, status: response.status, sentAt, answeredAt, ...(wait !== undefined ? { requestedWaitMs: wait } : {}) });
      const text = await response.text();
      const parsed = parseBody(text);
      if (response.status < 400) {
        this.grow();
        return { status: response.status, body: parsed as T, headers: response.headers };
      }
      if (response.status === 429 || response.status === 503) this.shrink(wait);
      if (response.status === 401 || response.status === 403) {
        throw new UsermigError('auth', `${this.options.label} refused the credentials for ${method} ${path} (${response.status})`);
      }
      if (retryable(response.status, safety) && attempt < MAX_ATTEMPTS) {
        if (response.status !== 429 && response.status !== 503) await this.sleep(backoff(attempt));
        continue;
      }
      if (safety === 'create' && response.status >= 500) throw new OutcomeUnknownError(method, path);
      return { status: response.status, body: parsed as T, headers: response.headers };
    }
  }

  private async acquire(): Promise<void> {
    while (this.active >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
  }

  private release(): void {
    this.active--;
    this.waiting.shift()?.();
  }

  /** Never send inside a Retry-After window. */
  private async respectPause(): Promise<void> {
    for (let wait = this.pausedUntil - Date.now(); wait > 0; wait = this.pausedUntil - Date.now()) await this.sleep(wait);
  }

  private shrink(requested: number | undefined): void {
    this.successes = 0;
    this.concurrency = Math.max(1, Math.floor(this.concurrency / 2));
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + (requested ?? backoff(1)));
  }

  private grow(): void {
    if (++this.successes >= SUCCESSES_TO_GROW && this.concurrency < this.maxConcurrency) {
      this.concurrency++;
      this.successes = 0;
      this.waiting.shift()?.();
    }
  }
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
