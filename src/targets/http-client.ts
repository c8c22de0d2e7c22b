/**
 * The one HTTP client of the cloud connectors: paced, retried only when safe, and never sending during a
 * Retry-After window. One instance per (host, credential), shared by every request to it.
 *
 * - Concurrency adapts: halved on every 429, grown by one after a run of successes (AIMD).
 * - The rate keeps under the limit the server announces (X-RateLimit-Limit, -Remaining, -Reset), before
 *   any 429 (TARGETS.md §4.2.3): while more than a reserve of a tenth of the budget remains, requests go
 *   as fast as the concurrency allows; below it, they are spaced at the refill rate the headers imply.
 * - A 429 or 503 with Retry-After pauses every request of the client until the window has passed.
 * - Transient failures of idempotent requests are retried with backoff; a create whose outcome is
 *   unknown (5xx, dropped connection) is never retried blindly: it fails with `outcome-unknown`, and the
 *   caller looks the object up and adopts it (LESSONS 8).
 * - The token is sent only in the Authorization header and never appears in an error or a log line.
 */
import { UsermigError } from '../model/errors.js';
import { MAX_ATTEMPTS, backoff, requestedWait, retryable, type Safety } from './retry-policy.js';
import { ConcurrencyGate } from './concurrency-gate.js';

export interface ClientOptions {
  baseUrl: string;
  token: string;
  /**
   * The whole Authorization header, when it is not `Bearer <token>` (a SCIM service with Basic
   * credentials). Like the token, never in an error or a log line.
   */
  authorization?: string;
  /** The Content-Type of request bodies (default application/json; SCIM services get application/scim+json). */
  contentType?: string;
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
const DEFAULT_MAX_CONCURRENCY = 16;

export class HttpClient {
  private readonly base: string;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly gate: ConcurrencyGate;
  private pausedUntil = 0;
  private readonly budget = new RateBudget();
  /** Requests sent, by status; for the report and the benchmark. */
  readonly sent = new Map<number, number>();

  constructor(private readonly options: ClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.gate = new ConcurrencyGate(options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY, SUCCESSES_TO_GROW);
  }

  /** Requests in flight allowed now (adapts to the target's answers). */
  get currentConcurrency(): number {
    return this.gate.current;
  }

  /** The most requests this client ever has in flight: callers need no more workers than this. */
  get maxInFlight(): number {
    return this.gate.max;
  }

  async request<T = unknown>(method: string, path: string, body?: unknown, safety: Safety = 'idempotent'): Promise<Response<T>> {
    for (let attempt = 1; ; attempt++) {
      await this.gate.acquire();
      let answer: { response: globalThis.Response; text: string } | undefined;
      let failure: unknown;
      try {
        await this.waitForTurn();
        const sentAt = Date.now();
        const response = await fetch(`${this.base}${path}`, {
          method,
          headers: {
            Authorization: this.options.authorization ?? `Bearer ${this.options.token}`,
            Accept: 'application/json, application/scim+json',
            ...(body !== undefined ? { 'Content-Type': this.options.contentType ?? 'application/json' } : {}),
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
        // The budget and any pause are settled before this request's slot goes to another one.
        const answeredAt = Date.now();
        this.budget.observe(response.headers, answeredAt);
        const wait = response.status === 429 || response.status === 503 ? requestedWait(response.headers, answeredAt) : undefined;
        if (response.status === 429 || response.status === 503) this.shrink(wait);
        this.sent.set(response.status, (this.sent.get(response.status) ?? 0) + 1);
        this.options.onRequest?.({ method, path, status: response.status, sentAt, answeredAt, ...(wait !== undefined ? { requestedWaitMs: wait } : {}) });
        answer = { response, text: await response.text() };
      } catch (error) {
        failure = error;
      } finally {
        this.gate.release();
      }
      if (!answer) {
        const code = (failure as { cause?: { code?: string } }).cause?.code;
        if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
          throw new UsermigError('unreachable', `${this.options.label} at ${this.base} cannot be reached (${code})`);
        }
        if (safety === 'create') throw new OutcomeUnknownError(method, path, failure);
        if (attempt >= MAX_ATTEMPTS) {
          throw new UsermigError('unreachable', `${this.options.label}: ${method} ${path} failed ${attempt} times (${(failure as Error).message})`);
        }
        await this.sleep(backoff(attempt));
        continue;
      }
      const { response, text } = answer;
      const parsed = parseBody(text);
      if (response.status < 400) {
        this.gate.succeeded();
        return { status: response.status, body: parsed as T, headers: response.headers };
      }
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

  /**
   * Waits until a request may go: never inside a Retry-After window, and never faster than the rate
   * budget refills once it runs low. A pause that began while waiting for the budget is waited out too.
   */
  private async waitForTurn(): Promise<void> {
    for (;;) {
      const paused = this.pausedUntil - Date.now();
      if (paused > 0) {
        await this.sleep(paused);
        continue;
      }
      const spaced = this.budget.delay(Date.now());
      if (spaced <= 0) return;
      await this.sleep(spaced);
      if (this.pausedUntil <= Date.now()) return;
    }
  }

  private shrink(requested: number | undefined): void {
    this.gate.shrink();
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + (requested ?? backoff(1)));
  }

}

/**
 * Below this share of X-RateLimit-Limit left, requests are spaced out. It must exceed the requests in
 * flight, which the last Remaining does not count yet: 20 of a 200/s budget against at most 16 in flight.
 * With a smaller budget than the requests in flight can cover, the moment it runs out can still meet a 429.
 */
const RESERVE = 0.1;
/** The deficit (share of the limit) from which Remaining and Reset give a trustworthy refill rate. */
const DEFICIT_TO_ESTIMATE = 0.5;
/** The share of the refill rate used while spacing: the headers are a moment old and Remaining is rounded down. */
const SPACING_SHARE = 0.97;
/** The slowest spacing, as a share of the refill rate, when nothing at all remains. */
const SPACING_FLOOR = 0.5;

/**
 * The server's rate budget as its X-RateLimit-* headers describe it: a limit, what remains of it, and when
 * it is whole again (Reset), from which the refill rate follows. Without those headers it never holds a
 * request back, and the 429 path alone paces the client.
 */
class RateBudget {
  private limit = 0;
  private remaining = Infinity;
  /** Requests the server gives back per ms; assumed a per-second limit until Reset says otherwise. */
  private refillPerMs = 0;
  private nextSendAt = 0;

  observe(headers: Headers, now: number): void {
    const limit = Number(headers.get('x-ratelimit-limit'));
    const remaining = Number(headers.get('x-ratelimit-remaining') ?? Number.NaN);
    if (!(limit > 0) || !Number.isFinite(remaining)) return;
    if (limit !== this.limit) this.refillPerMs = limit / 1000;
    this.limit = limit;
    this.remaining = remaining;
    const resetHeader = headers.get('x-ratelimit-reset');
    const reset = resetHeader === null ? Number.NaN : /^\d+$/.test(resetHeader) ? Number(resetHeader) * 1000 : Date.parse(resetHeader);
    // Only a sizeable deficit gives a trustworthy rate (Remaining is rounded down); a clock apart from the
    // server's could give any figure, so it is kept between a per-hour and a per-second limit.
    if (Number.isFinite(reset) && reset > now && limit - remaining >= limit * DEFICIT_TO_ESTIMATE) {
      const estimate = (limit - remaining) / (reset - now);
      this.refillPerMs = Math.min(limit / 1000, Math.max(limit / 3_600_000, estimate));
    }
  }

  /** How long the next request must wait (and books its slot). Zero while the budget is comfortable. */
  delay(now: number): number {
    const reserve = this.limit * RESERVE;
    if (this.limit === 0 || this.remaining >= reserve) return 0;
    const share = Math.min(SPACING_SHARE, SPACING_FLOOR + this.remaining / reserve);
    const at = Math.max(now, this.nextSendAt);
    this.nextSendAt = at + 1 / (this.refillPerMs * share);
    return at - now;
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
