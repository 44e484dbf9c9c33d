/**
 * Trouble-ticket findings of the second review (issue 25, points 4–6):
 * - a ticket id never leaves `/troubleTicket/{id}`: `..` and `.` are refused at intake and,
 *   for one already stored, by the colt-ticket channel before any call (checked against the
 *   simulator over real HTTP);
 * - ticket notification fields are made storable before the commit, as order fields are: a NUL
 *   in the ticket id, status or order id costs neither the notification nor its retries;
 * - order callbacks and ticket notifications are deduplicated apart: a ticket notification
 *   sharing an order callback's eventId is stored, and each is still a duplicate of itself.
 */
import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { createColtTicketChannel } from '../../src/deliver/channels/colt-ticket/colt-ticket.channel.js';
import type { ColtTicketChannelConfig } from '../../src/config/channel-config.js';
import { createSilentLogger } from '../../src/lib/logger.js';
import { callbackEvents, orders } from '../../src/store/schema.js';
import { createTicketStore, getOrderTicket, saveOrderTicket } from '../../src/store/tickets.repo.js';
import { startHarness, type Harness } from '../colt/colt-harness.js';
import { sampleEvent } from '../deliver/channels/sample-event.js';
import { createTestRelay, type TestRelay } from '../support/relay.js';
import { STORE_KINDS } from '../support/store.js';

const ticketNotification = (ticketId: unknown, options: { eventId?: string; status?: string; orderId?: string } = {}) => ({
  eventId: options.eventId ?? `tt-${Math.random().toString(36).slice(2)}`,
  eventTime: '2026-11-27T10:00:00Z',
  eventType: 'TroubleTicketStateChangeEvent',
  event: {
    troubleTicket: {
      id: ticketId,
      status: options.status ?? 'inProgress',
      relatedEntity: [{ id: options.orderId ?? 'IN-ORD-TT1', role: 'order', '@referredType': 'ProductOrder' }],
    },
  },
});

describe.each(STORE_KINDS)('ticket notifications at intake (%s)', (kind) => {
  let relay: TestRelay | undefined;
  afterEach(async () => {
    await relay?.close();
    relay = undefined;
  });
  const postTicket = (r: TestRelay, body: unknown) => r.post(body, { path: '/callbacks/colt/tickets' });

  it.each(['..', '.'])('a ticket id "%s" is refused with 400 naming the field; nothing is stored', async (ticketId) => {
    relay = await createTestRelay(kind);
    await relay.post({ orderId: 'IN-ORD-TT1', status: 'raised' });
    const res = await postTicket(relay, ticketNotification(ticketId));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string; issues: { path: string; message: string }[] } };
    expect(body.error.code).toBe('invalid_payload');
    expect(body.error.issues[0]).toMatchObject({ path: 'event.troubleTicket.id', message: expect.stringContaining(`"${ticketId}"`) });
    const stored = await relay.store.db.select().from(callbackEvents).where(eq(callbackEvents.source, 'ticket'));
    expect(stored).toEqual([]);
    expect(await getOrderTicket(relay.store.db, 'IN-ORD-TT1')).toBeNull();
  });

  it('a NUL in the ticket id, status or order id: stored once with U+FFFD, the order’s ticket recorded, a retry is a duplicate', async () => {
    relay = await createTestRelay(kind);
    await relay.post({ orderId: 'IN-ORD-\u0000NUL', status: 'raised' });
    const body = ticketNotification('TT-\u00001', { status: 'in\u0000Progress', orderId: 'IN-ORD-\u0000NUL', eventId: 'tt-nul-1' });
    const first = await postTicket(relay, body);
    expect(first.status).toBe(200);
    const { id } = (await first.json()) as { id: string };
    const retry = await postTicket(relay, body);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toMatchObject({ id, duplicate: true });
    const [row] = await relay.store.db.select().from(callbackEvents).where(eq(callbackEvents.id, id));
    expect(row).toMatchObject({ orderId: 'IN-ORD-\uFFFDNUL', rawStatus: 'in\uFFFDProgress', source: 'ticket' });
    expect(await getOrderTicket(relay.store.db, 'IN-ORD-\uFFFDNUL')).toEqual({ ticketId: 'TT-\uFFFD1', status: 'in\uFFFDProgress' });
  });

  it('a ticket notification sharing an order callback’s eventId is stored; each is still a duplicate of itself', async () => {
    relay = await createTestRelay(kind);
    const order = await relay.post({ eventId: 'evt-42', orderId: 'IN-ORD-TT1', status: 'raised' });
    expect(await order.json()).toMatchObject({ duplicate: false });
    const ticket = await postTicket(relay, ticketNotification('TT-42', { eventId: 'evt-42' }));
    expect(ticket.status).toBe(200);
    const stored = (await ticket.json()) as { id: string; duplicate: boolean };
    expect(stored.duplicate).toBe(false);
    const [row] = await relay.store.db.select().from(callbackEvents).where(eq(callbackEvents.id, stored.id));
    expect(row).toMatchObject({ source: 'ticket', orderId: 'IN-ORD-TT1', dedupeKey: 'ticket:event:evt-42' });
    expect(await getOrderTicket(relay.store.db, 'IN-ORD-TT1')).toEqual({ ticketId: 'TT-42', status: 'inProgress' });

    expect(await (await relay.post({ eventId: 'evt-42', orderId: 'IN-ORD-TT1', status: 'raised' })).json()).toMatchObject({ duplicate: true });
    expect(await (await postTicket(relay, ticketNotification('TT-42', { eventId: 'evt-42' }))).json()).toMatchObject({
      id: stored.id,
      duplicate: true,
    });
    const rows = await relay.store.db.select().from(callbackEvents).where(eq(callbackEvents.orderId, 'IN-ORD-TT1'));
    expect(rows).toHaveLength(2);
  });

  it('an order callback sharing a stored ticket notification’s eventId is stored too, and both in one batch', async () => {
    relay = await createTestRelay(kind);
    const ticket = (await (await postTicket(relay, ticketNotification('TT-43', { eventId: 'evt-43', orderId: 'IN-ORD-TT2' }))).json()) as { id: string };
    const order = await relay.post({ eventId: 'evt-43', orderId: 'IN-ORD-TT2', status: 'raised' });
    expect(await order.json()).toMatchObject({ duplicate: false });
    expect(await (await relay.post({ eventId: 'evt-43', orderId: 'IN-ORD-TT2', status: 'raised' })).json()).toMatchObject({ duplicate: true });
    expect(await (await postTicket(relay, ticketNotification('TT-43', { eventId: 'evt-43', orderId: 'IN-ORD-TT2' }))).json()).toMatchObject({ id: ticket.id, duplicate: true });
    // Sent at once, both written by one statement of the group commit.
    const [a, b] = await Promise.all([
      relay.post({ eventId: 'evt-44', orderId: 'IN-ORD-TT3', status: 'raised' }),
      postTicket(relay, ticketNotification('TT-44', { eventId: 'evt-44', orderId: 'IN-ORD-TT3' })),
    ]);
    expect([await a.json(), await b.json()]).toMatchObject([{ duplicate: false }, { duplicate: false }]);
    const keys = (await relay.store.db.select().from(callbackEvents).where(eq(callbackEvents.orderId, 'IN-ORD-TT3'))).map((r) => r.dedupeKey).sort();
    expect(keys).toEqual(['event:evt-44', 'ticket:event:evt-44']);
  });

  it('keys are the ones every release wrote: callbacks and ticket notifications stored by 0.2.0 are still duplicates', async () => {
    relay = await createTestRelay(kind);
    // As the previous release stored them (and as one running beside this one during a rolling upgrade does).
    const stored = (id: string, key: string, source: string) => sql`
      insert into callback_events (id, dedupe_key, order_id, status, order_type, number_type, numbers, occurred_at,
        received_at, raw_body, payload, headers, source)
      values (${id}, ${key}, 'IN-ORD-OLD', 'unknown', 'unknown', 'unknown', '[]', now(), now(), '{}', '{}', '{}', ${source})`;
    const orderId = '00000000-0000-7000-8000-000000000021';
    const ticketId = '00000000-0000-7000-8000-000000000022';
    await relay.store.db.execute(stored(orderId, 'event:evt-old', 'callback'));
    await relay.store.db.execute(stored(ticketId, 'event:tt-old', 'ticket'));
    expect(await (await relay.post({ eventId: 'evt-old', orderId: 'IN-ORD-OLD', status: 'raised' })).json()).toMatchObject({ id: orderId, duplicate: true });
    expect(await (await postTicket(relay, ticketNotification('TT-OLD', { eventId: 'tt-old', orderId: 'IN-ORD-OLD' }))).json()).toMatchObject({
      id: ticketId,
      duplicate: true,
    });
    const hashed = (await (await relay.post({ orderId: 'IN-ORD-OLD', status: 'completed' })).json()) as { id: string };
    const [hashedRow] = await relay.store.db.select().from(callbackEvents).where(eq(callbackEvents.id, hashed.id));
    expect(hashedRow!.dedupeKey).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe.each(STORE_KINDS)('colt-ticket channel with a stored ticket id (%s)', (kind) => {
  let harness: Harness | undefined;
  let relay: TestRelay | undefined;
  afterEach(async () => {
    await harness?.close();
    await relay?.close();
    [harness, relay] = [undefined, undefined];
  });

  it.each(['..', '.'])('a ticket id "%s" kept on the order (an older release stored it) is never sent: permanent failure, no call', async (ticketId) => {
    harness = await startHarness();
    relay = await createTestRelay(kind);
    await relay.post({ orderId: 'IN-ORD-TT9', status: 'raised' });
    await saveOrderTicket(relay.store.db, 'IN-ORD-TT9', { ticketId, status: 'inProgress' }, new Date());
    const config: ColtTicketChannelConfig = { type: 'colt-ticket', severity: 'Major', ticketType: 'Order Failure' };
    const channel = createColtTicketChannel('tickets', config, {
      colt: harness.client,
      baseUrl: harness.running.ticketApiBaseUrl,
      tickets: createTicketStore(relay.store.db, relay.clock),
      logger: createSilentLogger(),
    });
    const event = { ...sampleEvent(), orderId: 'IN-ORD-TT9' };
    for (const attempt of [1, 2]) {
      const result = await channel.send({ id: `d-${attempt}`, channelName: 'tickets', attempt, event });
      expect(result).toMatchObject({ ok: false, retryable: false, reason: expect.stringContaining(`ticket id "${ticketId}"`) });
    }
    expect(harness.state.calls.filter((c) => c.path.includes('troubleTicket'))).toEqual([]);
    // The order row is untouched.
    const [row] = await relay.store.db.select({ ticketId: orders.ticketId }).from(orders).where(eq(orders.orderId, 'IN-ORD-TT9'));
    expect(row!.ticketId).toBe(ticketId);
  });
});
