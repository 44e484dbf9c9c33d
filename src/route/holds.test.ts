import { describe, expect, it } from 'vitest';
import type { ChannelConfig } from '../config/channel-config.js';
import type { NormalisedEvent } from '../event/event.js';
import { holdsFor, type ChannelHoldState } from './holds.js';

const event = { status: 'failed', orderId: 'IN-1' } as NormalisedEvent;
const at = new Date('2026-03-30T22:00:00Z');
const free: ChannelHoldState = { disabledAt: null, disabledReason: null, disabledBy: null, pausedUntil: null, nextSendAt: null };
const slack: ChannelConfig = {
  type: 'slack',
  channel: 'C1',
  quietHours: { tz: 'Europe/London', from: '20:00', to: '07:00', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] },
  rateLimit: { count: 20, periodMs: 60_000, text: '20/min' },
};

describe('holdsFor', () => {
  it('offline (no state) only quiet hours can hold', () => {
    expect(holdsFor('s', slack, event, at)).toEqual([
      { reason: 'quiet_hours', until: new Date('2026-03-31T06:00:00Z'), text: expect.stringMatching(/^quiet hours until 07:00 Europe\/London/) },
    ]);
    expect(holdsFor('s', slack, event, new Date('2026-03-30T12:00:00Z'))).toEqual([]);
  });

  it('a pause and a rate limit with work queued ahead say until when', () => {
    const noon = new Date('2026-03-30T12:00:00Z');
    const state = new Map([['s', { ...free, pausedUntil: new Date(noon.getTime() + 30_000), nextSendAt: new Date(noon.getTime() + 3_000), queued: 10 }]]);
    expect(holdsFor('s', slack, event, noon, { channels: state })).toEqual([
      { reason: 'paused', until: new Date(noon.getTime() + 30_000), text: 'paused until 2026-03-30T12:00:30Z: the receiver asked to wait (Retry-After)' },
      { reason: 'rate_limited', until: new Date(noon.getTime() + 33_000), text: 'rate limit 20/min: 10 deliveries queued ahead, sent in about 33s (2026-03-30T12:00:33Z)' },
    ]);
    // An idle rate-limited channel holds nothing; a channel without a rateLimit is never "rate limited".
    expect(holdsFor('s', slack, event, noon, { channels: new Map([['s', free]]) })).toEqual([]);
    expect(holdsFor('w', { type: 'log' }, event, noon, { channels: new Map([['w', { ...free, queued: 50 }]]) })).toEqual([]);
  });

  it('a disable needs someone to act: no until', () => {
    const state = new Map([['s', { ...free, disabledAt: at, disabledBy: 'gone', disabledReason: '410 HTTP 410 Gone' }]]);
    expect(holdsFor('s', { type: 'log' }, event, at, { channels: state })).toEqual([
      { reason: 'disabled', until: null, text: 'channel disabled by the receiver (HTTP 410): 410 HTTP 410 Gone; held until it is enabled' },
    ]);
  });
});
