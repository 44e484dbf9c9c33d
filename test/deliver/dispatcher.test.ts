/** The dispatcher end to end on a real database, driven by tick() and a manual clock. */
import { getEventDetail } from '../../src/store/admin.repo.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { getChannelStates } from '../../src/store/channel-state.repo.js';
import { claimDueDeliveries, insertDeliveries } from '../../src/store/deliveries.repo.js';
import { recordOutcomes } from '../../src/store/delivery-outcomes.repo.js';
import { claimEventWork } from '../../src/store/event-work.repo.js';
import { eventWork } from '../../src/store/schema.js';
import { STORE_KINDS, useTestStore } from '../support/store.js';
import {
  attemptsOf,
  createHarness,
  createScriptedChannel,
  deliveriesOf,
  deliveryById,
  insertTestEvent,
  resetTables,
} from './support.js';

const LEASE_MS = 30_000;

describe.each(STORE_KINDS)('dispatcher (%s)', (kind) => {
  const store = useTestStore(kind);
  beforeEach(async () => {
    await resetTables(store.db);
  });

  const newEvent = (now: number, extra: { stale?: boolean } = {}) =>
    insertTestEvent(store.db, { receivedAt: new Date(now), ...extra });

  it('routes a new event and delivers it in one tick', async () => {
    const hook = createScriptedChannel('hook');
    const log = createScriptedChannel('console', 'log');
    const { clock, dispatcher } = createHarness(store, [hook, log], { leaseMs: LEASE_MS });
    const eventId = await newEvent(clock.now());
    const result = await dispatcher.tick();
    expect(result).toMatchObject({ events: 1, eventsRouted: 1, deliveriesCreated: 2, claimed: 2, delivered: 2, idle: false });
    const rows = await deliveriesOf(store.db, eventId);
    expect(rows.map((r) => [r.channel, r.status, r.attempts, r.rules])).toEqual([
      ['console', 'delivered', 1, ['all']],
      ['hook', 'delivered', 1, ['all']],
    ]);
    expect(hook.jobs).toHaveLength(1);
    expect(hook.jobs[0]).toMatchObject({ id: rows[1]!.id, channelName: 'hook', attempt: 1 });
    expect(hook.jobs[0]!.event).toMatchObject({ eventId, status: 'completed', orderType: 'activation' });
    expect(await attemptsOf(store.db, rows[1]!.id)).toMatchObject([{ attempt: 1, outcome: 'delivered', code: '200' }]);
    expect((await getEventDetail(store.db, eventId))!.event).toMatchObject({ state: 'processed', processedAt: new Date(clock.now()) });
    expect(await store.db.select().from(eventWork)).toEqual([]);
    expect((await dispatcher.tick()).idle).toBe(true);
  });

  it('never sends a delivered delivery again', async () => {
    const hook = createScriptedChannel('hook');
    const { clock, dispatcher } = createHarness(store, [hook], { leaseMs: LEASE_MS });
    await newEvent(clock.now());
    await dispatcher.tick();
    for (const step of [1_000, LEASE_MS, 3_600_000, 48 * 3_600_000]) {
      clock.advance(step);
      expect((await dispatcher.tick()).claimed).toBe(0);
    }
    expect(hook.jobs).toHaveLength(1);
  });

  it('retries a retryable failure on the schedule, within the jitter bounds', async () => {
    let calls = 0;
    const hook = createScriptedChannel('hook', 'webhook', () =>
      ++calls <= 2 ? { ok: false, retryable: true, reason: 'HTTP 500', code: '500', response: 'oops' } : { ok: true, code: '200' },
    );
    const { clock, dispatcher } = createHarness(store, [hook], { random: Math.random });
    const eventId = await newEvent(clock.now());
    const t0 = clock.now();
    expect(await dispatcher.tick()).toMatchObject({ retried: 1, delivered: 0 });
    const [d1] = await deliveriesOf(store.db, eventId);
    expect(d1).toMatchObject({ status: 'retrying', attempts: 1, lastError: 'HTTP 500', lastCode: '500', leaseUntil: null });
    const wait1 = d1!.nextAttemptAt.getTime() - t0;
    expect(wait1).toBeGreaterThanOrEqual(4_000);
    expect(wait1).toBeLessThanOrEqual(6_000);

    clock.set(d1!.nextAttemptAt.getTime() - 1);
    expect((await dispatcher.tick()).claimed).toBe(0);
    clock.set(d1!.nextAttemptAt.getTime());
    const t1 = clock.now();
    expect(await dispatcher.tick()).toMatchObject({ retried: 1 });
    const d2 = await deliveryById(store.db, d1!.id);
    const wait2 = d2.nextAttemptAt.getTime() - t1;
    expect(wait2).toBeGreaterThanOrEqual(48_000);
    expect(wait2).toBeLessThanOrEqual(72_000);

    clock.set(d2.nextAttemptAt.getTime());
    expect(await dispatcher.tick()).toMatchObject({ delivered: 1 });
    expect(await deliveryById(store.db, d1!.id)).toMatchObject({ status: 'delivered', attempts: 3 });
    const attempts = await attemptsOf(store.db, d1!.id);
    expect(attempts.map((a) => [a.attempt, a.outcome, a.code])).toEqual([
      [1, 'retry', '500'],
      [2, 'retry', '500'],
      [3, 'delivered', '200'],
    ]);
    expect(attempts[0]!.response).toBe('oops');
    expect(hook.jobs.map((j) => j.attempt)).toEqual([1, 2, 3]);
    expect(new Set(hook.jobs.map((j) => j.id))).toEqual(new Set([d1!.id]));
    const [state] = await getChannelStates(store.db);
    expect(state).toMatchObject({ channel: 'hook', consecutiveFailures: 0 });
  });

  it('makes a delivery dead when retries are exhausted', async () => {
    const hook = createScriptedChannel('hook', 'webhook', () => ({ ok: false, retryable: true, reason: 'down' }));
    const { clock, dispatcher } = createHarness(store, [hook], { retrySchedule: [0, 1, 2] });
    const eventId = await newEvent(clock.now());
    const counts = { retried: 0, dead: 0 };
    for (let i = 0; i < 6; i++) {
      const r = await dispatcher.tick();
      counts.retried += r.retried;
      counts.dead += r.dead;
      clock.advance(10_000);
    }
    expect(counts).toEqual({ retried: 2, dead: 1 });
    const [d] = await deliveriesOf(store.db, eventId);
    expect(d).toMatchObject({ status: 'dead', attempts: 3, lastError: 'down' });
    expect((await attemptsOf(store.db, d!.id)).map((a) => a.outcome)).toEqual(['retry', 'retry', 'dead']);
    expect(hook.jobs).toHaveLength(3);
    expect((await getChannelStates(store.db))[0]!.consecutiveFailures).toBe(3);
  });

  it('makes a permanent failure dead after one attempt', async () => {
    const slack = createScriptedChannel('ops', 'slack', () => ({
      ok: false,
      retryable: false,
      reason: 'channel_not_found',
      code: 'channel_not_found',
    }));
    const { clock, dispatcher } = createHarness(store, [slack]);
    const eventId = await newEvent(clock.now());
    expect(await dispatcher.tick()).toMatchObject({ dead: 1 });
    clock.advance(48 * 3_600_000);
    await dispatcher.tick();
    const [d] = await deliveriesOf(store.db, eventId);
    expect(d).toMatchObject({ status: 'dead', attempts: 1, lastCode: 'channel_not_found' });
    expect((await attemptsOf(store.db, d!.id)).map((a) => a.outcome)).toEqual(['failed']);
    expect(slack.jobs).toHaveLength(1);
  });

  it('pauses the whole channel on Retry-After, and only that channel', async () => {
    let calls = 0;
    const hook = createScriptedChannel('hook', 'webhook', () =>
      ++calls === 1
        ? { ok: false, retryable: true, reason: 'HTTP 429', code: '429', retryAfterMs: 120_000 }
        : { ok: true, code: '200' },
    );
    const other = createScriptedChannel('other');
    const { clock, dispatcher } = createHarness(store, [hook, other]);
    const t0 = clock.now();
    const first = await newEvent(t0);
    expect(await dispatcher.tick()).toMatchObject({ retried: 1, delivered: 1 });
    const [state] = await getChannelStates(store.db);
    expect(state).toMatchObject({ channel: 'hook', pausedUntil: new Date(t0 + 120_000) });
    const [d1] = (await deliveriesOf(store.db, first)).filter((d) => d.channel === 'hook');
    expect(d1!.nextAttemptAt.getTime()).toBe(t0 + 120_000);

    clock.advance(1_000);
    const second = await newEvent(clock.now());
    expect(await dispatcher.tick()).toMatchObject({ deliveriesCreated: 2, claimed: 1, delivered: 1 });
    expect(other.jobs).toHaveLength(2);
    const held = (await deliveriesOf(store.db, second)).find((d) => d.channel === 'hook');
    expect(held).toMatchObject({ status: 'pending', attempts: 0 });

    clock.set(t0 + 119_999);
    expect((await dispatcher.tick()).claimed).toBe(0);
    clock.set(t0 + 120_000);
    expect(await dispatcher.tick()).toMatchObject({ claimed: 2, delivered: 2 });
    expect(hook.jobs).toHaveLength(3);
  });

  it('caps a Retry-After pause at one hour', async () => {
    const hook = createScriptedChannel('hook', 'webhook', () => ({
      ok: false,
      retryable: true,
      reason: 'HTTP 503',
      code: '503',
      retryAfterMs: 5 * 3_600_000,
    }));
    const { clock, dispatcher } = createHarness(store, [hook]);
    const eventId = await newEvent(clock.now());
    await dispatcher.tick();
    expect((await getChannelStates(store.db))[0]!.pausedUntil).toEqual(new Date(clock.now() + 3_600_000));
    expect((await deliveriesOf(store.db, eventId))[0]!.nextAttemptAt).toEqual(new Date(clock.now() + 3_600_000));
  });

  it('waits at least a minute after a timeout the channel did not price', async () => {
    const hook = createScriptedChannel('hook', 'webhook', () => ({ ok: false, retryable: true, reason: 'timed out', code: 'timeout' }));
    const { clock, dispatcher } = createHarness(store, [hook]);
    const eventId = await newEvent(clock.now());
    await dispatcher.tick();
    expect((await deliveriesOf(store.db, eventId))[0]!.nextAttemptAt).toEqual(new Date(clock.now() + 60_000));
  });

  it('disables a channel that asks for it, holding its later deliveries', async () => {
    const hook = createScriptedChannel('hook', 'webhook', () => ({
      ok: false,
      retryable: false,
      reason: 'HTTP 410 Gone',
      code: '410',
      disableChannel: true,
    }));
    const other = createScriptedChannel('other');
    const { clock, dispatcher } = createHarness(store, [hook, other]);
    const first = await newEvent(clock.now());
    expect(await dispatcher.tick()).toMatchObject({ dead: 1, delivered: 1 });
    expect((await deliveriesOf(store.db, first)).find((d) => d.channel === 'hook')).toMatchObject({ status: 'dead', lastCode: '410' });
    const [state] = await getChannelStates(store.db);
    expect(state).toMatchObject({ channel: 'hook', disabledAt: new Date(clock.now()), disabledReason: '410 HTTP 410 Gone' });

    clock.advance(60_000);
    const second = await newEvent(clock.now());
    // The disable's relay.channel_disabled event is routed like any other: `other` hears of it.
    expect(await dispatcher.tick()).toMatchObject({ events: 2, claimed: 2, delivered: 2 });
    expect((await deliveriesOf(store.db, second)).find((d) => d.channel === 'hook')!.status).toBe('pending');
    expect(hook.jobs).toHaveLength(1);
    const announced = other.jobs.filter((j) => j.event.type === 'relay.channel_disabled');
    expect(announced.map((j) => j.event.payload)).toMatchObject([{ channel: 'hook', channelType: 'webhook', disabledBy: 'gone', lastCode: '410' }]);
  });

  it('takes back the deliveries of a crashed dispatcher once the lease ends', async () => {
    const hook = createScriptedChannel('hook');
    const { clock, dispatcher } = createHarness(store, [hook], { leaseMs: LEASE_MS });
    const eventId = await insertTestEvent(store.db, { receivedAt: new Date(clock.now()), queue: false });
    const [id] = await insertDeliveries(
      store.db,
      [{ eventId, orderId: 'ORD-1', channel: 'hook', channelType: 'webhook', rules: ['all'] }],
      new Date(clock.now()),
    );
    // Another dispatcher claims the delivery and dies before sending.
    const crashed = await claimDueDeliveries(store.db, { now: new Date(clock.now()), limit: 10, leaseMs: LEASE_MS });
    expect(crashed.map((c) => c.id)).toEqual([id]);

    clock.advance(LEASE_MS - 1);
    expect((await dispatcher.tick()).claimed).toBe(0);
    clock.advance(1);
    expect(await dispatcher.tick()).toMatchObject({ claimed: 1, delivered: 1 });
    expect(hook.jobs.map((j) => [j.id, j.attempt])).toEqual([[id, 2]]);
    expect(await deliveryById(store.db, id!)).toMatchObject({ status: 'delivered', attempts: 2 });
    // The dead dispatcher's late outcome cannot undo it.
    const late = { lease: crashed[0]!, channel: 'hook', status: 'dead' as const, at: new Date(clock.now()), error: 'late', code: null };
    expect(await recordOutcomes(store.db, [late])).toEqual([false]);
    expect((await deliveryById(store.db, id!)).status).toBe('delivered');
  });

  it('takes back the events of a crashed dispatcher once the lease ends', async () => {
    const hook = createScriptedChannel('hook');
    const { clock, dispatcher } = createHarness(store, [hook], { leaseMs: LEASE_MS });
    const eventId = await newEvent(clock.now());
    const crashed = await claimEventWork(store.db, { now: new Date(clock.now()), limit: 10, leaseMs: LEASE_MS });
    expect(crashed.map((c) => c.eventId)).toEqual([eventId]);
    clock.advance(LEASE_MS - 1);
    expect(await dispatcher.tick()).toMatchObject({ events: 0, claimed: 0 });
    clock.advance(1);
    expect(await dispatcher.tick()).toMatchObject({ events: 1, eventsRouted: 1, delivered: 1 });
    expect(hook.jobs).toHaveLength(1);
  });
});
