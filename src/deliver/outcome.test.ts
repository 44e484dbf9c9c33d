import { describe, expect, it } from 'vitest';
import { mapWithConcurrency } from './concurrency.js';
import { decideDelivery } from './outcome.js';

const now = Date.parse('2026-11-26T10:00:00Z');
const base = { now, schedule: [0, 5, 60], random: () => 0.5 };
const after = (ms: number) => new Date(now + ms);

describe('decideDelivery', () => {
  it('delivers on ok', () => {
    expect(decideDelivery({ ok: true }, { ...base, attempts: 1 })).toEqual({ kind: 'delivered' });
  });

  it('retries a retryable failure on the schedule, then gives up', () => {
    const fail = { ok: false as const, retryable: true, reason: '500' };
    expect(decideDelivery(fail, { ...base, attempts: 1 })).toEqual({ kind: 'retry', nextAttemptAt: after(5_000) });
    expect(decideDelivery(fail, { ...base, attempts: 2 })).toEqual({ kind: 'retry', nextAttemptAt: after(60_000) });
    expect(decideDelivery(fail, { ...base, attempts: 3 })).toEqual({ kind: 'dead', attemptOutcome: 'dead' });
  });

  it('fails a permanent error at once, and disables the channel when asked', () => {
    expect(decideDelivery({ ok: false, retryable: false, reason: 'invalid_auth' }, { ...base, attempts: 1 })).toEqual({
      kind: 'dead',
      attemptOutcome: 'failed',
    });
    expect(
      decideDelivery({ ok: false, retryable: false, reason: '410', disableChannel: true }, { ...base, attempts: 1 }),
    ).toEqual({ kind: 'dead', attemptOutcome: 'failed', disableChannel: true });
  });

  it('pauses the channel for a Retry-After (capped at 1 h) and waits at least as long', () => {
    const limited = { ok: false as const, retryable: true, reason: '429', code: '429', retryAfterMs: 30_000 };
    expect(decideDelivery(limited, { ...base, attempts: 1 })).toEqual({
      kind: 'retry',
      nextAttemptAt: after(30_000),
      pauseUntil: after(30_000),
    });
    const long = { ...limited, retryAfterMs: 3 * 3_600_000 };
    expect(decideDelivery(long, { ...base, attempts: 1 })).toMatchObject({ pauseUntil: after(3_600_000) });
    // Exhausted, the delivery dies but the channel still honours the peer.
    expect(decideDelivery(limited, { ...base, attempts: 3 })).toEqual({
      kind: 'dead',
      attemptOutcome: 'dead',
      pauseUntil: after(30_000),
    });
  });

  it('waits at least a minute after a timeout or a 429 without Retry-After', () => {
    for (const code of ['429', 'timeout']) {
      expect(decideDelivery({ ok: false, retryable: true, reason: code, code }, { ...base, attempts: 1 })).toEqual({
        kind: 'retry',
        nextAttemptAt: after(60_000),
      });
    }
  });
});

describe('mapWithConcurrency', () => {
  it('keeps order and never exceeds the limit', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapWithConcurrency([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      peak = Math.max(peak, ++inFlight);
      await Promise.resolve();
      inFlight--;
      return n * 2;
    });
    expect(out).toEqual([2, 4, 6, 8, 10, 12, 14]);
    expect(peak).toBe(3);
    expect(await mapWithConcurrency([], 3, async () => 1)).toEqual([]);
  });
});
