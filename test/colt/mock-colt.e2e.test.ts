/**
 * The simulator end to end: an order placed over HTTP gives "raised" then "completed"
 * (or "failed") callbacks on a loopback receiver, with the configured auth, and the
 * order they name can be enriched through the real client.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { StartMockColtOptions } from '../../src/colt/mock/mock-colt.server.js';
import { enrichEvent, mergeOrderDetails } from '../../src/enrich/enrich.js';
import type { NormalisedEvent } from '../../src/event/event.js';
import { startCallbackSink, startHarness, type Harness } from './colt-harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of cleanups.splice(0)) await close();
});

async function setup(mock: StartMockColtOptions, sinkStatus = 200) {
  const sink = await startCallbackSink(sinkStatus);
  const harness = await startHarness({ mock: { callbackUrl: sink.url, completeAfterMs: 5 * 60_000, ...mock } });
  cleanups.push(sink.close, harness.close);
  return { sink, harness };
}

/** Places an order through the API as a Colt customer would. */
async function post(h: Harness, path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(h.running.apiBaseUrl + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${await h.client.getToken()}`, APIGWTrackingId: crypto.randomUUID(), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('mock-colt callbacks', () => {
  it('activation: raised then completed, TMF shape, Bearer auth, thin bodies', async () => {
    const { sink, harness } = await setup({ callbackToken: 'cb-token-1', callbackShape: 'tmf' });
    const placed = await post(harness, '/numberCollectionActivation', { country: 'GB', numberType: 'Freephone', customerReference: 'ACME-1' });
    expect(placed.status).toBe(200);
    const orderId = placed.json.orderId as string;

    await sink.waitFor(1);
    await harness.running.mock.idle();
    expect(sink.received).toHaveLength(2);
    const [raised, completed] = sink.received;
    for (const r of sink.received) {
      expect(r.headers.authorization).toBe('Bearer cb-token-1');
      expect(r.headers['content-type']).toBe('application/json');
    }
    expect(raised!.body).toMatchObject({ eventType: 'ProductOrderStateChangeEvent', event: { productOrder: { id: orderId, state: 'acknowledged' } } });
    expect(completed!.body).toMatchObject({ event: { productOrder: { id: orderId, state: 'completed', orderType: 'Number Activation' } } });
    expect(JSON.stringify(completed!.body)).not.toMatch(/\+44|ACME-1/);
    expect(raised!.body.eventId).not.toBe(completed!.body.eventId);
    expect(harness.state.orders.get(orderId)!.numbers[0]!.status).toBe('active');
  });

  it('failed orders, flat shape, HTTP Basic', async () => {
    const { sink, harness } = await setup({ callbackBasic: 'colt:pa:ss', callbackShape: 'flat', failOrders: 1 });
    const placed = await post(harness, '/numberCollectionReservation', { country: 'FR', numberType: 'IN Geo' });
    await harness.running.mock.idle();
    expect(sink.received.map((r) => r.body.orderStatus)).toEqual(['Raised', 'Failed']);
    expect(sink.received[0]!.headers.authorization).toBe(`Basic ${btoa('colt:pa:ss')}`);
    expect(sink.received[0]!.body).toEqual({
      orderId: placed.json.orderId,
      orderType: 'Number Reservation',
      orderStatus: 'Raised',
      timestamp: new Date(harness.clock.now()).toISOString(),
    });
    expect(sink.received[1]!.body).toMatchObject({ code: 'E-4021', reason: 'Address validation failed' });
    // GET /order gives the reason too, as TMF622's errorMessage[].
    const order = await harness.client.getOrder(placed.json.orderId as string);
    expect(order.ok && order.body).toMatchObject({ orderStatus: 'Failed', errorMessage: [{ code: 'E-4021', reason: 'Address validation failed' }] });
    // A failed reservation leaves its numbers free.
    expect(harness.state.orders.get(placed.json.orderId as string)!.numbers[0]!.status).toBe('free');
  });

  it('a refusing receiver gets a bounded number of tries, then the order goes on', async () => {
    const { sink, harness } = await setup({ callbackAttempts: 2 }, 503);
    await post(harness, '/numberCollectionActivation', { country: 'DE', numberType: 'IN Geo', customerReference: 'C-1' });
    await harness.running.mock.idle();
    expect(sink.received.map((r) => (r.body.event as { productOrder: { state: string } }).productOrder.state)).toEqual([
      'acknowledged',
      'acknowledged',
      'completed',
      'completed',
    ]);
    expect(harness.state.callbacks.map((c) => c.httpStatus)).toEqual([503, 503, 503, 503]);
  });

  it('cancellation has no order id and sends no callback', async () => {
    const { sink, harness } = await setup({});
    const reserved = harness.running.mock.placeOrder({ type: 'reservation', country: 'FR' });
    await harness.running.mock.idle();
    const startFullNumber = reserved.numbers[0]!.startFullNumber;
    const cancelled = await post(harness, '/numberCollectionReservationCancellation', { startFullNumber });
    expect(cancelled.status).toBe(200);
    expect(cancelled.json.orderId).toBeUndefined();
    await harness.running.mock.idle();
    expect(sink.received).toHaveLength(2);
    const list = await fetch(`${harness.running.apiBaseUrl}/numberCollection?status=free&country=FR`, {
      headers: { authorization: `Bearer ${await harness.client.getToken()}`, APIGWTrackingId: 'x' },
    });
    const { numbers } = (await list.json()) as { numbers: { startFullNumber: string }[] };
    expect(numbers.map((n) => n.startFullNumber)).toContain(startFullNumber);
  });

  it('a thin callback is enriched from GET /order into a full event', async () => {
    const { sink, harness } = await setup({ callbackShape: 'flat' });
    const placed = await post(harness, '/numberCollectionActivation', {
      country: 'FR',
      numberType: 'IN Geo',
      customerReference: 'RESELLER-7781',
      customerName: 'Acme SARL',
    });
    await harness.running.mock.idle();
    const body = sink.received[1]!.body;
    const event: NormalisedEvent = {
      eventId: 'ev-1',
      type: 'order.completed',
      source: 'callback',
      detailsMissing: null,
      failure: null,
      orderId: body.orderId as string,
      status: 'completed',
      rawStatus: body.orderStatus as string,
      orderType: 'activation',
      occurredAt: body.timestamp as string,
      receivedAt: body.timestamp as string,
      numbers: [],
      numberType: 'unknown',
      customerRef: null,
      stale: false,
      order: null,
      payload: body,
    };
    const outcome = await enrichEvent(harness.client, 'missing', event);
    expect(outcome.kind).toBe('enriched');
    if (outcome.kind !== 'enriched') return;
    expect(mergeOrderDetails(event, outcome.details, outcome.body)).toMatchObject({
      orderId: placed.json.orderId,
      status: 'completed',
      orderType: 'activation',
      numberType: 'geo',
      customerRef: 'RESELLER-7781',
      numbers: [{ start: '+33382500010', end: '+33382500019', country: 'FR' }],
      order: { orderStatus: 'Completed', customer: { customerName: 'Acme SARL' } },
    });
    expect(await enrichEvent(harness.client, 'missing', { ...event, orderId: 'IN-ORD-999999' })).toMatchObject({ kind: 'failed' });
    harness.running.mock.failNext({ status: 503, count: 3 });
    expect(await enrichEvent(harness.client, 'always', event)).toMatchObject({ kind: 'retry' });
  });
});
