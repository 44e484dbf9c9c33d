import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

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
});
