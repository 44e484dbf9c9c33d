/**
 * Scale-out (docs/design.md#scale-out): two workers with their own database handles share one outbox.
 * Every event is routed once and every delivery succeeds exactly once, retries included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count } from 'drizzle-orm';
import type { DeliveryJob, SendResult } from '../../src/deliver/channel.js';
import { createManualClock } from '../../src/lib/clock.js';
import { openPostgresStore, type Store } from '../../src/store/db.js';
import { deliveries, deliveryAttempts, eventWork } from '../../src/store/schema.js';
import { createTestStore, STORE_KINDS, type TestStore } from '../support/store.js';
import { createHarness, createScriptedChannel, insertTestEvent } from './support.js';

const EVENTS = 40;
const CHANNELS = 2;

describe.each(STORE_KINDS)('two workers on one database (%s)', (kind) => {
  let store: TestStore;
  let second: Store;
  beforeAll(async () => {
    store = await createTestStore(kind);
    // PGlite is one connection in one process: both workers share the handle there.
    second = store.url ? await openPostgresStore({ url: store.url, max: 5 }) : store;
  });
  afterAll(async () => {
    if (second !== store) await second?.close();
    await store?.close();
  });

  it(`routes ${EVENTS} events once and sends each of their ${EVENTS * CHANNELS} deliveries exactly once`, async () => {
    const okSends = new Map<string, number>();
    const allSends = new Map<string, number>();
    // Every delivery's first attempt fails for one in four events, so retries contend too.
    const script = async (job: DeliveryJob): Promise<SendResult> => {
      allSends.set(job.id, (allSends.get(job.id) ?? 0) + 1);
      await new Promise((resolve) => setImmediate(resolve)); // let the other dispatcher interleave
      if (job.attempt === 1 && Number.parseInt(job.event.orderId.slice(4), 10) % 4 === 0) {
        return { ok: false, retryable: true, reason: 'flaky', code: '502' };
      }
      okSends.set(job.id, (okSends.get(job.id) ?? 0) + 1);
      return { ok: true, code: '200' };
    };
    const channels = [createScriptedChannel('a', 'webhook', script), createScriptedChannel('b', 'log', script)];
    const clock = createManualClock();
    const options = { clock, batchSize: 7, concurrency: 4, leaseMs: 60_000 };
    const w1 = createHarness(store, channels, options).dispatcher;
    const w2 = createHarness(second, channels, options).dispatcher;
    for (let i = 0; i < EVENTS; i++) {
      await insertTestEvent(store.db, { receivedAt: new Date(clock.now()), orderId: `ORD-${i}` });
    }

    const totals = { w1: 0, w2: 0, leaseLost: 0, errors: 0 };
    for (let round = 0; round < 20; round++) {
      const [r1, r2] = await Promise.all([w1.tick(), w2.tick()]);
      totals.w1 += r1.claimed + r1.events;
      totals.w2 += r2.claimed + r2.events;
      totals.leaseLost += r1.leaseLost + r2.leaseLost;
      totals.errors += r1.errors + r2.errors + r1.eventsFailed + r2.eventsFailed;
      if (r1.idle && r2.idle) clock.advance(120_000);
    }

    const rows = await store.db.select().from(deliveries);
    expect(rows).toHaveLength(EVENTS * CHANNELS);
    expect(rows.every((r) => r.status === 'delivered')).toBe(true);
    expect(okSends.size).toBe(EVENTS * CHANNELS);
    expect([...okSends.values()].every((n) => n === 1)).toBe(true);
    const [{ n: attempts } = { n: -1 }] = await store.db.select({ n: count() }).from(deliveryAttempts);
    const sends = [...allSends.values()].reduce((a, b) => a + b, 0);
    expect(attempts).toBe(sends);
    expect(sends).toBe(EVENTS * CHANNELS + (EVENTS / 4) * CHANNELS);
    expect(await store.db.select().from(eventWork)).toEqual([]);
    expect(totals).toMatchObject({ leaseLost: 0, errors: 0 });
    // Both workers did a share of the work.
    expect(totals.w1).toBeGreaterThan(0);
    expect(totals.w2).toBeGreaterThan(0);
  });

  it('paces a Slack channel across both workers: one send per interval', async () => {
    const slack = createScriptedChannel('ops', 'slack', async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return { ok: true, code: 'ok' };
    });
    const clock = createManualClock(Date.parse('2026-12-01T00:00:00Z'));
    const w1 = createHarness(store, [slack], { clock }).dispatcher;
    const w2 = createHarness(second, [slack], { clock }).dispatcher;
    for (let i = 0; i < 5; i++) await insertTestEvent(store.db, { receivedAt: new Date(clock.now()), orderId: `SL-${i}` });
    expect(await w1.tick()).toMatchObject({ eventsRouted: 5, claimed: 1 }); // routes all five, sends one
    const perSecond: number[] = [];
    for (let s = 0; s < 5; s++) {
      const before = slack.jobs.length;
      await Promise.all([w1.tick(), w2.tick(), w1.tick(), w2.tick()]);
      perSecond.push(slack.jobs.length - before);
      clock.advance(1_000);
    }
    expect(perSecond).toEqual([0, 1, 1, 1, 1]);
    expect(new Set(slack.jobs.map((j) => j.id)).size).toBe(5);
  });
});
