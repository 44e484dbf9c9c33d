import { count, sum } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../lib/clock.js';
import { createSilentLogger } from '../../lib/logger.js';
import type { Store } from '../../store/db.js';
import { callbackRefusals } from '../../store/schema.js';
import { STORE_KINDS, useTestStore } from '../../../test/support/store.js';
import { createIsolateRefusals, REFUSAL_WRITE_AFTER, REFUSAL_WRITE_MS } from './refusals.js';

const refusal = (remoteAddr: string, at: number) => ({
  at: new Date(at),
  remoteAddr,
  reason: 'unauthorized',
  statusCode: 401,
  message: 'wrong token',
  path: '/callbacks/colt',
});

/** A store that counts the statements run through it. */
function counting(store: Store): Store & { statements(): number } {
  let statements = 0;
  const db = new Proxy(store.db, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (key !== 'insert' && key !== 'delete') return typeof value === 'function' ? value.bind(target) : value;
      return (...args: unknown[]) => {
        statements++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { ...store, db, statements: () => statements };
}

describe.each(STORE_KINDS)("an isolate's refusal counts (%s)", (kind) => {
  const store = useTestStore(kind);

  it('writes at once when quiet, then at most once per interval: the second refusal waits, the third rides along', async () => {
    const clock = createManualClock(Date.now());
    const sleeps: number[] = [];
    const db = counting(store);
    const refusals = createIsolateRefusals(db, createSilentLogger(), {
      clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock.advance(ms);
      },
    });
    await refusals.record(refusal('198.18.0.1', clock.now()));
    await refusals.settle();
    expect(db.statements()).toBe(1);
    expect(sleeps).toEqual([]);

    clock.advance(200);
    await refusals.record(refusal('198.18.0.2', clock.now()));
    const waiting = refusals.settle();
    // A third refusal while the second's invocation waits: its own invocation returns at once.
    await refusals.record(refusal('198.18.0.3', clock.now()));
    await refusals.settle();
    await waiting;
    expect(sleeps).toEqual([REFUSAL_WRITE_MS - 200]);
    expect(db.statements()).toBe(2);
    const [written] = await store.db.select({ pairs: count(), refusals: sum(callbackRefusals.count) }).from(callbackRefusals);
    expect(written).toMatchObject({ pairs: 3 });
    expect(Number(written!.refusals)).toBe(3);
    // Nothing left: another settle writes nothing.
    await refusals.settle();
    expect(db.statements()).toBe(2);
  });

  it(`writes at once after ${REFUSAL_WRITE_AFTER} refusals, without waiting for the interval`, async () => {
    const clock = createManualClock(Date.now());
    const sleeps: number[] = [];
    const refusals = createIsolateRefusals(store, createSilentLogger(), { clock, sleep: async (ms) => void sleeps.push(ms) });
    await refusals.record(refusal('198.19.0.0', clock.now()));
    await refusals.settle();
    for (let i = 1; i <= REFUSAL_WRITE_AFTER; i++) await refusals.record(refusal(`198.19.${i >> 8}.${i & 255}`, clock.now()));
    await refusals.settle();
    expect(sleeps).toEqual([]);
    const [written] = await store.db.select({ refusals: sum(callbackRefusals.count) }).from(callbackRefusals);
    expect(Number(written!.refusals)).toBeGreaterThanOrEqual(REFUSAL_WRITE_AFTER + 1);
  });
});
