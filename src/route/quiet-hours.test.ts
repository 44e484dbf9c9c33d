import { describe, expect, it } from 'vitest';
import { WEEKDAYS } from '../config/channel-config.js';
import type { QuietHoursConfig, Weekday } from '../config/channel-config.js';
import { describeQuietEnd, quietUntil } from './quiet-hours.js';

const quiet = (from: string, to: string, tz = 'Europe/London', days: Weekday[] = [...WEEKDAYS]): QuietHoursConfig => ({ tz, from, to, days });
const until = (q: QuietHoursConfig, iso: string) => quietUntil(q, new Date(iso))?.toISOString() ?? null;

describe('quietUntil', () => {
  const night = quiet('20:00', '07:00');

  it('holds a window that crosses midnight, from its start to its end (end exclusive)', () => {
    // 2026-01-14 is a Wednesday; London is on GMT (UTC+0) in January.
    expect(until(night, '2026-01-14T19:59:59Z')).toBeNull();
    expect(until(night, '2026-01-14T20:00:00Z')).toBe('2026-01-15T07:00:00.000Z');
    expect(until(night, '2026-01-14T23:59:00Z')).toBe('2026-01-15T07:00:00.000Z');
    expect(until(night, '2026-01-15T00:00:00Z')).toBe('2026-01-15T07:00:00.000Z');
    expect(until(night, '2026-01-15T06:59:59.999Z')).toBe('2026-01-15T07:00:00.000Z');
    expect(until(night, '2026-01-15T07:00:00Z')).toBeNull();
    expect(until(night, '2026-01-15T12:00:00Z')).toBeNull();
  });

  it('holds a window within one day', () => {
    const lunch = quiet('12:00', '13:30', 'UTC');
    expect(until(lunch, '2026-01-14T11:59:00Z')).toBeNull();
    expect(until(lunch, '2026-01-14T12:00:00Z')).toBe('2026-01-14T13:30:00.000Z');
    expect(until(lunch, '2026-01-14T13:30:00Z')).toBeNull();
  });

  it('reads the wall clock in the zone, with its summer offset', () => {
    // July: London is on BST (UTC+1), so 20:00–07:00 local is 19:00–06:00 UTC.
    expect(until(night, '2026-07-01T18:59:00Z')).toBeNull();
    expect(until(night, '2026-07-01T19:00:00Z')).toBe('2026-07-02T06:00:00.000Z');
    // New York in winter (UTC-5): 22:00 local on the 14th is 03:00 UTC on the 15th.
    const ny = quiet('22:00', '06:00', 'America/New_York');
    expect(until(ny, '2026-01-15T03:00:00Z')).toBe('2026-01-15T11:00:00.000Z');
    expect(until(ny, '2026-01-15T02:59:00Z')).toBeNull();
  });

  it('ends at 07:00 local on the night the clocks go forward (06:00 UTC)', () => {
    // 2026-03-29 01:00 UTC: London moves from GMT to BST. The window started at 20:00 GMT.
    expect(until(night, '2026-03-28T20:00:00Z')).toBe('2026-03-29T06:00:00.000Z');
    expect(until(night, '2026-03-29T00:30:00Z')).toBe('2026-03-29T06:00:00.000Z');
    expect(until(night, '2026-03-29T05:59:00Z')).toBe('2026-03-29T06:00:00.000Z');
    expect(until(night, '2026-03-29T06:00:00Z')).toBeNull();
    // That evening 20:00 BST is 19:00 UTC.
    expect(until(night, '2026-03-29T18:59:00Z')).toBeNull();
    expect(until(night, '2026-03-29T19:00:00Z')).toBe('2026-03-30T06:00:00.000Z');
  });

  it('ends at 07:00 local on the night the clocks go back (07:00 UTC)', () => {
    // 2026-10-25 01:00 UTC: London moves from BST back to GMT. The window started at 20:00 BST = 19:00 UTC.
    expect(until(night, '2026-10-24T18:59:00Z')).toBeNull();
    expect(until(night, '2026-10-24T19:00:00Z')).toBe('2026-10-25T07:00:00.000Z');
    expect(until(night, '2026-10-25T06:30:00Z')).toBe('2026-10-25T07:00:00.000Z');
    expect(until(night, '2026-10-25T07:00:00Z')).toBeNull();
  });

  it('a time skipped by spring forward is the moment the clock jumps', () => {
    // 01:30 does not exist in London on 2026-03-29: the clock jumps from 01:00 GMT to 02:00 BST at 01:00 UTC.
    const toSkipped = quiet('22:00', '01:30');
    expect(until(toSkipped, '2026-03-29T00:59:00Z')).toBe('2026-03-29T01:00:00.000Z');
    expect(until(toSkipped, '2026-03-29T01:00:00Z')).toBeNull();
    const fromSkipped = quiet('01:30', '05:00');
    expect(until(fromSkipped, '2026-03-29T00:59:00Z')).toBeNull();
    expect(until(fromSkipped, '2026-03-29T01:00:00Z')).toBe('2026-03-29T04:00:00.000Z');
    // A day later 01:30 exists again (BST): 00:30 UTC.
    expect(until(fromSkipped, '2026-03-30T00:29:00Z')).toBeNull();
    expect(until(fromSkipped, '2026-03-30T00:30:00Z')).toBe('2026-03-30T04:00:00.000Z');
  });

  it('a time repeated by fall back is its first occurrence', () => {
    // 01:30 happens twice in London on 2026-10-25: 00:30 UTC (BST) and 01:30 UTC (GMT).
    const toRepeated = quiet('22:00', '01:30');
    expect(until(toRepeated, '2026-10-25T00:29:00Z')).toBe('2026-10-25T00:30:00.000Z');
    expect(until(toRepeated, '2026-10-25T00:30:00Z')).toBeNull();
    expect(until(toRepeated, '2026-10-25T01:15:00Z')).toBeNull();
  });

  it('days are the days a window starts on', () => {
    const weekdays = quiet('20:00', '07:00', 'UTC', ['mon', 'tue', 'wed', 'thu', 'fri']);
    // Friday 2026-01-16 20:00 starts a window that runs into Saturday morning.
    expect(until(weekdays, '2026-01-16T20:00:00Z')).toBe('2026-01-17T07:00:00.000Z');
    expect(until(weekdays, '2026-01-17T06:00:00Z')).toBe('2026-01-17T07:00:00.000Z');
    // Saturday evening starts no window, so Sunday morning is not held either.
    expect(until(weekdays, '2026-01-17T21:00:00Z')).toBeNull();
    expect(until(weekdays, '2026-01-18T06:00:00Z')).toBeNull();
    // Sunday evening starts none, but Monday morning belongs to no window either (it would have started Sunday).
    expect(until(weekdays, '2026-01-19T06:00:00Z')).toBeNull();
    expect(until(weekdays, '2026-01-19T20:00:00Z')).toBe('2026-01-20T07:00:00.000Z');
  });

  it('a window starting on a listed day is held into a day that is not listed', () => {
    const sundayNight = quiet('23:00', '02:00', 'Europe/Paris', ['sun']);
    // Sunday 2026-01-18 23:00 Paris (UTC+1) = 22:00 UTC, until Monday 02:00 Paris = 01:00 UTC.
    expect(until(sundayNight, '2026-01-18T22:00:00Z')).toBe('2026-01-19T01:00:00.000Z');
    expect(until(sundayNight, '2026-01-19T00:30:00Z')).toBe('2026-01-19T01:00:00.000Z');
    expect(until(sundayNight, '2026-01-19T22:30:00Z')).toBeNull();
  });

  it('reads a window end for people', () => {
    expect(describeQuietEnd(night, new Date('2026-03-29T06:00:00Z'))).toBe('07:00 Europe/London (2026-03-29T06:00:00Z)');
  });
});
