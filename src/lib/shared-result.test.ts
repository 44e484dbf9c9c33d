import { describe, expect, it } from 'vitest';
import { createManualClock } from './clock.js';
import { sharedResult } from './shared-result.js';

describe('sharedResult', () => {
  it('one run for concurrent callers, reused for maxAgeMs after it started, then run again', async () => {
    const clock = createManualClock(0);
    let runs = 0;
    const shared = sharedResult(async () => ++runs, { maxAgeMs: 5000, now: () => clock.now() });
    expect(await Promise.all([shared(), shared(), shared()])).toEqual([1, 1, 1]);
    clock.advance(4999);
    expect(await shared()).toBe(1);
    clock.advance(1);
    expect(await shared()).toBe(2);
  });

  it('a failure reaches the callers that waited for it and is not kept', async () => {
    let fail = true;
    let runs = 0;
    const shared = sharedResult(
      async () => {
        runs++;
        if (fail) throw new Error('down');
        return 'ok';
      },
      { maxAgeMs: 5000 },
    );
    const results = await Promise.allSettled([shared(), shared()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(runs).toBe(1);
    fail = false;
    expect(await shared()).toBe('ok');
    expect(runs).toBe(2);
  });
});
