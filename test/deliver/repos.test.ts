/** The outbox repositories on a real database: claims, leases, guards, channel state, Slack threads. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import {
  disableChannel,
  enableChannel,
  getChannelStates,
  pauseChannel,
  recordChannelFailure,
  recordChannelSuccess,
  takeSendSlot,
} from '../../src/store/channel-state.repo.js';
import {
  claimDueDeliveries,
  insertDeliveries,
  markDead,
  markDelivered,
  nextGeneration,
  recordAttempt,
  retryDelivery,
  scheduleRetry,
  truncateUtf8,
} from '../../src/store/deliveries.repo.js';
import {
  claimDueEventWork,
  claimEventWork,
  completeEventWork,
  rescheduleEventWork,
} from '../../src/store/event-work.repo.js';
import { createSlackThreadStore } from '../../src/store/slack-threads.repo.js';
import { eventWork } from '../../src/store/schema.js';
import { createManualClock } from '../../src/lib/clock.js';
import { createTestStore, STORE_KINDS, type TestStore } from '../support/store.js';
import { attemptsOf, deliveryById, insertTestEvent, resetTables } from './support.js';

const T0 = new Date('2026-11-26T10:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

describe.each(STORE_KINDS)('outbox repositories (%s)', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
  });
  afterAll(async () => {
    await store?.close();
  });
  beforeEach(async () => {
    await resetTables(store.db);
  });

  const newDelivery = (eventId: string, channel: string, channelType = 'webhook') => ({
    eventId,
    orderId: 'ORD-1',
    channel,
    channelType,
    rules: ['r'],
  });

  describe('event work', () => {
    it('claims due rows oldest first, leases them and counts attempts', async () => {
      const late = await insertTestEvent(store.db, { receivedAt: at(2_000) });
      const early = await insertTestEvent(store.db, { receivedAt: at(1_000) });
      await insertTestEvent(store.db, { receivedAt: at(60_000) }); // not due yet
      const claimed = await claimEventWork(store.db, { now: at(5_000), limit: 10, leaseMs: 30_000 });
      expect(claimed.map((c) => c.eventId)).toEqual([early, late]);
      expect(claimed.every((c) => c.attempts === 1)).toBe(true);
      // Leased: nobody else gets them until the lease ends.
      expect(await claimDueEventWork(store.db, { now: at(10_000), limit: 10, leaseMs: 30_000 })).toEqual([]);
      const again = await claimEventWork(store.db, { now: at(35_000), limit: 1, leaseMs: 30_000 });
      expect(again).toEqual([{ eventId: early, attempts: 2, lastError: null }]);
    });

    it('reschedules with an error and completes by deleting', async () => {
      const id = await insertTestEvent(store.db, { receivedAt: T0 });
      await claimDueEventWork(store.db, { now: T0, limit: 10, leaseMs: 30_000 });
      await rescheduleEventWork(store.db, id, at(10_000), 'enrich: 503');
      expect(await claimDueEventWork(store.db, { now: at(9_999), limit: 10, leaseMs: 30_000 })).toEqual([]);
      const [row] = await claimEventWork(store.db, { now: at(10_000), limit: 10, leaseMs: 30_000 });
      expect(row).toEqual({ eventId: id, attempts: 2, lastError: 'enrich: 503' });
      await completeEventWork(store.db, id);
      expect(await store.db.select().from(eventWork)).toEqual([]);
    });
  });

  describe('deliveries', () => {
    it('writes an event × channel once, whatever the number of inserts', async () => {
      const ev = await insertTestEvent(store.db, { receivedAt: T0, queue: false });
      const first = await insertDeliveries(store.db, [newDelivery(ev, 'a'), newDelivery(ev, 'b')], T0);
      const second = await insertDeliveries(store.db, [newDelivery(ev, 'a'), newDelivery(ev, 'b')], T0);
      expect(first).toHaveLength(2);
      expect(second).toEqual([]);
      expect(await nextGeneration(store.db, ev)).toBe(1);
      const replay = await insertDeliveries(store.db, [{ ...newDelivery(ev, 'a'), generation: 1 }], T0);
      expect(replay).toHaveLength(1);
      expect(await nextGeneration(store.db, ev)).toBe(2);
    });

    it('nextGeneration is 0 for an event without deliveries', async () => {
      const ev = await insertTestEvent(store.db, { receivedAt: T0, queue: false });
      expect(await nextGeneration(store.db, ev)).toBe(0);
    });

    it('claims due rows, skips paused and disabled channels, and takes back expired leases', async () => {
      const ev = await insertTestEvent(store.db, { receivedAt: T0, queue: false });
      const [a, paused, disabled] = await insertDeliveries(
        store.db,
        [newDelivery(ev, 'a'), newDelivery(ev, 'paused'), newDelivery(ev, 'off')],
        T0,
      );
      await pauseChannel(store.db, 'paused', at(60_000), T0);
      await disableChannel(store.db, 'off', 'gone', T0);
      const claimed = await claimDueDeliveries(store.db, { now: T0, limit: 10, leaseMs: 30_000 });
      expect(claimed.map((c) => c.id)).toEqual([a]);
      expect(claimed[0]).toMatchObject({ eventId: ev, channel: 'a', channelType: 'webhook', attempts: 1 });
      expect((await deliveryById(store.db, a!)).status).toBe('sending');
      // Lease still held: not claimable; expired: claimable again with the next attempt number.
      expect(await claimDueDeliveries(store.db, { now: at(29_999), limit: 10, leaseMs: 30_000 })).toEqual([]);
      const later = await claimDueDeliveries(store.db, { now: at(60_000), limit: 10, leaseMs: 30_000 });
      // Oldest due first: the abandoned row is due from its lease end (30 s), the paused one from T0.
      expect(later.map((c) => [c.id, c.attempts])).toEqual([
        [paused, 1],
        [a, 2],
      ]);
      await enableChannel(store.db, 'off', at(61_000));
      const enabled = await claimDueDeliveries(store.db, { now: at(61_000), limit: 10, leaseMs: 30_000 });
      expect(enabled.map((c) => c.id)).toEqual([disabled]);
    });

    it('paces a channel: one claim per interval, other channels unaffected', async () => {
      const ev1 = await insertTestEvent(store.db, { receivedAt: T0, queue: false });
      const ev2 = await insertTestEvent(store.db, { receivedAt: T0, queue: false });
      await insertDeliveries(store.db, [newDelivery(ev1, 'ops', 'slack'), newDelivery(ev1, 'hook')], T0);
      await insertDeliveries(store.db, [newDelivery(ev2, 'ops', 'slack'), newDelivery(ev2, 'hook')], T0);
      const options = { limit: 10, leaseMs: 30_000, sendIntervalMs: { slack: 1_000 } };
      const first = await claimDueDeliveries(store.db, { ...options, now: T0 });
      expect(first.map((c) => c.channel).sort()).toEqual(['hook', 'hook', 'ops']);
      expect(await claimDueDeliveries(store.db, { ...options, now: at(999) })).toEqual([]);
      const second = await claimDueDeliveries(store.db, { ...options, now: at(1_000) });
      expect(second.map((c) => c.channel)).toEqual(['ops']);
    });

    it('ignores the outcome of a worker whose lease was taken over', async () => {
      const ev = await insertTestEvent(store.db, { receivedAt: T0, queue: false });
      await insertDeliveries(store.db, [newDelivery(ev, 'a')], T0);
      const [slow] = await claimDueDeliveries(store.db, { now: T0, limit: 1, leaseMs: 10_000 });
      const [fast] = await claimDueDeliveries(store.db, { now: at(10_000), limit: 1, leaseMs: 10_000 });
      expect(fast!.id).toBe(slow!.id);
      expect(await markDelivered(store.db, fast!, at(11_000), '200')).toBe(true);
      expect(await markDead(store.db, slow!, { now: at(12_000), error: 'late' })).toBe(false);
      expect(
        await scheduleRetry(store.db, slow!, { now: at(12_000), nextAttemptAt: at(20_000), error: 'late' }),
      ).toBe(false);
      const row = await deliveryById(store.db, slow!.id);
      expect(row).toMatchObject({ status: 'delivered', attempts: 2, leaseUntil: null, lastCode: '200' });
      // A delivered row is never due again.
      expect(await claimDueDeliveries(store.db, { now: at(10_000_000), limit: 10, leaseMs: 1 })).toEqual([]);
    });

    it('retryDelivery makes a dead delivery due now, and nothing else', async () => {
      const ev = await insertTestEvent(store.db, { receivedAt: T0, queue: false });
      const [id] = await insertDeliveries(store.db, [newDelivery(ev, 'a')], T0);
      expect(await retryDelivery(store.db, id!, T0)).toBe(false); // pending already
      const [lease] = await claimDueDeliveries(store.db, { now: T0, limit: 1, leaseMs: 10_000 });
      await markDead(store.db, lease!, { now: T0, error: '410', code: '410' });
      expect(await retryDelivery(store.db, id!, at(5_000))).toBe(true);
      expect(await deliveryById(store.db, id!)).toMatchObject({ status: 'pending', attempts: 1 });
      const [again] = await claimDueDeliveries(store.db, { now: at(5_000), limit: 1, leaseMs: 10_000 });
      expect(again).toMatchObject({ id, attempts: 2 });
    });

    it('keeps at most 4 KiB of a response, cut on a character boundary', async () => {
      const ev = await insertTestEvent(store.db, { receivedAt: T0, queue: false });
      const [id] = await insertDeliveries(store.db, [newDelivery(ev, 'a')], T0);
      const huge = 'é'.repeat(5_000); // 2 bytes each
      await recordAttempt(store.db, {
        deliveryId: id!,
        attempt: 1,
        startedAt: T0,
        durationMs: 12.4,
        outcome: 'retry',
        code: '500',
        error: 'boom',
        response: huge,
      });
      const [attempt] = await attemptsOf(store.db, id!);
      expect(attempt).toMatchObject({ attempt: 1, outcome: 'retry', code: '500', durationMs: 12, error: 'boom' });
      expect(attempt!.response).toBe('é'.repeat(2_048));
      expect(truncateUtf8('aé', 2)).toBe('a');
    });
  });

  describe('channel state', () => {
    it('counts failures, resets on success, pauses without shortening', async () => {
      await recordChannelFailure(store.db, 'c', T0);
      await recordChannelFailure(store.db, 'c', T0);
      await recordChannelSuccess(store.db, 'never-failed', T0);
      await pauseChannel(store.db, 'c', at(60_000), T0);
      await pauseChannel(store.db, 'c', at(30_000), T0);
      let [c] = await getChannelStates(store.db);
      expect(c).toMatchObject({ channel: 'c', consecutiveFailures: 2, pausedUntil: at(60_000) });
      await recordChannelSuccess(store.db, 'c', at(1));
      [c] = await getChannelStates(store.db);
      expect(c!.consecutiveFailures).toBe(0);
      await disableChannel(store.db, 'c', '410 Gone', at(2));
      [c] = await getChannelStates(store.db);
      expect(c).toMatchObject({ disabledAt: at(2), disabledReason: '410 Gone' });
      await enableChannel(store.db, 'c', at(3));
      [c] = await getChannelStates(store.db);
      expect(c).toMatchObject({ disabledAt: null, disabledReason: null, pausedUntil: null });
    });

    it('gives a send slot to one taker per interval', async () => {
      expect(await takeSendSlot(store.db, 's', T0, 1_000)).toBe(true);
      expect(await takeSendSlot(store.db, 's', at(500), 1_000)).toBe(false);
      expect(await takeSendSlot(store.db, 's', at(1_000), 1_000)).toBe(true);
    });
  });

  describe('slack threads', () => {
    it('saves, reads back and updates the thread of an order in a channel', async () => {
      const clock = createManualClock();
      const threads = createSlackThreadStore(store.db, clock);
      expect(await threads.get('ORD-1', 'C1')).toBeNull();
      await threads.save('ORD-1', 'C1', '1700000000.000100', 'raised');
      await threads.save('ORD-1', 'C2', '1700000000.000200', 'raised');
      await threads.save('ORD-1', 'C1', '1700000000.000100', 'completed');
      expect(await threads.get('ORD-1', 'C1')).toEqual({ threadTs: '1700000000.000100', lastStatus: 'completed' });
      expect(await threads.get('ORD-1', 'C2')).toEqual({ threadTs: '1700000000.000200', lastStatus: 'raised' });
    });
  });

  it('event work rows disappear with their event', async () => {
    const id = await insertTestEvent(store.db, { receivedAt: T0 });
    expect(await store.db.select().from(eventWork).where(eq(eventWork.eventId, id))).toHaveLength(1);
  });
});
