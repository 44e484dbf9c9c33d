import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './backoff.js';

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
