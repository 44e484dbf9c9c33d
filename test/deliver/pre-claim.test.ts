/**
 * Deliveries written already claimed by the routing worker (sent without another claim),
 * and the continuous loop: what happens when that worker dies before sending, and that a
 * fresh callback does not wait for sends already in flight.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { SendResult } from '../../src/deliver/channel.js';
import { createDispatcher } from '../../src/deliver/dispatcher.js';
import { systemClock } from '../../src/lib/clock.js';
import { createSilentLogger } from '../../src/lib/logger.js';
import { STORE_KINDS, useTestStore } from '../support/store.js';
import {
  attemptsOf,
  createHarness,
  createScriptedChannel,
  deferred,
  deliveriesOf,
  insertTestEvent,
  resetTables,
  routeToAll,
} from './support.js';

const LEASE_MS = 30_000;

describe.each(STORE_KINDS)('deliveries written claimed by routing (%s)', (kind) => {
  const store = useTestStore(kind);
  beforeEach(async () => {
    await resetTables(store.db);
  });

  it('are sent once even if the worker dies before sending: after the lease another worker claims and sends them', async () => {
    // Worker A routes the event, writing its delivery claimed, then hangs before the request goes out.
    const hang = deferred<SendResult>();
    const frozen = createScriptedChannel('hook', 'webhook', () => hang.promise);
    // Frozen: its heartbeat does not run either (leaseRenewMs 0).
    const a = createHarness(store, [frozen], { leaseMs: LEASE_MS, leaseRenewMs: 0 });
    const clock = a.clock;
    const b = createHarness(store, [createScriptedChannel('hook')], { clock, leaseMs: LEASE_MS });
    const eventId = await insertTestEvent(store.db, { receivedAt: new Date(clock.now()) });
    const ticked = a.dispatcher.tick();
    await vi.waitFor(() => expect(frozen.jobs).toHaveLength(1));
    const [row] = await deliveriesOf(store.db, eventId);
    expect(row).toMatchObject({ status: 'sending', attempts: 1, leaseUntil: new Date(clock.now() + LEASE_MS) });

    // Nobody else may take it while A's lease holds; once it ends, B does, with the same id.
    clock.advance(LEASE_MS - 1);
    expect(await b.dispatcher.tick()).toMatchObject({ events: 0, claimed: 0 });
    clock.advance(1);
    expect(await b.dispatcher.tick()).toMatchObject({ events: 0, claimed: 1, delivered: 1 });
    const sent = b.channels.get('hook')!;
    expect(sent.jobs.map((j) => [j.id, j.attempt, j.event.eventId])).toEqual([[row!.id, 2, eventId]]);
    expect((await deliveriesOf(store.db, eventId))[0]).toMatchObject({ status: 'delivered', attempts: 2, leaseUntil: null });

    // A comes back to life: its late outcome is refused by the lease guard, but its try is on record.
    hang.resolve({ ok: false, retryable: true, reason: 'worker was frozen', code: 'timeout' });
    expect(await ticked).toMatchObject({ eventsRouted: 1, claimed: 1, leaseLost: 1, retried: 0 });
    expect((await deliveriesOf(store.db, eventId))[0]).toMatchObject({ status: 'delivered', attempts: 2 });
    expect((await attemptsOf(store.db, row!.id)).map((t) => [t.attempt, t.outcome])).toEqual([
      [1, 'retry'],
      [2, 'delivered'],
    ]);
    clock.advance(48 * 3_600_000);
    expect((await b.dispatcher.tick()).claimed).toBe(0);
    expect(sent.jobs).toHaveLength(1);
  });

  it('are written pending, not claimed, for a paced, paused or disabled channel', async () => {
    const slack = createScriptedChannel('ops', 'slack');
    const hook = createScriptedChannel('hook', 'webhook', () => ({ ok: false, retryable: true, reason: 'slow down', code: '429', retryAfterMs: 60_000 }));
    const { clock, dispatcher } = createHarness(store, [slack, hook]);
    await insertTestEvent(store.db, { receivedAt: new Date(clock.now()) });
    // The Slack delivery is claimed by the due stage (which takes the send slot), not at routing.
    expect(await dispatcher.tick()).toMatchObject({ deliveriesCreated: 2, claimed: 2, delivered: 1, retried: 1 });
    clock.advance(1_000);
    const second = await insertTestEvent(store.db, { receivedAt: new Date(clock.now()) });
    // hook is paused by its Retry-After: its new delivery waits, unclaimed.
    expect(await dispatcher.tick()).toMatchObject({ deliveriesCreated: 2, claimed: 1, delivered: 1 });
    expect((await deliveriesOf(store.db, second)).map((d) => [d.channel, d.status, d.attempts])).toEqual([
      ['hook', 'pending', 0],
      ['ops', 'delivered', 1],
    ]);
  });
});

describe.each(STORE_KINDS)('the continuous loop (%s)', (kind) => {
  const store = useTestStore(kind);

  it('routes and sends a fresh callback while an earlier send is still in flight', async () => {
    await resetTables(store.db);
    const slow = deferred<SendResult>();
    const hook = createScriptedChannel('hook', 'webhook', (job) => (job.event.orderId === 'SLOW' ? slow.promise : { ok: true, code: '200' }));
    const dispatcher = createDispatcher({
      store,
      clock: systemClock,
      logger: createSilentLogger(),
      getRules: () => ({}),
      route: routeToAll(() => [hook]),
      getChannels: () => new Map([['hook', hook]]),
      pollIntervalMs: 60_000,
    });
    dispatcher.start();
    try {
      await insertTestEvent(store.db, { receivedAt: new Date(), orderId: 'SLOW' });
      dispatcher.wake();
      await vi.waitFor(() => expect(hook.jobs).toHaveLength(1), { timeout: 5_000, interval: 5 });
      await insertTestEvent(store.db, { receivedAt: new Date(), orderId: 'FAST' });
      dispatcher.wake();
      // Tick-sized lockstep would hold FAST until SLOW's send returned.
      await vi.waitFor(() => expect(hook.jobs.map((j) => j.event.orderId)).toEqual(['SLOW', 'FAST']), { timeout: 5_000, interval: 5 });
    } finally {
      slow.resolve({ ok: true, code: '200' });
      await dispatcher.stop();
    }
    const rows = await store.db.query.deliveries.findMany();
    expect(rows.map((r) => r.status)).toEqual(['delivered', 'delivered']);
  });
});
