/**
 * The HTTP client of the REST sources (Jira, Crowd, …): GETs only, over node:http/https so that `--ca`
 * can add a private CA (TLS is always verified), with the credentials of one environment variable pair.
 *
 * The targets' client (targets/http-client.ts) sends a Bearer token only and cannot take a CA, so the
 * sources have this one; it reuses the same retry policy (targets/retry-policy.ts):
 * - concurrency adapts (AIMD): halved on every 429/503, grown by one after a run of successes;
 * - a 429 or 503 with Retry-After (or X-RateLimit-Reset) pauses every request until the window passed;
 * - Data Center's rate limiting headers are honoured before any 429: when X-RateLimit-Remaining runs low,
 *   requests are spaced at X-RateLimit-FillRate per X-RateLimit-Interval-Seconds;
 * - a dropped connection or a 5xx is retried a few times with backoff; then the read fails;
 * - the secret is only ever in the Authorization header, never in an error message.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { UsermigError, usageError } from '../model/errors.js';
import { backoff, requestedWait } from '../targets/retry-policy.js';
import { ConcurrencyGate } from '../targets/concurrency-gate.js';

export interface RestCredentials {
  /** The Authorization header value. */
  authorization?: string;
  /** Where it came from, for messages (names variables, never values). */
  describe: string;
  /** The secret values (token, password), removed from anything the server says that a message repeats. */
  secrets?: string[];
}

/**
 * Credentials from the environment: `<PREFIX>_TOKEN` (a personal access token, sent as Bearer) or
 * `<PREFIX>_USER` and `<PREFIX>_PASSWORD` (Basic). `basicOnly` names the pair for Crowd's application.
 */
export function credentialsFrom(
  env: Record<string, string | undefined>,
  prefix: string,
  names: { user?: string; password?: string; token?: string | null } = {},
): RestCredentials {
  const tokenVar = names.token === null ? undefined : (names.token ?? `${prefix}_TOKEN`);
  const userVar = names.user ?? `${prefix}_USER`;
  const passwordVar = names.password ?? `${prefix}_PASSWORD`;
  const token = tokenVar ? env[tokenVar] : undefined;
  const user = env[userVar];
  const password = env[passwordVar];
  if (token) return { authorization: `Bearer ${token}`, describe: `the token in ${tokenVar}`, secrets: [token] };
  if (user !== undefined && user !== '') {
    const basic = Buffer.from(`${user}:${password ?? ''}`).toString('base64');
    return { authorization: `Basic ${basic}`, describe: `the user ${user} (${userVar} / ${passwordVar})`, secrets: [basic, ...(password ? [password] : [])] };
  }
  if (password) throw usageError(`${passwordVar} is set but ${userVar} is not: set both${tokenVar ? ` (or ${tokenVar} for a personal access token)` : ''}`);
  return { describe: `no credentials (neither ${tokenVar ? `${tokenVar} nor ` : ''}${userVar} is set)` };
}

export function readCaFile(caFile: string | undefined): Buffer | undefined {
  if (!caFile) return undefined;
  try {
    return fs.readFileSync(caFile);
  } catch (error) {
    throw usageError(`cannot read the CA file given with --ca (${caFile}): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export interface RestClientOptions {
  baseUrl: string;
  credentials: RestCredentials;
  /** e.g. `Jira source "jira" (https://jira.example.com)`. */
  label: string;
  ca?: Buffer;
  maxConcurrency?: number;
  /** Attempts for a dropped connection or 5xx (default 3). */
  attempts?: number;
  /** Per-request timeout in ms (default 120 s; USERMIG_SOURCE_TIMEOUT_MS overrides). */
  timeoutMs?: number;
  /** Where the Accept header asks for JSON. */
  accept?: string;
}

/** A failure of one request, before it is explained with how far the read got. */
export class RestError extends UsermigError {
  constructor(
    kind: UsermigError['kind'],
    message: string,
    readonly status?: number,
  ) {
    super(kind, message);
  }
}

const SUCCESSES_TO_GROW = 10;

export class RestClient {
  readonly base: URL;
  private readonly agent: http.Agent;
  private readonly gate: ConcurrencyGate;
  private pausedUntil = 0;
  private nextSendAt = 0;
  private spacingMs = 0;
  requests = 0;

  constructor(private readonly options: RestClientOptions) {
    this.base = new URL(options.baseUrl.replace(/\/+$/, ''));
    if (this.base.protocol !== 'https:' && this.base.protocol !== 'http:') {
      throw usageError(`${options.label}: the URL must start with https:// or http://`);
    }
    // Credentials in the URL would be sent by node:http and shown wherever the URL is (the label included).
    if (this.base.username || this.base.password) throw usageError('a source URL must not carry credentials (user:password@): they come from environment variables only');
    this.agent =
      this.base.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, rejectUnauthorized: true, ...(options.ca ? { ca: [options.ca] } : {}) })
        : new http.Agent({ keepAlive: true });
    this.gate = new ConcurrencyGate(options.maxConcurrency ?? 8, SUCCESSES_TO_GROW);
  }

  get label(): string {
    return this.options.label;
  }

  /** Where the credentials came from, for messages (names variables, never values). */
  get credentialsSource(): string {
    return this.options.credentials.describe;
  }

  /** Requests in flight at most; callers need no more workers than this. */
  get workers(): number {
    return this.gate.max;
  }

  close(): void {
    this.agent.destroy();
  }

  /**
   * GET a path (relative to the base URL) and parse its JSON. `allow` lists statuses returned to the caller
   * instead of failing (e.g. 404 for an endpoint this version lacks).
   */
  async get<T = unknown>(path: string, allow: number[] = []): Promise<{ status: number; body: T; text: string }> {
    const attempts = this.options.attempts ?? 3;
    for (let attempt = 1; ; attempt++) {
      await this.gate.acquire();
      let answer: { status: number; headers: http.IncomingHttpHeaders; text: string } | undefined;
      let failure: Error | undefined;
      try {
        await this.waitForTurn();
        this.requests++;
        answer = await this.send(path);
        this.observe(answer.status, answer.headers);
      } catch (error) {
        failure = error as Error;
      } finally {
        this.gate.release();
      }
      if (!answer) {
        const code = (failure as NodeJS.ErrnoException).code ?? '';
        if (/CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET)|ERR_TLS/i.test(code)) {
          const hint = this.options.ca ? 'check that --ca names the CA that signed the server certificate' : 'if the server uses a private CA, give it with --ca FILE';
          throw new RestError('unreachable', `the server's TLS certificate was not trusted (${code}); ${hint}`);
        }
        if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || attempt >= attempts) {
          throw new RestError('unreachable', `GET ${path}: ${code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'cannot reach the server' : 'the connection failed'} (${code || failure?.message}${attempt > 1 ? `, ${attempt} attempts` : ''})`);
        }
        await sleep(backoff(attempt));
        continue;
      }
      const { status, text } = answer;
      if (status < 300 || allow.includes(status)) {
        this.gate.succeeded();
        let body: T;
        try {
          body = (text === '' ? undefined : JSON.parse(text)) as T;
        } catch {
          if (allow.includes(status)) return { status, body: undefined as T, text };
          throw new RestError('input', `GET ${path} answered ${status} with a body that is not JSON (${JSON.stringify(this.redact(text.slice(0, 80)))})`);
        }
        return { status, body, text };
      }
      // The server's own words tell wrong credentials from missing rights (Bitbucket answers 401 to both).
      if (status === 401) throw new RestError('auth', `the server refused ${this.options.credentials.describe}: GET ${path} answered 401 Unauthorized${this.redact(statusText(text))}`, status);
      if (status === 403) throw new RestError('auth', `${this.options.credentials.describe} may not read GET ${path}: 403 Forbidden${this.redact(statusText(text))} (an administrator's credentials are needed)`, status);
      if (status >= 300 && status < 400) {
        // Not followed: the credentials would go wherever it leads. http:// moved to https://, another
        // context path, or a login page (single sign-on) that does not take the credentials.
        const location = answer.headers.location;
        let to = '';
        try {
          const target = new URL(String(location ?? ''), this.base);
          to = location ? ` to ${target.origin}${target.pathname}` : '';
        } catch {
          /* no usable Location */
        }
        throw new RestError('input', `GET ${path} answered ${status}, a redirect${to}: give the source's URL as the server wants it (https://, its context path), or, if it leads to a login page, credentials the REST API accepts`, status);
      }
      if ((status === 429 || status === 503) && attempt < 20) continue; // the pause is set in observe()
      if (status >= 500 && attempt < attempts) {
        await sleep(backoff(attempt));
        continue;
      }
      throw new RestError(status >= 500 || status === 429 ? 'unreachable' : 'input', `GET ${path} answered ${status}${this.redact(statusText(text))}`, status);
    }
  }

  /** What the server said, without the secrets it might echo. */
  private redact(text: string): string {
    let result = text;
    for (const secret of this.options.credentials.secrets ?? []) if (secret.length >= 4) result = result.split(secret).join('[redacted]');
    return result;
  }

  private send(path: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
    const url = new URL(this.base.pathname.replace(/\/$/, '') + path, this.base);
    const timeout = this.options.timeoutMs ?? (Number(process.env.USERMIG_SOURCE_TIMEOUT_MS) || 120_000);
    const headers: Record<string, string> = { Accept: this.options.accept ?? 'application/json' };
    if (this.options.credentials.authorization) headers.Authorization = this.options.credentials.authorization;
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const request = transport.request(url, { method: 'GET', headers, agent: this.agent, timeout }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          if (!response.complete) reject(Object.assign(new Error('the connection closed before the answer was complete'), { code: 'ECONNRESET' }));
          else resolve({ status: response.statusCode ?? 0, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') });
        });
        response.on('error', reject);
        response.on('aborted', () => reject(Object.assign(new Error('the connection closed before the answer was complete'), { code: 'ECONNRESET' })));
      });
      request.on('timeout', () => request.destroy(Object.assign(new Error(`no answer within ${timeout / 1000} s`), { code: 'ETIMEDOUT' })));
      request.on('error', reject);
      request.end();
    });
  }

  /** Rate limits: pause on 429/503, spacing when the announced budget runs low, AIMD concurrency. */
  private observe(status: number, raw: http.IncomingHttpHeaders): void {
    const headers = new Headers();
    for (const [key, value] of Object.entries(raw)) if (typeof value === 'string') headers.set(key, value);
    const now = Date.now();
    if (status === 429 || status === 503) {
      this.gate.shrink();
      this.pausedUntil = Math.max(this.pausedUntil, now + (requestedWait(headers, now) ?? backoff(1)));
    }
    const limit = Number(headers.get('x-ratelimit-limit'));
    const remaining = Number(headers.get('x-ratelimit-remaining') ?? Number.NaN);
    if (limit > 0 && Number.isFinite(remaining)) {
      const fill = Number(headers.get('x-ratelimit-fillrate'));
      const interval = Number(headers.get('x-ratelimit-interval-seconds')) || 1;
      const perMs = fill > 0 ? fill / (interval * 1000) : limit / 1000;
      this.spacingMs = remaining < Math.max(1, limit * 0.1) ? 1 / perMs : 0;
    }
  }

  private async waitForTurn(): Promise<void> {
    for (;;) {
      const now = Date.now();
      if (this.pausedUntil > now) {
        await sleep(this.pausedUntil - now);
        continue;
      }
      if (this.spacingMs <= 0) return;
      const at = Math.max(now, this.nextSendAt);
      this.nextSendAt = at + this.spacingMs;
      if (at > now) await sleep(at - now);
      return;
    }
  }
}

/** The error message of an answer, as Jira (`errorMessages`), Bitbucket (`errors[].message`), Confluence and Crowd (`message`, `reason`) give it. */
function statusText(text: string): string {
  try {
    const body = JSON.parse(text) as { errorMessages?: unknown; errors?: unknown; message?: unknown; reason?: unknown };
    const bitbucket = Array.isArray(body.errors) ? body.errors.map((e) => (e as { message?: unknown } | null)?.message).filter((m): m is string => typeof m === 'string') : [];
    const message = Array.isArray(body.errorMessages) && body.errorMessages.length > 0 ? body.errorMessages.join('; ') : bitbucket.length > 0 ? bitbucket.join('; ') : (body.message ?? body.reason);
    if (typeof message === 'string' && message) return ` (${message.slice(0, 200)})`;
  } catch {
    /* not JSON */
  }
  return '';
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `work` over the items with at most `workers` at once, in order of the items; stops at the first failure. */
export async function forEachConcurrently<T>(items: Iterable<T>, workers: number, work: (item: T) => Promise<void>): Promise<void> {
  const iterator = items[Symbol.iterator]();
  let failed: unknown;
  const run = async () => {
    for (;;) {
      if (failed !== undefined) return;
      const next = iterator.next();
      if (next.done) return;
      try {
        await work(next.value);
      } catch (error) {
        failed ??= error;
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, workers) }, run));
  if (failed !== undefined) throw failed;
}

/** Field checks for answers: a missing or mistyped field fails naming the endpoint and the field. */
export class Shape {
  constructor(readonly endpoint: string) {}

  fail(field: string, expected: string, value: unknown): never {
    const got = value === undefined ? 'nothing' : Array.isArray(value) ? 'an array' : value === null ? 'null' : `${typeof value} ${JSON.stringify(value).slice(0, 60)}`;
    throw new RestError('input', `unexpected answer from GET ${this.endpoint}: field "${field}" should be ${expected} but is ${got}`);
  }

  object(value: unknown, field: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(field, 'an object', value);
    return value as Record<string, unknown>;
  }

  array(value: unknown, field: string): unknown[] {
    if (!Array.isArray(value)) this.fail(field, 'an array', value);
    return value;
  }

  string(value: unknown, field: string): string {
    if (typeof value !== 'string') this.fail(field, 'a string', value);
    return value;
  }

  optionalString(value: unknown, field: string): string {
    if (value === undefined || value === null) return '';
    if (typeof value !== 'string') this.fail(field, 'a string', value);
    return value;
  }

  boolean(value: unknown, field: string, fallback: boolean): boolean {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') this.fail(field, 'true or false', value);
    return value;
  }

  number(value: unknown, field: string): number {
    if (typeof value !== 'number') this.fail(field, 'a number', value);
    return value;
  }
}

/** Percent-encodes a query value. */
export const q = (value: string | number | boolean): string => encodeURIComponent(String(value));
