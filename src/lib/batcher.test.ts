import { describe, expect, it } from 'vitest';
import { createBatcher } from './batcher.js';

/** A flush that fails a whole batch when any item in it is negative, like one SQL statement. */
function poisonedFlush(flushes: number[][]) {
  return async (items: number[]) => {
    flushes.push(items);
    if (items.some((n) => n < 0)) throw Object.assign(new Error('bad item'), { code: '22P05' });
    return items.map((n) => n * 10);
  };
}

describe('batcher isolation', () => {
  it('bisects a failed batch: innocent items succeed, only the bad one fails, in far fewer flushes than one per item', async () => {
    const flushes: number[][] = [];
    const batcher = createBatcher<number, number>({ flush: poisonedFlush(flushes), maxBatch: 64, maxConcurrent: 1, isolate: () => true });
    const items = Array.from({ length: 64 }, (_, i) => (i === 37 ? -1 : i));
    const results = await Promise.allSettled(items.map((n) => batcher.submit(n)));
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(1);
    expect((results[37] as PromiseRejectedResult).reason.message).toBe('bad item');
    expect(results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<number>).value)).toEqual(
      items.filter((n) => n >= 0).map((n) => n * 10),
    );
    expect(flushes.length).toBeLessThanOrEqual(1 + 2 * Math.log2(64));
  });

  it('fails the whole batch at once when isolate says splitting cannot help (the store is down)', async () => {
    const flushes: number[][] = [];
    const batcher = createBatcher<number, number>({ flush: poisonedFlush(flushes), maxConcurrent: 1, isolate: () => false });
    const results = await Promise.allSettled([1, -1, 2].map((n) => batcher.submit(n)));
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(flushes).toHaveLength(1);
  });
});
