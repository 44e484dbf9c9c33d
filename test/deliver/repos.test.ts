/** The outbox repositories on a real database: claims, leases, guards, channel state, Slack threads. */
import { beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import {
  disableChannel,
  enableChannel,
  getChannelStates,
  pauseChannel,
} from '../../src/store/channel-state.repo.js';
import {
  claimDueDeliveries,
  insertDeliveries,
  nextGeneration,
  recordAttempt,
  retryDelivery,
  truncateUtf8,
} from '../../src/store/deliveries.repo.js';
import { claimEventWork, rescheduleEventWork } from '../../src/store/event-work.repo.js';
import { createSlackThreadStore } from '../../src/store/slack-threads.repo.js';
import { deliveries, eventWork } from '../../src/store/schema.js';
import { createManualClock } from '../../src/lib/clock.js';
import { STORE_KINDS, useTestStore } from '../support/store.js';
import { attemptsOf, deliveryById, insertTestEvent, resetTables } from './support.js';

const T0 = new Date('2026-11-26T10:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

describe.each(STORE_KINDS)('outbox repositories (%s)', (kind) => {
  const store = useTestStore(kind);
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
      expect(await claimEventWork(store.db, { now: at(10_000), limit: 10, leaseMs: 30_000 })).toEqual([]);
      const again = await claimEventWork(store.db, { now: at(35_000), limit: 1, leaseMs: 30_000 });
      expect(again).toEqual([{ eventId: early, attempts: 2, lastError: null }]);
    });

    it('reschedules with an error, releasing the lease', async () => {
      const id = await insertTestEvent(store.db, { receivedAt: T0 });
      await claimEventWork(store.db, { now: T0, limit: 10, leaseMs: 30_000 });
      await rescheduleEventWork(store.db, id, at(10_000), 'enrich: 503');
      expect(await claimEventWork(store.db, { now: at(9_999), limit: 10, leaseMs: 30_000 })).toEqual([]);
      const [row] = await claimEventWork(store.db, { now: at(10_000), limit: 10, leaseMs: 30_000 });
      expect(row).toEqual({ eventId: id, attempts: 2, lastError: 'enrich: 503' });
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

    it('retryDelivery makes a dead delivery due now, and nothing else', async () => {
      const ev = await insertTestEvent(store.db, { receivedAt: T0, queue: false });
      const [id] = await insertDeliveries(store.db, [newDelivery(ev, 'a')], T0);
      expect(await retryDelivery(store.db, id!, T0)).toBe(false); // pending already
      await claimDueDeliveries(store.db, { now: T0, limit: 1, leaseMs: 10_000 });
      await store.db.update(deliveries).set({ status: 'dead', leaseUntil: null }).where(eq(deliveries.id, id!));
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
    it('pauses without shortening, disables and enables', async () => {
      await pauseChannel(store.db, 'c', at(60_000), T0);
      await pauseChannel(store.db, 'c', at(30_000), T0);
      let [c] = await getChannelStates(store.db);
      expect(c).toMatchObject({ channel: 'c', pausedUntil: at(60_000) });
      await disableChannel(store.db, 'c', '410 Gone', at(2));
      [c] = await getChannelStates(store.db);
      expect(c).toMatchObject({ disabledAt: at(2), disabledReason: '410 Gone' });
      await enableChannel(store.db, 'c', at(3));
      [c] = await getChannelStates(store.db);
      expect(c).toMatchObject({ disabledAt: null, disabledReason: null, pausedUntil: null });
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
