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

describe('batcher abort', () => {
  it('an item aborted while queued is never flushed; one aborted while its batch is written still settles with it', async () => {
    const flushes: number[][] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const batcher = createBatcher<number, number>({
      flush: async (items) => {
        flushes.push(items);
        await held;
        return items.map((n) => n * 10);
      },
      maxConcurrent: 1,
    });
    const writing = new AbortController();
    const first = batcher.submit(1, writing.signal);
    await new Promise((r) => setImmediate(r)); // the first batch is out
    const queued = new AbortController();
    const second = batcher.submit(2, queued.signal);
    const third = batcher.submit(3);
    queued.abort(new Error('deadline'));
    writing.abort(new Error('deadline'));
    await expect(second).rejects.toThrow('deadline');
    release();
    expect(await first).toBe(10);
    expect(await third).toBe(30);
    expect(flushes).toEqual([[1], [3]]);
  });
});
