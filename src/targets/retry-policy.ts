/**
 * When and how long to wait before sending again (TARGETS.md §4.2): on 429 and 503 honour Retry-After
 * (seconds or an HTTP date) and X-RateLimit-Reset, clamped to [1 s, 15 min]; without them back off
 * exponentially (1 s, ×2, at most 60 s, ±30 % jitter). Only transient failures are retried, and never a
 * request whose effect is unknown and not idempotent: the caller looks such an object up instead.
 */

export const MIN_WAIT_MS = 1_000;
export const MAX_WAIT_MS = 15 * 60_000;
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_CAP_MS = 60_000;
export const MAX_ATTEMPTS = 6;

const clamp = (ms: number): number => Math.min(MAX_WAIT_MS, Math.max(MIN_WAIT_MS, ms));

/** The wait a response asks for, in ms, or undefined when it names none. `now` in ms since the epoch. */
export function requestedWait(headers: Headers, now: number): number | undefined {
  const waits: number[] = [];
  const retryAfter = headers.get('retry-after');
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) waits.push(seconds * 1000);
    else {
      const date = Date.parse(retryAfter);
      if (Number.isFinite(date)) waits.push(date - now);
    }
  }
  const reset = headers.get('x-ratelimit-reset');
  if (reset) {
    const date = /^\d+$/.test(reset) ? Number(reset) * 1000 : Date.parse(reset);
    if (Number.isFinite(date)) waits.push(date - now);
  }
  if (waits.length === 0) return undefined;
  return clamp(Math.max(...waits));
}

/** Exponential backoff for the n-th consecutive failure (1-based), with jitter from `random` in [0, 1). */
export function backoff(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
  return Math.round(base * (0.7 + 0.6 * random()));
}

export type Safety = 'idempotent' | 'create';

/** Is this status worth another attempt? A create is retried only when the server surely did nothing. */
export function retryable(status: number, safety: Safety): boolean {
  if (status === 429) return true; // refused before doing anything
  if (status === 500 || status === 502 || status === 503 || status === 504) return safety === 'idempotent';
  return false;
}
