/**
 * The dispatcher's one-statement writes on a real database: routing a batch of events
 * (saveRouting) and the outcomes of many sends at once (recordOutcomes).
 */
import { getEventDetail } from '../../src/store/admin.repo.js';
import { beforeEach, describe, expect, it } from 'vitest';
import { disableChannel, getChannelStates, pauseChannel } from '../../src/store/channel-state.repo.js';
import { claimDueDeliveries, insertDeliveries, type ClaimedDelivery } from '../../src/store/deliveries.repo.js';
import { channelState } from '../../src/store/schema.js';
import { recordOutcomes, type DeliveryOutcomeWrite } from '../../src/store/delivery-outcomes.repo.js';
import { claimEventsToRoute, saveRouting } from '../../src/store/routing.repo.js';
import { callbackEvents, eventWork } from '../../src/store/schema.js';
import { eq } from 'drizzle-orm';
import { newId } from '../../src/lib/ids.js';
import { STORE_KINDS, useTestStore } from '../support/store.js';
import { attemptsOf, deliveriesOf, deliveryById, insertTestEvent, resetTables } from './support.js';

const T0 = new Date('2026-11-26T10:00:00Z');
/** A webhook's 410 as send-delivery writes it. */
const gone410 = { reason: '410 HTTP 410 Gone', eventId: '00000000-0000-7000-8000-0000000004a0', channelType: 'webhook' };
const at = (ms: number) => new Date(T0.getTime() + ms);

describe.each(STORE_KINDS)('one-statement dispatcher writes (%s)', (kind) => {
  const store = useTestStore(kind);
  beforeEach(async () => {
    await resetTables(store.db);
  });

  const route = (eventId: string, channels: [string, boolean][]) => ({
    eventId,
    orderId: 'ORD-1',
    deliveries: channels.map(([channel, claim]) => ({ channel, channelType: 'webhook', rules: ['r'], claim })),
  });

  describe('saveRouting', () => {
    it('claims and loads events in one statement, oldest first', async () => {
      const late = await insertTestEvent(store.db, { receivedAt: at(2_000), orderId: 'ORD-L' });
      const early = await insertTestEvent(store.db, { receivedAt: at(1_000), orderId: 'ORD-E' });
      const claimed = await claimEventsToRoute(store.db, { now: at(5_000), limit: 10, leaseMs: 30_000 });
      expect(claimed.map((c) => [c.work.eventId, c.work.attempts, c.event?.orderId])).toEqual([
        [early, 1, 'ORD-E'],
        [late, 1, 'ORD-L'],
      ]);
      expect(claimed[0]!.event).toMatchObject({ eventId: early, status: 'completed', orderType: 'activation', receivedAt: at(1_000).toISOString() });
      expect(await claimEventsToRoute(store.db, { now: at(6_000), limit: 10, leaseMs: 30_000 })).toEqual([]);
    });

    it('writes deliveries claimed or pending, marks events processed and retires their outbox rows', async () => {
      const ev = await insertTestEvent(store.db, { receivedAt: T0 });
      const gone = '00000000-0000-7000-8000-000000000001';
      await pauseChannel(store.db, 'paused', at(60_000), T0);
      await disableChannel(store.db, 'off', 'gone', T0);
      const written = await saveRouting(store.db, {
        now: T0,
        leaseMs: 30_000,
        routed: [route(ev, [['a', true], ['paced', false], ['paused', true], ['off', true]])],
        missing: [gone],
      });
      expect(written.map((d) => [d.channel, d.claimed, d.attempts])).toEqual([
        ['a', true, 1],
        ['off', false, 0],
        ['paced', false, 0],
        ['paused', false, 0],
      ]);
      const rows = await deliveriesOf(store.db, ev);
      expect(rows.map((r) => [r.channel, r.status, r.attempts, r.leaseUntil])).toEqual([
        ['a', 'sending', 1, at(30_000)],
        ['off', 'pending', 0, null],
        ['paced', 'pending', 0, null],
        ['paused', 'pending', 0, null],
      ]);
      expect(rows[0]!.nextAttemptAt).toEqual(at(30_000));
      expect((await getEventDetail(store.db, ev))!.event).toMatchObject({ state: 'processed', processedAt: T0 });
      // Only the disable's own relay.channel_disabled event is left to route.
      expect((await store.db.select().from(eventWork)).map((w) => w.eventId)).not.toContain(ev);
      // The claimed one is this dispatcher's until its lease ends; the pending unpaused one is due now.
      const due = await claimDueDeliveries(store.db, { now: at(1), limit: 10, leaseMs: 30_000 });
      expect(due.map((d) => d.channel)).toEqual(['paced']);
    });

    it('writes an event × channel once: routing again writes and claims nothing', async () => {
      const ev = await insertTestEvent(store.db, { receivedAt: T0 });
      await saveRouting(store.db, { now: T0, leaseMs: 30_000, routed: [route(ev, [['a', true]])] });
      const again = await saveRouting(store.db, { now: at(1_000), leaseMs: 30_000, routed: [route(ev, [['a', true], ['b', true]])] });
      expect(again.map((d) => d.channel)).toEqual(['b']);
      expect((await deliveriesOf(store.db, ev)).map((r) => [r.channel, r.attempts])).toEqual([
        ['a', 1],
        ['b', 1],
      ]);
    });
  });

  describe('recordOutcomes', () => {
    async function claimOn(channels: string[], now = T0): Promise<ClaimedDelivery[]> {
      const ev = await insertTestEvent(store.db, { receivedAt: now, queue: false });
      await insertDeliveries(store.db, channels.map((channel) => ({ eventId: ev, orderId: 'ORD-1', channel, channelType: 'webhook', rules: ['r'] })), now);
      return claimDueDeliveries(store.db, { now, limit: 100, leaseMs: 30_000 });
    }
    const ok = (lease: ClaimedDelivery, when = at(10)): DeliveryOutcomeWrite => ({
      lease,
      channel: lease.channel,
      status: 'delivered',
      at: when,
      error: null,
      code: '200',
      attempt: { startedAt: at(1), durationMs: 9, outcome: 'delivered', response: 'fine' },
      channelEffect: 'success',
    });
    const failed = (lease: ClaimedDelivery, extra: Partial<DeliveryOutcomeWrite> = {}): DeliveryOutcomeWrite => ({
      lease,
      channel: lease.channel,
      status: 'retrying',
      at: at(10),
      nextAttemptAt: at(5_000),
      error: 'HTTP 500',
      code: '500',
      attempt: { startedAt: at(1), durationMs: 9, outcome: 'retry', response: null },
      channelEffect: 'failure',
      ...extra,
    });

    it('applies each outcome only while its lease holds, and records every attempt', async () => {
      const [stale] = await claimOn(['b']);
      // Its lease runs out and another claim takes it again (attempt 2), with a new delivery.
      const retaken = await claimOn(['a'], at(30_000));
      const [a, b] = ['a', 'b'].map((ch) => retaken.find((l) => l.channel === ch));
      expect(b).toMatchObject({ id: stale!.id, attempts: 2 });
      expect(await recordOutcomes(store.db, [ok(a!, at(30_010)), ok(stale!)])).toEqual([true, false]);
      expect(await deliveryById(store.db, a!.id)).toMatchObject({ status: 'delivered', deliveredAt: at(30_010), lastCode: '200', leaseUntil: null });
      expect(await deliveryById(store.db, b!.id)).toMatchObject({ status: 'sending', attempts: 2 });
      expect(await attemptsOf(store.db, b!.id)).toMatchObject([{ attempt: 1, outcome: 'delivered', durationMs: 9 }]);
      // A delivered row is never claimed again, and a second success for it is refused.
      expect(await recordOutcomes(store.db, [ok(a!)])).toEqual([false]);
    });

    it('follows the channel health in batch order: failures after the last success count', async () => {
      await store.db.insert(channelState).values(['c', 'd'].map((channel) => ({ channel, consecutiveFailures: 1, updatedAt: T0 })));
      const [c1] = await claimOn(['c']);
      const [c2] = await claimOn(['c']);
      const rest = await claimOn(['c', 'd', 'e']);
      const [c3, d1, e1] = ['c', 'd', 'e'].map((ch) => rest.find((l) => l.channel === ch));
      const written = await recordOutcomes(store.db, [failed(c1!), ok(c2!), failed(c3!), failed(d1!, { pauseUntil: at(60_000) }), ok(e1!)]);
      expect(written).toEqual([true, true, true, true, true]);
      const states = Object.fromEntries((await getChannelStates(store.db)).map((s) => [s.channel, s]));
      expect(states.c).toMatchObject({ consecutiveFailures: 1, lastSuccessAt: at(10), failingSince: at(10) }); // 1 before, then fail, ok, fail
      expect(states.d).toMatchObject({ consecutiveFailures: 2, pausedUntil: at(60_000), failingSince: at(10), lastSuccessAt: null });
      // A healthy channel's first success records when; more within a minute write nothing.
      expect(states.e).toMatchObject({ consecutiveFailures: 0, lastSuccessAt: at(10), failingSince: null, updatedAt: at(10) });
      const e2 = (await claimOn(['e'], at(20))).find((l) => l.channel === 'e');
      await recordOutcomes(store.db, [ok(e2!, at(30_000))]);
      expect((await getChannelStates(store.db)).find((s) => s.channel === 'e')).toMatchObject({ lastSuccessAt: at(10), updatedAt: at(10) });
      const e3 = (await claimOn(['e'], at(30_000))).find((l) => l.channel === 'e');
      await recordOutcomes(store.db, [ok(e3!, at(61_000))]);
      expect((await getChannelStates(store.db)).find((s) => s.channel === 'e')).toMatchObject({ lastSuccessAt: at(61_000) });
    });

    it('keeps failing_since at the first failure after the last success, and a success ends it', async () => {
      const [f1] = await claimOn(['f']);
      await recordOutcomes(store.db, [failed(f1!, { at: at(100) })]);
      const f2 = (await claimOn(['f'], at(200))).find((l) => l.channel === 'f');
      await recordOutcomes(store.db, [failed(f2!, { at: at(5_000) })]);
      const state = async () => (await getChannelStates(store.db)).find((s) => s.channel === 'f');
      expect(await state()).toMatchObject({ failingSince: at(100), consecutiveFailures: 2, lastSuccessAt: null });
      const f3 = (await claimOn(['f'], at(6_000))).find((l) => l.channel === 'f');
      await recordOutcomes(store.db, [ok(f3!, at(7_000))]);
      expect(await state()).toMatchObject({ failingSince: null, consecutiveFailures: 0, lastSuccessAt: at(7_000) });
      // A success then a failure in one batch: the count starts again from that failure.
      const f4 = (await claimOn(['f'], at(8_000))).find((l) => l.channel === 'f');
      const f5 = (await claimOn(['f'], at(8_000))).find((l) => l.channel === 'f');
      await recordOutcomes(store.db, [ok(f4!, at(9_000)), failed(f5!, { at: at(9_500) })]);
      expect(await state()).toMatchObject({ failingSince: at(9_500), consecutiveFailures: 1, lastSuccessAt: at(9_000) });
    });

    it('never shortens a pause, disables on request, and keeps text Postgres can store', async () => {
      const both = await claimOn(['p', 'x']);
      const [p, x] = ['p', 'x'].map((ch) => both.find((l) => l.channel === ch));
      await pauseChannel(store.db, 'p', at(120_000), T0);
      await recordOutcomes(store.db, [
        failed(p!, { pauseUntil: at(60_000) }),
        failed(x!, { status: 'dead', nextAttemptAt: undefined, disable: gone410, error: 'gone\u0000', attempt: { startedAt: at(1), durationMs: 1, outcome: 'failed', response: 'bye\u0000' } }),
      ]);
      const states = Object.fromEntries((await getChannelStates(store.db)).map((s) => [s.channel, s]));
      expect(states.p!.pausedUntil).toEqual(at(120_000));
      expect(states.x).toMatchObject({ disabledAt: at(10), disabledReason: '410 HTTP 410 Gone', consecutiveFailures: 1 });
      expect(await deliveryById(store.db, x!.id)).toMatchObject({ status: 'dead', lastError: 'gone', lastCode: '500' });
      expect(await attemptsOf(store.db, x!.id)).toMatchObject([{ outcome: 'failed', response: 'bye', error: 'gone' }]);
      expect(await deliveryById(store.db, p!.id)).toMatchObject({ status: 'retrying', nextAttemptAt: at(5_000) });
    });

    it('stores one relay.channel_disabled event per 410 disable, queued for routing, and none for a channel already disabled', async () => {
      // Three sends in flight before the channel is disabled (a disabled channel is not claimed).
      const [x1] = await claimOn(['x']);
      const [x2] = await claimOn(['x']);
      const [x3] = await claimOn(['x']);
      const dead = (lease: ClaimedDelivery, atMs: number) =>
        failed(lease, { at: at(atMs), status: 'dead', nextAttemptAt: undefined, disable: { ...gone410, eventId: newId(T0.getTime() + atMs) }, code: '410' });
      // Two 410s in one batch, then another in a later batch: one disable, one event.
      await recordOutcomes(store.db, [dead(x1!, 10), dead(x2!, 10)]);
      await recordOutcomes(store.db, [dead(x3!, 30)]);
      const events = await store.db.select().from(callbackEvents).where(eq(callbackEvents.type, 'relay.channel_disabled'));
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ source: 'relay', orderId: '', status: 'unknown', dedupeKey: `relay:channel_disabled:x:${at(10).toISOString()}` });
      expect(events[0]!.payload).toMatchObject({
        channel: 'x',
        channelType: 'webhook',
        disabledAt: at(10).toISOString(),
        disabledBy: 'gone',
        reason: '410 HTTP 410 Gone',
        failingSince: at(10).toISOString(),
        lastSuccessAt: null,
        lastCode: '410',
        consecutiveFailures: 2,
      });
      expect(JSON.parse(events[0]!.rawBody)).toEqual(events[0]!.payload);
      const work = await store.db.select().from(eventWork).where(eq(eventWork.eventId, events[0]!.id));
      expect(work).toHaveLength(1);
      expect((await getChannelStates(store.db)).find((s) => s.channel === 'x')).toMatchObject({ disabledAt: at(10), disabledBy: 'gone' });
    });
  });
});
