import { describe, expect, it } from 'vitest';
import {
  cappedRetryAfterMs,
  ENRICH_RETRY_SCHEDULE_S,
  MAX_RETRY_AFTER_MS,
  maxAttempts,
  nextRetryDelayMs,
  RETRY_SCHEDULE_S,
  SLOW_DOWN_FLOOR_MS,
} from './retry.js';

const low = () => 0;
const mid = () => 0.5;
const high = () => 0.999999;

describe('nextRetryDelayMs', () => {
  it('follows the default schedule without jitter at the midpoint', () => {
    const delays = RETRY_SCHEDULE_S.slice(1).map((_, i) => nextRetryDelayMs(i + 1, { random: mid }));
    expect(delays).toEqual([5_000, 60_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
  });

  it('totals about 28 hours over nine attempts', () => {
    expect(maxAttempts()).toBe(9);
    const totalH = RETRY_SCHEDULE_S.reduce((a, b) => a + b, 0) / 3600;
    expect(totalH).toBeGreaterThan(27);
    expect(totalH).toBeLessThan(29);
  });

  it('keeps jitter within ±20 %', () => {
    expect(nextRetryDelayMs(2, { random: low })).toBe(48_000);
    expect(nextRetryDelayMs(2, { random: high })).toBeCloseTo(72_000, -1);
    for (let i = 0; i < 200; i++) {
      const d = nextRetryDelayMs(3, { random: Math.random })!;
      expect(d).toBeGreaterThanOrEqual(240_000);
      expect(d).toBeLessThanOrEqual(360_000);
    }
  });

  it('returns null once the schedule is exhausted', () => {
    expect(nextRetryDelayMs(8, { random: mid })).toBe(36_000_000);
    expect(nextRetryDelayMs(9, { random: mid })).toBeNull();
    expect(nextRetryDelayMs(2, { random: mid, schedule: [0, 1] })).toBeNull();
  });

  it('uses a schedule passed in', () => {
    expect(nextRetryDelayMs(1, { random: mid, schedule: [0, 2, 4] })).toBe(2_000);
    expect(nextRetryDelayMs(0, { random: mid, schedule: ENRICH_RETRY_SCHEDULE_S })).toBe(10_000);
  });

  it('honours Retry-After when longer than the schedule, capped at one hour', () => {
    expect(nextRetryDelayMs(1, { random: mid, retryAfterMs: 120_000 })).toBe(120_000);
    expect(nextRetryDelayMs(1, { random: mid, retryAfterMs: 1_000 })).toBe(5_000);
    expect(nextRetryDelayMs(1, { random: mid, retryAfterMs: 5 * 3600_000 })).toBe(MAX_RETRY_AFTER_MS);
    // The schedule may still ask for longer than the cap.
    expect(nextRetryDelayMs(6, { random: mid, retryAfterMs: 5 * 3600_000 })).toBe(18_000_000);
  });

  it('enforces a floor when asked (timeout, 429 without Retry-After)', () => {
    expect(nextRetryDelayMs(1, { random: mid, minDelayMs: SLOW_DOWN_FLOOR_MS })).toBe(60_000);
    expect(nextRetryDelayMs(3, { random: mid, minDelayMs: SLOW_DOWN_FLOOR_MS })).toBe(300_000);
  });

  it('caps Retry-After between 0 and one hour', () => {
    expect(cappedRetryAfterMs(-5)).toBe(0);
    expect(cappedRetryAfterMs(10_000)).toBe(10_000);
    expect(cappedRetryAfterMs(10 * 3600_000)).toBe(MAX_RETRY_AFTER_MS);
  });
});
