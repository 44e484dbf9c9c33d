import { describe, expect, it } from 'vitest';
import { newId } from './ids.js';

describe('newId', () => {
  it('is a UUIDv7 carrying the millisecond timestamp', () => {
    for (const ms of [0, 1, 0xff, 0x1000000, 1_764_000_000_123, 2 ** 48 - 1]) {
      const id = newId(ms);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(id.replace('-', '').slice(0, 12)).toBe(ms.toString(16).padStart(12, '0'));
    }
  });

  it('is unique and sorts by time', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => newId(1_764_000_000_000 + Math.floor(i / 10)));
    expect(new Set(ids).size).toBe(ids.length);
    const byTime = ids.map((id) => id.slice(0, 13));
    expect([...byTime].sort()).toEqual(byTime);
  });
});
