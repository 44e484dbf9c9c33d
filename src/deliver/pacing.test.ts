import { describe, expect, it } from 'vitest';
import { channelIntervals, channelSendIntervalMs, quietHold } from './pacing.js';

describe('channelSendIntervalMs', () => {
  const types = { slack: 1_000 };
  it('spaces sends by period / N, or by the type\'s interval when that is longer', () => {
    expect(channelSendIntervalMs('webhook', { count: 10, periodMs: 60_000, text: '10/min' }, types)).toBe(6_000);
    expect(channelSendIntervalMs('slack', { count: 120, periodMs: 60_000, text: '120/min' }, types)).toBe(1_000);
    expect(channelSendIntervalMs('slack', undefined, types)).toBe(1_000);
    expect(channelSendIntervalMs('log', undefined, types)).toBe(0);
    expect(channelSendIntervalMs('email', { count: 7, periodMs: 3_600_000, text: '7/h' }, types)).toBe(514_286);
  });

  it('lists only channels with a rateLimit', () => {
    expect(
      channelIntervals(
        { a: { type: 'slack', rateLimit: { count: 20, periodMs: 60_000, text: '20/min' } }, b: { type: 'slack' }, c: { type: 'log' } },
        types,
      ),
    ).toEqual({ a: 3_000 });
  });
});

describe('quietHold', () => {
  it('says until when and why', () => {
    const q = { tz: 'Europe/London', from: '20:00', to: '07:00', days: ['sat' as const] };
    expect(quietHold(q, new Date('2026-03-29T00:30:00Z'))).toEqual({
      until: new Date('2026-03-29T06:00:00Z'),
      note: 'held: quiet hours until 07:00 Europe/London (2026-03-29T06:00:00Z)',
    });
    expect(quietHold(q, new Date('2026-03-29T06:00:00Z'))).toBeNull();
    expect(quietHold(undefined, new Date('2026-03-29T00:30:00Z'))).toBeNull();
  });
});
