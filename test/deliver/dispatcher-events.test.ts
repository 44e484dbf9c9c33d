/**
 * The dispatcher's event stage (idempotent routing, stale and suppressed paths, enrichment),
 * pacing, and the background loop, on a real database with a manual clock.
 */
import { getEventDetail } from '../../src/store/admin.repo.js';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { eq } from 'drizzle-orm';
import { defaultRules } from '../../src/config/rules/rules.js';
import type { EnrichOutcome } from '../../src/deliver/dispatcher.js';
import { replayEvent } from '../../src/deliver/replay.js';
import { createDispatcher } from '../../src/deliver/dispatcher.js';
import { createManualClock, systemClock } from '../../src/lib/clock.js';
import { createLogger, createSilentLogger } from '../../src/lib/logger.js';
import { routeEvent } from '../../src/route/router.js';
import { enqueueEventWork } from '../../src/store/event-work.repo.js';
import { eventWork, orders } from '../../src/store/schema.js';
import { STORE_KINDS, useTestStore, type TestStore } from '../support/store.js';
import {
  createHarness,
  createScriptedChannel,
  deliveriesOf,
  insertTestEvent,
  resetTables,
  routeToAll,
} from './support.js';

describe.each(STORE_KINDS)('dispatcher: events, pacing, loop (%s)', (kind) => {
  const store = useTestStore(kind);
  beforeEach(async () => {
    await resetTables(store.db);
  });

  const newEvent = (now: number, extra: { stale?: boolean; orderId?: string } = {}) =>
    insertTestEvent(store.db, { receivedAt: new Date(now), ...extra });
  const orderOf = async (orderId: string) => (await store.db.select().from(orders).where(eq(orders.orderId, orderId)))[0]!;

  it('writes an event’s deliveries once when it is processed again', async () => {
    const hook = createScriptedChannel('hook');
    const { clock, dispatcher } = createHarness(store, [hook]);
    const eventId = await newEvent(clock.now());
    expect(await dispatcher.tick()).toMatchObject({ deliveriesCreated: 1, delivered: 1 });
    await enqueueEventWork(store.db, eventId, new Date(clock.now()));
    expect(await dispatcher.tick()).toMatchObject({ events: 1, eventsRouted: 1, deliveriesCreated: 0, claimed: 0 });
    expect(await deliveriesOf(store.db, eventId)).toHaveLength(1);
    expect(hook.jobs).toHaveLength(1);
  });

  it('writes deliveries once when a dispatcher loses its event lease mid-way', async () => {
    const hook = createScriptedChannel('hook');
    const clock = createManualClock();
    const other = createHarness(store, [hook], { clock, leaseMs: 10_000 });
    let takeovers = 0;
    const slow = createHarness(store, [hook], {
      clock,
      leaseMs: 10_000,
      // Stalled as a whole: no heartbeat renews its lease either.
      leaseRenewMs: 0,
      // While the slow dispatcher enriches, its lease runs out and another dispatcher does the whole job.
      enrich: async () => {
        clock.advance(10_000);
        const r = await other.dispatcher.tick();
        takeovers += r.eventsRouted;
        return { kind: 'skipped' };
      },
    });
    const eventId = await newEvent(clock.now());
    expect(await slow.dispatcher.tick()).toMatchObject({ eventsRouted: 1, deliveriesCreated: 0, claimed: 0 });
    expect(takeovers).toBe(1);
    expect(await deliveriesOf(store.db, eventId)).toHaveLength(1);
    expect(hook.jobs).toHaveLength(1);
    expect(await store.db.select().from(eventWork)).toEqual([]);
  });

  it('stores a stale event as processed without notifying anyone', async () => {
    const hook = createScriptedChannel('hook');
    const { clock, dispatcher } = createHarness(store, [hook]);
    const eventId = await newEvent(clock.now(), { stale: true });
    expect(await dispatcher.tick()).toMatchObject({ eventsRouted: 1, deliveriesCreated: 0, claimed: 0 });
    expect((await getEventDetail(store.db, eventId))!.event.state).toBe('processed');
    expect(await deliveriesOf(store.db, eventId)).toEqual([]);
    expect(hook.jobs).toEqual([]);
  });

  it('says at info why a stale event notified nobody, naming the order’s current status', async () => {
    const hook = createScriptedChannel('hook');
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
    const { clock, dispatcher } = createHarness(store, [hook], { logger });
    await insertTestEvent(store.db, { receivedAt: new Date(clock.now()), orderId: 'ORD-STALE-LOG', status: 'completed' });
    expect(await dispatcher.tick()).toMatchObject({ delivered: 1 });
    const late = await insertTestEvent(store.db, { receivedAt: new Date(clock.now()), orderId: 'ORD-STALE-LOG', status: 'raised', stale: true });
    expect(await dispatcher.tick()).toMatchObject({ eventsRouted: 1, deliveriesCreated: 0 });
    const said = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.eventId === late && l.level === 30);
    expect(said).toHaveLength(1);
    expect(said[0]).toMatchObject({ orderId: 'ORD-STALE-LOG', status: 'raised', orderStatus: 'completed' });
    expect(said[0]!.msg).toContain('already completed');
  });

  it('suppresses a delivery whose channel left the rules', async () => {
    const hook = createScriptedChannel('hook');
    const gone = createScriptedChannel('gone');
    const { clock, dispatcher } = createHarness(store, [hook], { route: routeToAll(() => [hook, gone]) });
    const eventId = await newEvent(clock.now());
    expect(await dispatcher.tick()).toMatchObject({ claimed: 2, delivered: 1, suppressed: 1 });
    const suppressed = (await deliveriesOf(store.db, eventId)).find((d) => d.channel === 'gone');
    expect(suppressed).toMatchObject({ status: 'suppressed', leaseUntil: null });
    expect(suppressed!.lastError).toContain('no longer in the rules');
    clock.advance(48 * 3_600_000);
    expect((await dispatcher.tick()).claimed).toBe(0);
    expect(gone.jobs).toEqual([]);
  });

  it('plugs in the real router and rules', async () => {
    const log = createScriptedChannel('console', 'log');
    const { clock, dispatcher } = createHarness(store, [log], { getRules: defaultRules, route: routeEvent as never });
    const typed = createDispatcher({ ...depsOf(store), getRules: defaultRules, route: routeEvent });
    expect(typed.tick).toBeTypeOf('function');
    const eventId = await newEvent(clock.now());
    expect(await dispatcher.tick()).toMatchObject({ delivered: 1 });
    expect((await deliveriesOf(store.db, eventId))[0]).toMatchObject({ channel: 'console', rules: ['everything-to-log'] });
  });

  it('retries enrichment on its schedule, then routes with the order details', async () => {
    const hook = createScriptedChannel('hook');
    const outcomes: EnrichOutcome[] = [
      { kind: 'retry', reason: 'GET /order: 503' },
      { kind: 'retry', reason: 'GET /order: timeout' },
      {
        kind: 'enriched',
        details: { orderType: 'activation', numberType: 'freephone', numbers: [{ start: '+448001', end: '+448001', country: 'GB' }], customerRef: 'CUST-9' },
        body: { id: 'X', state: 'completed' },
      },
    ];
    const enrich = vi.fn(async () => outcomes.shift()!);
    const { clock, dispatcher } = createHarness(store, [hook], { enrich });
    const t0 = clock.now();
    const eventId = await newEvent(t0, { orderId: 'ORD-E' });
    expect(await dispatcher.tick()).toMatchObject({ events: 1, eventsDeferred: 1, claimed: 0 });
    const [work] = await store.db.select().from(eventWork);
    expect(work).toMatchObject({ dueAt: new Date(t0 + 10_000), leaseUntil: null, lastError: 'GET /order: 503' });
    clock.set(t0 + 9_999);
    expect((await dispatcher.tick()).events).toBe(0);
    clock.set(t0 + 10_000);
    expect(await dispatcher.tick()).toMatchObject({ eventsDeferred: 1 });
    expect((await store.db.select().from(eventWork))[0]!.dueAt).toEqual(new Date(t0 + 40_000));
    clock.set(t0 + 40_000);
    expect(await dispatcher.tick()).toMatchObject({ eventsRouted: 1, delivered: 1 });
    expect(enrich).toHaveBeenCalledTimes(3);
    expect(hook.jobs[0]!.event).toMatchObject({ eventId, numberType: 'freephone', customerRef: 'CUST-9', order: { id: 'X', state: 'completed' } });
    expect(await orderOf('ORD-E')).toMatchObject({ detailsFetchedAt: new Date(t0 + 40_000), enrichError: null });
  });

  it('routes without details when enrichment fails or runs out of tries', async () => {
    const hook = createScriptedChannel('hook');
    const enrich = vi.fn(async (e: { orderId: string }): Promise<EnrichOutcome> =>
      e.orderId === 'ORD-F' ? { kind: 'failed', reason: 'GET /order: 404' } : { kind: 'retry', reason: 'GET /order: 503' },
    );
    const { clock, dispatcher } = createHarness(store, [hook], { enrich, enrichRetrySchedule: [1] });
    await newEvent(clock.now(), { orderId: 'ORD-F' });
    await newEvent(clock.now(), { orderId: 'ORD-R' });
    expect(await dispatcher.tick()).toMatchObject({ eventsRouted: 1, eventsDeferred: 1, delivered: 1 });
    clock.advance(1_000);
    expect(await dispatcher.tick()).toMatchObject({ eventsRouted: 1, delivered: 1 });
    expect((await orderOf('ORD-F')).enrichError).toBe('GET /order: 404');
    expect((await orderOf('ORD-R')).enrichError).toBe('gave up after 2 tries: GET /order: 503');
    expect(hook.jobs.map((j) => j.event.order)).toEqual([null, null]);
  });

  it('reschedules an event whose processing throws', async () => {
    const hook = createScriptedChannel('hook');
    let fail = true;
    const { clock, dispatcher } = createHarness(store, [hook], {
      route: (rules, event) => {
        if (fail) throw new Error('rules exploded');
        return routeToAll(() => [hook])(rules, event);
      },
    });
    await newEvent(clock.now());
    expect(await dispatcher.tick()).toMatchObject({ eventsFailed: 1 });
    expect((await store.db.select().from(eventWork))[0]).toMatchObject({ lastError: 'rules exploded', leaseUntil: null });
    fail = false;
    clock.advance(10_000);
    expect(await dispatcher.tick()).toMatchObject({ eventsRouted: 1, delivered: 1 });
  });

  it('treats a channel that throws as a retryable failure', async () => {
    const hook = createScriptedChannel('hook', 'webhook', () => {
      throw new Error('socket hang up');
    });
    const { clock, dispatcher } = createHarness(store, [hook]);
    const eventId = await newEvent(clock.now());
    expect(await dispatcher.tick()).toMatchObject({ retried: 1 });
    expect((await deliveriesOf(store.db, eventId))[0]).toMatchObject({ status: 'retrying', lastError: 'channel error: socket hang up' });
  });

  it('paces Slack to one message per second per channel across ticks', async () => {
    const slack = createScriptedChannel('ops', 'slack');
    const hook = createScriptedChannel('hook');
    const { clock, dispatcher } = createHarness(store, [slack, hook]);
    for (let i = 0; i < 3; i++) await newEvent(clock.now());
    expect(await dispatcher.tick()).toMatchObject({ eventsRouted: 3, claimed: 4 });
    expect([slack.jobs.length, hook.jobs.length]).toEqual([1, 3]);
    expect((await dispatcher.tick()).claimed).toBe(0);
    clock.advance(999);
    expect((await dispatcher.tick()).claimed).toBe(0);
    clock.advance(1);
    expect((await dispatcher.tick()).claimed).toBe(1);
    clock.advance(1_000);
    expect((await dispatcher.tick()).claimed).toBe(1);
    expect(slack.jobs).toHaveLength(3);
  });

  it('delivers within milliseconds of wake() and stops gracefully', async () => {
    const hook = createScriptedChannel('hook');
    const dispatcher = createDispatcher({ ...depsOf(store), route: routeToAll(() => [hook]), getChannels: () => new Map([['hook', hook]]), pollIntervalMs: 60_000 });
    dispatcher.start();
    await vi.waitFor(async () => expect(await store.db.select().from(eventWork)).toEqual([]));
    const started = Date.now();
    await newEvent(Date.now());
    dispatcher.wake();
    await vi.waitFor(() => expect(hook.jobs).toHaveLength(1), { timeout: 5_000, interval: 5 });
    expect(Date.now() - started).toBeLessThan(2_000); // far below the 60 s poll interval
    await dispatcher.stop();
    await newEvent(Date.now());
    dispatcher.wake();
    expect(hook.jobs).toHaveLength(1);
  });
});

function depsOf(store: TestStore) {
  return {
    store,
    clock: systemClock,
    logger: createSilentLogger(),
    getRules: () => ({}),
    route: routeToAll(() => []),
    getChannels: () => new Map(),
  };
}

describe.each(STORE_KINDS)('replayEvent (%s)', (kind) => {
  const store = useTestStore(kind);

  it('queues a new generation that the dispatcher sends with a fresh id', async () => {
    const hook = createScriptedChannel('hook');
    const { clock, dispatcher } = createHarness(store, [hook]);
    const eventId = await insertTestEvent(store.db, { receivedAt: new Date(clock.now()) });
    await dispatcher.tick();
    const deps = { store, clock, getRules: () => ({}), route: routeToAll(() => [hook]) };
    const first = await replayEvent(deps, eventId);
    const second = await replayEvent(deps, eventId);
    expect(first).toMatchObject({ found: true, generation: 1, skippedStale: false });
    expect(second).toMatchObject({ found: true, generation: 2 });
    expect(await replayEvent(deps, '00000000-0000-7000-8000-000000000000')).toEqual({ found: false });
    expect(await dispatcher.tick()).toMatchObject({ claimed: 2, delivered: 2 });
    const rows = await deliveriesOf(store.db, eventId);
    expect(rows.map((r) => r.generation).sort()).toEqual([0, 1, 2]);
    expect(new Set(hook.jobs.map((j) => j.id)).size).toBe(3);
  });
});
