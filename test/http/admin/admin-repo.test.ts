/** The operator read side (admin.repo.ts) on a real database: filters, keyset pages, details, pruning, gauges. */
import { beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import {
  getDelivery,
  getEventDetail,
  getOrderTimeline,
  getQueueStats,
  InvalidCursorError,
  listDeliveries,
  listEvents,
  listOrders,
  listRejected,
  pruneOlderThan,
  type Page,
} from '../../../src/store/admin.repo.js';
import { insertDeliveries, recordAttempt } from '../../../src/store/deliveries.repo.js';
import { upsertRefusals } from '../../../src/store/refusals.repo.js';
import { callbackEvents, callbackRefusals, deliveries, deliveryAttempts, eventWork, orders } from '../../../src/store/schema.js';
import type { Db } from '../../../src/store/db.js';
import { STORE_KINDS, useTestStore } from '../../support/store.js';
import { insertTestEvent, resetTables } from '../../deliver/support.js';

const T0 = new Date('2026-11-26T10:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const DAY = 86_400_000;

/** Every item of a list, page by page; also checks each page's size. */
async function allPages<T>(fetch: (cursor?: string) => Promise<Page<T>>, limit: number): Promise<T[][]> {
  const pages: T[][] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 50; i++) {
    const page = await fetch(cursor);
    pages.push(page.items);
    if (page.nextCursor === null) return pages;
    expect(page.items).toHaveLength(limit);
    cursor = page.nextCursor;
  }
  throw new Error('pagination did not end');
}

async function setDelivery(db: Db, id: string, set: Partial<typeof deliveries.$inferInsert>) {
  await db.update(deliveries).set(set).where(eq(deliveries.id, id));
}

async function addDelivery(db: Db, eventId: string, orderId: string, channel: string, now: Date) {
  const [id] = await insertDeliveries(db, [{ eventId, orderId, channel, channelType: 'webhook', rules: ['r'] }], now);
  return id!;
}

describe.each(STORE_KINDS)('admin repository (%s)', (kind) => {
  const store = useTestStore(kind);
  beforeEach(async () => {
    await resetTables(store.db);
    await store.db.delete(callbackRefusals);
  });

  it('lists events newest first in keyset pages, ties broken by id, without bodies', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await insertTestEvent(store.db, { receivedAt: at(i * 1000), queue: false }));
    // Two events received in the same millisecond must neither repeat nor vanish across pages.
    ids.push(await insertTestEvent(store.db, { receivedAt: at(2000), queue: false }));
    const pages = await allPages((cursor) => listEvents(store.db, { limit: 2, cursor }), 2);
    expect(pages).toHaveLength(3);
    const seen = pages.flat();
    expect(seen.map((e) => e.id).sort()).toEqual([...ids].sort());
    const times = seen.map((e) => e.receivedAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(seen[0]!.id).toBe(ids[4]);
    expect(Object.keys(seen[0]!)).not.toEqual(expect.arrayContaining(['rawBody']));
    for (const key of ['rawBody', 'payload', 'headers']) expect(seen[0]).not.toHaveProperty(key);
  });

  it('filters events by order, status, staleness and receive window', async () => {
    const a = await insertTestEvent(store.db, { receivedAt: at(0), orderId: 'ORD-A', status: 'raised', queue: false });
    const b = await insertTestEvent(store.db, { receivedAt: at(1000), orderId: 'ORD-A', status: 'completed', queue: false });
    const c = await insertTestEvent(store.db, { receivedAt: at(2000), orderId: 'ORD-B', status: 'raised', stale: true, queue: false });
    const ids = async (q: Parameters<typeof listEvents>[1]) => (await listEvents(store.db, q)).items.map((e) => e.id);
    expect(await ids({ orderId: 'ORD-A' })).toEqual([b, a]);
    expect(await ids({ status: 'raised' })).toEqual([c, a]);
    expect(await ids({ stale: true })).toEqual([c]);
    expect(await ids({ stale: false })).toEqual([b, a]);
    expect(await ids({ from: at(1000) })).toEqual([c, b]);
    expect(await ids({ to: at(1000) })).toEqual([a]);
    expect(await ids({ from: at(500), to: at(1500) })).toEqual([b]);
  });

  it('clamps the page size to 1..200 and refuses a forged cursor', async () => {
    for (let i = 0; i < 3; i++) await insertTestEvent(store.db, { receivedAt: at(i), queue: false });
    expect((await listEvents(store.db, { limit: 0 })).items).toHaveLength(1);
    expect((await listEvents(store.db, { limit: 500 })).items).toHaveLength(3);
    await expect(listEvents(store.db, { cursor: 'not a cursor' })).rejects.toBeInstanceOf(InvalidCursorError);
    await expect(listEvents(store.db, { cursor: 'WzFd' })).rejects.toBeInstanceOf(InvalidCursorError); // "[1]"
    await expect(listRejected(store.db, { cursor: 'WyJ4Il0' })).rejects.toBeInstanceOf(InvalidCursorError); // ["x"]
  });

  it('gives an event with raw body, normalised form and deliveries with attempts', async () => {
    const id = await insertTestEvent(store.db, { receivedAt: T0, orderId: 'ORD-D', queue: false });
    const d = await addDelivery(store.db, id, 'ORD-D', 'oss', T0);
    await recordAttempt(store.db, { deliveryId: d, attempt: 1, startedAt: T0, durationMs: 12, outcome: 'retry', code: '503' });
    await recordAttempt(store.db, { deliveryId: d, attempt: 2, startedAt: at(5000), durationMs: 8, outcome: 'delivered', code: '200' });
    await setDelivery(store.db, d, { attempts: 2, status: 'delivered' });
    const detail = await getEventDetail(store.db, id);
    expect(detail?.event.rawBody).toBe(JSON.stringify({ orderId: 'ORD-D', status: 'completed' }));
    expect(detail?.normalised).toMatchObject({ eventId: id, orderId: 'ORD-D', status: 'completed' });
    expect(detail?.deliveries).toHaveLength(1);
    expect(detail?.deliveries[0]).toMatchObject({ id: d, channel: 'oss', status: 'delivered', attemptCount: 2 });
    expect(detail!.deliveries[0]!.attempts.map((x) => [x.attempt, x.outcome])).toEqual([
      [1, 'retry'],
      [2, 'delivered'],
    ]);
    expect(await getDelivery(store.db, d)).toEqual(detail?.deliveries[0]);
    expect(await getEventDetail(store.db, '01900000-0000-7000-8000-000000000000')).toBeNull();
    expect(await getEventDetail(store.db, 'nope')).toBeNull();
    expect(await getDelivery(store.db, 'nope')).toBeNull();
  });

  it('lists orders by id prefix or customer ref, and gives an order timeline', async () => {
    const e1 = await insertTestEvent(store.db, { receivedAt: at(0), orderId: 'ORD-100', status: 'raised', queue: false });
    const e2 = await insertTestEvent(store.db, { receivedAt: at(1000), orderId: 'ORD-100', status: 'completed', queue: false });
    await insertTestEvent(store.db, { receivedAt: at(2000), orderId: 'ORD-200', queue: false });
    await insertTestEvent(store.db, { receivedAt: at(3000), orderId: 'X_1', queue: false });
    await store.db.update(orders).set({ customerRef: 'ACME-42' }).where(eq(orders.orderId, 'ORD-200'));
    const ids = async (q: Parameters<typeof listOrders>[1]) => (await listOrders(store.db, q)).items.map((o) => o.orderId);
    expect(await ids({})).toEqual(['X_1', 'ORD-200', 'ORD-100']);
    expect(await ids({ q: 'ORD-1' })).toEqual(['ORD-100']);
    expect(await ids({ q: 'acme' })).toEqual(['ORD-200']);
    expect(await ids({ q: 'X%' })).toEqual([]); // wildcards match literally
    expect(await ids({ status: 'raised' })).toEqual(['ORD-100']); // the first insert's status stays (test helper)
    const pages = await allPages((cursor) => listOrders(store.db, { limit: 1, cursor }), 1);
    expect(pages.flat().map((o) => o.orderId)).toEqual(['X_1', 'ORD-200', 'ORD-100']);

    const d = await addDelivery(store.db, e2, 'ORD-100', 'oss', at(1000));
    const timeline = await getOrderTimeline(store.db, 'ORD-100');
    expect(timeline?.order.orderId).toBe('ORD-100');
    expect(timeline?.events.map((e) => e.id)).toEqual([e1, e2]);
    expect(timeline?.events[0]).not.toHaveProperty('rawBody');
    expect(timeline?.deliveries.map((x) => x.id)).toEqual([d]);
    expect(await getOrderTimeline(store.db, 'ORD-missing')).toBeNull();
  });

  it('lists deliveries by status, channel, order and event, in pages', async () => {
    const e1 = await insertTestEvent(store.db, { receivedAt: at(0), orderId: 'ORD-1', queue: false });
    const e2 = await insertTestEvent(store.db, { receivedAt: at(1000), orderId: 'ORD-2', queue: false });
    const d1 = await addDelivery(store.db, e1, 'ORD-1', 'oss', at(0));
    const d2 = await addDelivery(store.db, e1, 'ORD-1', 'slack', at(1));
    const d3 = await addDelivery(store.db, e2, 'ORD-2', 'oss', at(2));
    await setDelivery(store.db, d2, { status: 'dead' });
    const ids = async (q: Parameters<typeof listDeliveries>[1]) => (await listDeliveries(store.db, q)).items.map((d) => d.id);
    expect(await ids({})).toEqual([d3, d2, d1]);
    expect(await ids({ status: 'dead' })).toEqual([d2]);
    expect(await ids({ channel: 'oss' })).toEqual([d3, d1]);
    expect(await ids({ orderId: 'ORD-1' })).toEqual([d2, d1]);
    expect(await ids({ eventId: e2 })).toEqual([d3]);
    expect(await ids({ eventId: 'not-a-uuid' })).toEqual([]);
    const pages = await allPages((cursor) => listDeliveries(store.db, { limit: 2, cursor }), 2);
    expect(pages.map((p) => p.map((d) => d.id))).toEqual([[d3, d2], [d1]]);
  });

  it('lists refused callbacks per address and reason, most recently seen first, counts summed', async () => {
    const refuse = (reason: string, i: number, remoteAddr: string) =>
      upsertRefusals(store.db, [
        { count: 1, firstSeenAt: at(i), sample: { at: at(i), remoteAddr, statusCode: 400, reason, message: `${reason} ${i}`, path: '/callbacks/colt' } },
      ]);
    for (let i = 0; i < 3; i++) await refuse('invalid_payload', i, `192.0.2.${i}`);
    await refuse('invalid_payload', 4, '192.0.2.0');
    await refuse('unauthorized', 3, '192.0.2.0');
    const all = await listRejected(store.db, {});
    expect(all.items.map((r) => [r.remoteAddr, r.reason, r.count])).toEqual([
      ['192.0.2.0', 'invalid_payload', 2],
      ['192.0.2.0', 'unauthorized', 1],
      ['192.0.2.2', 'invalid_payload', 1],
      ['192.0.2.1', 'invalid_payload', 1],
    ]);
    expect(all.items[0]).toMatchObject({ firstSeenAt: at(0), lastSeenAt: at(4), message: 'invalid_payload 4' });
    expect((await listRejected(store.db, { reason: 'unauthorized' })).items).toHaveLength(1);
    const pages = await allPages((cursor) => listRejected(store.db, { reason: 'invalid_payload', limit: 2, cursor }), 2);
    expect(pages.map((p) => p.length)).toEqual([2, 1]);
    expect(new Set(pages.flat().map((r) => r.id)).size).toBe(3);
  });

  it('prunes finished old events, old attempts and refused callbacks, and keeps orders and live work', async () => {
    const old = at(-100 * DAY);
    const cutoff = at(-90 * DAY);
    const done = await insertTestEvent(store.db, { receivedAt: old, orderId: 'ORD-done', queue: false });
    const dDone = await addDelivery(store.db, done, 'ORD-done', 'oss', old);
    await setDelivery(store.db, dDone, { status: 'delivered', updatedAt: old });
    await recordAttempt(store.db, { deliveryId: dDone, attempt: 1, startedAt: old, durationMs: 1, outcome: 'delivered' });
    const noDeliveries = await insertTestEvent(store.db, { receivedAt: old, orderId: 'ORD-quiet', queue: false });
    const queued = await insertTestEvent(store.db, { receivedAt: old, orderId: 'ORD-queued' }); // still in event_work
    const live: Record<string, string> = {};
    for (const status of ['pending', 'retrying', 'sending'] as const) {
      const e = await insertTestEvent(store.db, { receivedAt: old, orderId: `ORD-${status}`, queue: false });
      const d = await addDelivery(store.db, e, `ORD-${status}`, 'oss', old);
      await setDelivery(store.db, d, { status, updatedAt: old });
      await recordAttempt(store.db, { deliveryId: d, attempt: 1, startedAt: old, durationMs: 1, outcome: 'retry' });
      live[status] = e;
    }
    // Dead, but an operator touched it after the cutoff: kept.
    const touched = await insertTestEvent(store.db, { receivedAt: old, orderId: 'ORD-touched', queue: false });
    const dTouched = await addDelivery(store.db, touched, 'ORD-touched', 'oss', old);
    await setDelivery(store.db, dTouched, { status: 'dead', updatedAt: at(-1 * DAY) });
    const recent = await insertTestEvent(store.db, { receivedAt: at(-DAY), orderId: 'ORD-recent', queue: false });
    const sample = { statusCode: 401, reason: 'unauthorized', message: 'x', path: '/' };
    await upsertRefusals(store.db, [{ count: 3, firstSeenAt: old, sample: { ...sample, at: old, remoteAddr: '192.0.2.1' } }]);
    await upsertRefusals(store.db, [{ count: 1, firstSeenAt: old, sample: { ...sample, at: T0, remoteAddr: '192.0.2.2' } }]);

    const counts = await pruneOlderThan(store.db, cutoff);
    // 1 attempt of the finished event (cascade) + 3 old attempts of live deliveries.
    expect(counts).toEqual({ events: 2, attempts: 4, rejected: 1 });
    const left = (await store.db.select({ id: callbackEvents.id }).from(callbackEvents)).map((r) => r.id).sort();
    expect(left).toEqual([queued, live.pending!, live.retrying!, live.sending!, touched, recent].sort());
    expect(left).not.toContain(done);
    expect(left).not.toContain(noDeliveries);
    expect(await store.db.select().from(deliveries).where(eq(deliveries.id, dDone))).toEqual([]);
    expect(await store.db.select().from(deliveryAttempts)).toEqual([]);
    expect(await store.db.select().from(eventWork)).toHaveLength(1);
    expect((await store.db.select().from(orders)).length).toBe(8); // orders are kept, pruned events' too
    expect(await store.db.select().from(callbackRefusals)).toHaveLength(1);
    expect(await pruneOlderThan(store.db, cutoff)).toEqual({ events: 0, attempts: 0, rejected: 0 });
  });

  it('reports queue depth by status and the oldest due delivery age', async () => {
    const now = at(60_000);
    expect(await getQueueStats(store.db, now)).toEqual({
      depth: { pending: 0, sending: 0, retrying: 0, dead: 0 },
      oldestDueAgeSeconds: 0,
    });
    const e = await insertTestEvent(store.db, { receivedAt: T0, queue: false });
    const ids = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((ch, i) => addDelivery(store.db, e, 'ORD', ch, at(i))));
    await setDelivery(store.db, ids[0]!, { nextAttemptAt: at(15_000) }); // pending, due 45 s ago
    await setDelivery(store.db, ids[1]!, { status: 'retrying', nextAttemptAt: at(120_000) }); // not due yet
    await setDelivery(store.db, ids[2]!, { status: 'dead', nextAttemptAt: T0 }); // dead letters are not due
    await setDelivery(store.db, ids[3]!, { status: 'delivered', nextAttemptAt: T0 });
    await setDelivery(store.db, ids[4]!, { nextAttemptAt: at(30_000) });
    const stats = await getQueueStats(store.db, now);
    expect(stats.depth).toEqual({ pending: 2, sending: 0, retrying: 1, dead: 1 });
    expect(stats.oldestDueAgeSeconds).toBe(45);
  });
});
