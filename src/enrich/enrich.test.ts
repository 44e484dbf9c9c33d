import { describe, expect, it } from 'vitest';
import type { ColtClient, GetOrderResult } from '../colt/colt.client.js';
import { extractOrderDetails } from '../colt/order-details.js';
import type { NormalisedEvent } from '../event/event.js';
import { ENRICH_RETRY_SCHEDULE_S, enrichEvent, enrichRetryDelayMs, isEnrichMode, mergeOrderDetails, needsEnrichment } from './enrich.js';

const thin: NormalisedEvent = {
  eventId: 'ev-1',
  type: 'order.raised',
  source: 'callback',
  detailsMissing: null,
  failure: null,
  orderId: 'IN-ORD-1',
  status: 'raised',
  rawStatus: 'Raised',
  orderType: 'unknown',
  occurredAt: '2026-11-26T10:00:00.000Z',
  receivedAt: '2026-11-26T10:00:01.000Z',
  numbers: [],
  numberType: 'unknown',
  customerRef: null,
  stale: false,
  order: null,
  payload: { orderId: 'IN-ORD-1', status: 'Raised' },
};

const complete: NormalisedEvent = {
  ...thin,
  status: 'in_progress',
  orderType: 'activation',
  numbers: [{ start: '+442079460000', end: '+442079460009', country: 'GB' }],
  numberType: 'geo',
  customerRef: 'CUST-1',
};

const ORDER_BODY = {
  orderId: 'IN-ORD-1',
  orderType: 'Number Activation',
  orderStatus: 'Completed',
  numberType: 'Freephone',
  customer: { customerReference: 'CUST-9', customerName: 'Acme' },
  numberRanges: [{ startFullNumber: '+448000461000', endFullNumber: '+448000461009' }],
};

/** A ColtClient that answers from a script and counts calls. */
function scriptedClient(...results: GetOrderResult[]): ColtClient & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    getToken: async () => 'token',
    getOrder: async (orderId) => {
      calls.push(orderId);
      return results.shift() ?? { ok: false, retryable: false, reason: 'script exhausted' };
    },
  };
}

describe('needsEnrichment', () => {
  it('never / always ignore the event', () => {
    expect(needsEnrichment('never', thin)).toBe(false);
    expect(needsEnrichment('always', complete)).toBe(true);
  });

  it('missing: a complete, non-final callback needs nothing', () => {
    expect(needsEnrichment('missing', complete)).toBe(false);
  });

  it.each<[string, Partial<NormalisedEvent>]>([
    ['no numbers', { numbers: [] }],
    ['unknown order type', { orderType: 'unknown' }],
    ['unknown number type', { numberType: 'unknown' }],
    ['no customer ref', { customerRef: null }],
    ['completed', { status: 'completed' }],
    ['failed', { status: 'failed' }],
    ['cancelled', { status: 'cancelled' }],
  ])('missing: %s → fetch', (_name, change) => {
    expect(needsEnrichment('missing', { ...complete, ...change })).toBe(true);
  });

  it('an event without an order id is never enriched', () => {
    expect(needsEnrichment('always', { ...thin, orderId: ' ' })).toBe(false);
  });

  it('isEnrichMode', () => {
    expect(['missing', 'always', 'never', 'sometimes', 1].map(isEnrichMode)).toEqual([true, true, true, false, false]);
  });
});

describe('enrichEvent', () => {
  it('skips without a client or when not needed, without calling', async () => {
    const client = scriptedClient();
    expect(await enrichEvent(null, 'always', thin)).toEqual({ kind: 'skipped' });
    expect(await enrichEvent(client, 'missing', complete)).toEqual({ kind: 'skipped' });
    expect(await enrichEvent(client, 'never', thin)).toEqual({ kind: 'skipped' });
    expect(client.calls).toEqual([]);
  });

  it('enriched: details read from the body', async () => {
    const client = scriptedClient({ ok: true, status: 200, body: ORDER_BODY });
    const outcome = await enrichEvent(client, 'missing', thin);
    expect(client.calls).toEqual(['IN-ORD-1']);
    expect(outcome).toMatchObject({ kind: 'enriched', body: ORDER_BODY, details: { orderType: 'activation', customerRef: 'CUST-9' } });
  });

  it('retryable failures → retry (with Retry-After), permanent ones → failed', async () => {
    const client = scriptedClient(
      { ok: false, retryable: true, reason: 'HTTP 429', status: 429, retryAfterMs: 120_000 },
      { ok: false, retryable: true, reason: 'timeout' },
      { ok: false, retryable: false, reason: 'HTTP 404 not found', status: 404 },
    );
    expect(await enrichEvent(client, 'always', thin)).toEqual({ kind: 'retry', reason: 'HTTP 429', status: 429, retryAfterMs: 120_000 });
    expect(await enrichEvent(client, 'always', thin)).toEqual({ kind: 'retry', reason: 'timeout' });
    expect(await enrichEvent(client, 'always', thin)).toEqual({ kind: 'failed', reason: 'HTTP 404 not found', status: 404 });
  });

  it('reconciliation and order.overdue events are never enriched (GET /order is where they come from)', () => {
    expect(needsEnrichment('always', { ...thin, source: 'reconciliation', type: 'order.completed' })).toBe(false);
    expect(needsEnrichment('always', { ...thin, source: 'reconciliation', type: 'order.overdue' })).toBe(false);
  });

  it('a client that throws gives retry, not an exception', async () => {
    const client: ColtClient = { getToken: async () => 't', getOrder: async () => Promise.reject(new Error('bug')) };
    expect(await enrichEvent(client, 'always', thin)).toEqual({ kind: 'retry', reason: 'GET /order: bug' });
  });
});

describe('retry schedule', () => {
  it('five retries over about ten minutes', () => {
    expect(ENRICH_RETRY_SCHEDULE_S).toHaveLength(5);
    const total = ENRICH_RETRY_SCHEDULE_S.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(8 * 60);
    expect(total).toBeLessThanOrEqual(12 * 60);
  });

  it('enrichRetryDelayMs: schedule, longer Retry-After wins, null when exhausted', () => {
    expect(enrichRetryDelayMs(0)).toBe(10_000);
    expect(enrichRetryDelayMs(0, 45_000)).toBe(45_000);
    expect(enrichRetryDelayMs(4, 1000)).toBe(300_000);
    expect(enrichRetryDelayMs(5)).toBeNull();
  });
});

describe('mergeOrderDetails', () => {
  it('order details win for type, numbers, number type and customer ref; status stays', () => {
    const merged = mergeOrderDetails({ ...complete, status: 'raised' }, extractOrderDetails(ORDER_BODY), ORDER_BODY);
    expect(merged).toEqual({
      ...complete,
      status: 'raised',
      orderType: 'activation',
      numbers: [{ start: '+448000461000', end: '+448000461009', country: 'GB' }],
      numberType: 'freephone',
      customerRef: 'CUST-9',
      order: ORDER_BODY,
    });
  });

  it('keeps what the callback knew when the order is silent', () => {
    const merged = mergeOrderDetails(complete, extractOrderDetails({ orderId: 'IN-ORD-1' }), { orderId: 'IN-ORD-1' });
    expect(merged).toMatchObject({
      orderType: 'activation',
      numbers: complete.numbers,
      numberType: 'geo',
      customerRef: 'CUST-1',
      order: { orderId: 'IN-ORD-1' },
    });
  });

  it('wraps a body that is not an object', () => {
    expect(mergeOrderDetails(thin, extractOrderDetails('text'), 'text').order).toEqual({ value: 'text' });
  });
});
