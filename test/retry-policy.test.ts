import { describe, expect, it } from 'vitest';
import { MAX_WAIT_MS, MIN_WAIT_MS, backoff, requestedWait, retryable } from '../src/targets/retry-policy.js';

describe('the retry policy (TARGETS.md §4.2)', () => {
  const now = Date.parse('2026-11-29T12:00:00Z');

  it('honours Retry-After in seconds or as a date, and X-RateLimit-Reset, taking the longest', () => {
    expect(requestedWait(new Headers({ 'Retry-After': '7' }), now)).toBe(7000);
    expect(requestedWait(new Headers({ 'Retry-After': 'Sun, 29 Nov 2026 12:00:30 GMT' }), now)).toBe(30_000);
    expect(requestedWait(new Headers({ 'Retry-After': '2', 'X-RateLimit-Reset': '2026-11-29T12:00:10Z' }), now)).toBe(10_000);
    expect(requestedWait(new Headers(), now)).toBeUndefined();
  });

  it('clamps absurd waits, such as Long.MAX, and zero', () => {
    expect(requestedWait(new Headers({ 'Retry-After': '9223372036854775807' }), now)).toBe(MAX_WAIT_MS);
    expect(requestedWait(new Headers({ 'Retry-After': '0' }), now)).toBe(MIN_WAIT_MS);
  });

  it('backs off exponentially with jitter, up to a minute', () => {
    expect(backoff(1, () => 0.5)).toBe(1000);
    expect(backoff(3, () => 0.5)).toBe(4000);
    expect(backoff(20, () => 0.5)).toBe(60_000);
    expect(backoff(1, () => 0)).toBe(700);
  });

  it('never retries a create whose outcome is unknown, nor a refusal', () => {
    expect(retryable(429, 'create')).toBe(true);
    expect(retryable(503, 'create')).toBe(false);
    expect(retryable(503, 'idempotent')).toBe(true);
    for (const status of [400, 401, 403, 404, 409]) expect(retryable(status, 'idempotent')).toBe(false);
  });
});
