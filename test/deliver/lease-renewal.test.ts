/**
 * The heartbeat: a live dispatcher renews the leases of what it holds, so a short lease never
 * costs a slow send or enrichment its claim (no second send), while a dead dispatcher's work
 * still comes back within one lease (see worker.test.ts and pre-claim.test.ts).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import type { SendResult } from '../../src/deliver/channel.js';
import { systemClock } from '../../src/lib/clock.js';
import { eventWork } from '../../src/store/schema.js';
import { STORE_KINDS, useTestStore } from '../support/store.js';
import { createHarness, createScriptedChannel, deferred, deliveriesOf, insertTestEvent, resetTables } from './support.js';

const LEASE_MS = 20_000;

describe.each(STORE_KINDS)('lease renewal (%s)', (kind) => {
  const store = useTestStore(kind);
  beforeEach(async () => {
    await resetTables(store.db);
  });

  it('a renewed delivery lease outlasts its first term: nobody takes it over, and the outcome still applies', async () => {
    const hang = deferred<SendResult>();
    const slow = createScriptedChannel('hook', 'webhook', () => hang.promise);
    // The test drives the heartbeat itself (renewLeases), against the manual clock.
    const a = createHarness(store, [slow], { leaseMs: LEASE_MS, leaseRenewMs: 0 });
    const b = createHarness(store, [createScriptedChannel('hook')], { clock: a.clock, leaseMs: LEASE_MS, leaseRenewMs: 0 });
    const eventId = await insertTestEvent(store.db, { receivedAt: new Date(a.clock.now()) });
    const ticked = a.dispatcher.tick();
    await expect.poll(() => slow.jobs.length).toBe(1);

    a.clock.advance(LEASE_MS * 0.75);
    expect(await a.dispatcher.renewLeases()).toBe(1);
    const [row] = await deliveriesOf(store.db, eventId);
    expect(row).toMatchObject({ status: 'sending', attempts: 1, leaseUntil: new Date(a.clock.now() + LEASE_MS) });
    a.clock.advance(LEASE_MS * 0.5); // past the first term, inside the renewed one
    expect(await b.dispatcher.tick()).toMatchObject({ claimed: 0 });

    hang.resolve({ ok: true, code: '200' });
    expect(await ticked).toMatchObject({ claimed: 1, delivered: 1, leaseLost: 0 });
    expect((await deliveriesOf(store.db, eventId))[0]).toMatchObject({ status: 'delivered', attempts: 1, leaseUntil: null });
    expect(await a.dispatcher.renewLeases()).toBe(0); // nothing held any more
    a.clock.advance(LEASE_MS * 10);
    expect(await b.dispatcher.tick()).toMatchObject({ events: 0, claimed: 0 });
    expect(slow.jobs).toHaveLength(1);
  });

  it('renews an event’s lease while it is enriched: another worker does not route it again', async () => {
    const hook = createScriptedChannel('hook');
    const other = createHarness(store, [hook], { leaseMs: LEASE_MS, leaseRenewMs: 0 });
    const clock = other.clock;
    let renewed = -1;
    let routedByOther = -1;
    const slow = createHarness(store, [hook], {
      clock,
      leaseMs: LEASE_MS,
      leaseRenewMs: 0,
      enrich: async () => {
        clock.advance(LEASE_MS * 0.75);
        renewed = await slow.dispatcher.renewLeases();
        clock.advance(LEASE_MS * 0.5);
        routedByOther = (await other.dispatcher.tick()).eventsRouted;
        return { kind: 'skipped' };
      },
    });
    const eventId = await insertTestEvent(store.db, { receivedAt: new Date(clock.now()) });
    expect(await slow.dispatcher.tick()).toMatchObject({ eventsRouted: 1, deliveriesCreated: 1, delivered: 1 });
    expect([renewed, routedByOther]).toEqual([1, 0]);
    expect(await deliveriesOf(store.db, eventId)).toHaveLength(1);
    expect(await store.db.select().from(eventWork)).toEqual([]);
  });

  it('the heartbeat runs on its own: a send slower than three leases is still sent once', async () => {
    const hang = deferred<SendResult>();
    const slow = createScriptedChannel('hook', 'webhook', () => hang.promise);
    const timing = { leaseMs: 400, leaseRenewMs: 100 };
    const a = createHarness(store, [slow], { clock: systemClock as never, ...timing });
    const b = createHarness(store, [createScriptedChannel('hook')], { clock: systemClock as never, ...timing });
    const eventId = await insertTestEvent(store.db, { receivedAt: new Date() });
    const ticked = a.dispatcher.tick();
    await expect.poll(() => slow.jobs.length).toBe(1);
    const started = Date.now();
    let looks = 0;
    // Another worker keeps looking for abandoned work while the send hangs.
    while (Date.now() - started < 3 * timing.leaseMs) {
      expect(await b.dispatcher.tick()).toMatchObject({ claimed: 0 });
      looks++;
      await new Promise((r) => setTimeout(r, 50));
    }
    hang.resolve({ ok: true, code: '200' });
    expect(await ticked).toMatchObject({ delivered: 1, leaseLost: 0 });
    expect(looks).toBeGreaterThan(3);
    expect((await deliveriesOf(store.db, eventId))[0]).toMatchObject({ status: 'delivered', attempts: 1 });
  });
});
