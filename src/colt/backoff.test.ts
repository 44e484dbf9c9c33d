import { describe, expect, it } from 'vitest';
import { backoffDelayMs, parseRetryAfter } from './backoff.js';

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-26T10:00:00Z');

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
  });

  it('reads an HTTP-date relative to the clock, past dates as 0', () => {
    expect(parseRetryAfter('Thu, 26 Nov 2026 10:00:42 GMT', now)).toBe(42_000);
    expect(parseRetryAfter('Thu, 26 Nov 2026 09:00:00 GMT', now)).toBe(0);
  });

  it.each([null, undefined, '', 'soon', '1.5', '-3'])('gives null for %j', (value) => {
    expect(parseRetryAfter(value, now)).toBeNull();
  });
});

describe('backoffDelayMs', () => {
  const options = { baseMs: 500, maxMs: 8000 };

  it('doubles per retry, with half the delay jittered', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(n, options, () => 0))).toEqual([250, 500, 1000, 2000]);
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(n, options, () => 0.999999))).toEqual([500, 1000, 2000, 4000]);
  });

  it('is capped', () => {
    expect(backoffDelayMs(20, options, () => 0.999999)).toBe(8000);
  });
});
