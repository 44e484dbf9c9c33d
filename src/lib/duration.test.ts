import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, parseSince } from './duration.js';

describe('durations', () => {
  it('reads s, m, h and d', () => {
    expect(parseDuration('2s')).toBe(2_000);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('3d')).toBe(259_200_000);
    expect(parseDuration(' 1.5M ')).toBe(90_000);
  });

  it('refuses numbers without a unit and unknown units', () => {
    for (const bad of ['2', '2w', 'h', '', '-1h', '2 hours']) expect(parseDuration(bad), bad).toBeNull();
  });

  it('formats back', () => {
    expect(formatDuration(7_200_000)).toBe('2h');
    expect(formatDuration(90_000)).toBe('1.5m');
    expect(formatDuration(3_000)).toBe('3s');
  });

  it('reads since as an ISO time or a duration back from now', () => {
    const now = Date.parse('2026-11-26T12:00:00Z');
    expect(parseSince('2h', now)).toEqual(new Date('2026-11-26T10:00:00Z'));
    expect(parseSince('2026-11-25T08:30:00Z', now)).toEqual(new Date('2026-11-25T08:30:00Z'));
    expect(parseSince('2026-11-25', now)).toEqual(new Date('2026-11-25T00:00:00Z'));
    for (const bad of ['yesterday', '2', '2026-13-45T00:00:00Z', '']) expect(parseSince(bad, now), bad).toBeNull();
  });
});
