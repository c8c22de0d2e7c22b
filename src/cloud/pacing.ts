/**
 * The local cloud's knobs for benchmarks and chaos tests: a fixed latency per request, a rate limit (a token
 * bucket holding one second of requests; beyond it 429 with Retry-After and X-RateLimit-*, TARGETS 4.1),
 * and injected faults — 500, 503 (with Retry-After), a dropped connection (after the request was carried
 * out, so the client cannot know whether it was), or a slow answer. Faults draw from a seeded generator
 * when a seed is given, so a chaos run can be replayed.
 */
import { Random } from '../generate/random.js';

export type FaultKind = '500' | '503' | 'drop' | 'slow';
export const FAULT_KINDS: readonly FaultKind[] = ['500', '503', 'drop', 'slow'];

export interface PacingOptions {
  /** Milliseconds added to every answer. */
  latencyMs?: number;
  /** Requests per second before 429s; unlimited when absent or 0. */
  rateLimit?: number;
  /** Probability (0..1) that a request meets a fault. */
  faultRate?: number;
  /** Which faults may be injected (default: all). */
  faults?: readonly FaultKind[];
  /** How long a slow answer takes, in milliseconds (default 2000). */
  slowMs?: number;
  /** Seed of the fault generator. */
  seed?: number;
}

export type Admission =
  | { allowed: true; headers: Record<string, string> }
  | { allowed: false; retryAfterSeconds: number; headers: Record<string, string> };

/** A seeded stream in [0, 1): the project's one PRNG (mulberry32), so runs repeat exactly. */
function seeded(seed: number): () => number {
  const random = new Random(seed);
  return () => random.next();
}

export class Pacer {
  readonly latencyMs: number;
  readonly slowMs: number;
  private readonly rate: number;
  private readonly faultRate: number;
  private readonly faults: readonly FaultKind[];
  private readonly random: () => number;
  private tokens: number;
  private refilledAt: number;

  constructor(
    options: PacingOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.latencyMs = Math.max(0, options.latencyMs ?? 0);
    this.slowMs = Math.max(0, options.slowMs ?? 2000);
    this.rate = Math.max(0, options.rateLimit ?? 0);
    this.faultRate = Math.min(1, Math.max(0, options.faultRate ?? 0));
    this.faults = options.faults && options.faults.length > 0 ? options.faults : FAULT_KINDS;
    this.random = options.seed === undefined ? Math.random : seeded(options.seed);
    this.tokens = this.rate;
    this.refilledAt = this.now();
  }

  /** Takes a token for one request, or says how long to wait for the next one. */
  admit(): Admission {
    if (this.rate === 0) return { allowed: true, headers: {} };
    const now = this.now();
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.refilledAt) / 1000) * this.rate);
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { allowed: true, headers: this.headers(now) };
    }
    const waitMs = ((1 - this.tokens) / this.rate) * 1000;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)), headers: this.headers(now, waitMs) };
  }

  private headers(now: number, waitMs?: number): Record<string, string> {
    const untilFull = ((this.rate - this.tokens) / this.rate) * 1000;
    const headers: Record<string, string> = {
      'X-RateLimit-Limit': String(this.rate),
      'X-RateLimit-Remaining': String(Math.floor(this.tokens)),
      'X-RateLimit-Reset': new Date(now + (waitMs ?? untilFull)).toISOString(),
    };
    if (this.tokens < this.rate * 0.2) headers['X-RateLimit-NearLimit'] = 'true';
    return headers;
  }

  /** The fault this request meets, if any. */
  fault(): FaultKind | null {
    if (this.faultRate === 0 || this.random() >= this.faultRate) return null;
    return this.faults[Math.floor(this.random() * this.faults.length)] ?? null;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Parses `--rate-limit` as `N/s` or `N` (requests per second). */
export function parseRate(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*s(?:ec(?:ond)?)?)?\s*$/i.exec(text);
  if (!match) return null;
  const rate = Number(match[1]);
  return Number.isFinite(rate) ? rate : null;
}
