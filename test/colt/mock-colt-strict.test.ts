/**
 * mock-colt as strict as Colt's published text, over real HTTP: a missing or unknown ordering
 * body parameter is a 400 with a TMF error body; a 429 carries no Retry-After unless asked;
 * every number type in every country, 1,000 orders of one kind without reuse; a failed
 * order's reason in the callback or only in GET /order's errorMessage[]; the ticket list
 * ignores externalId and PATCH is a JSON Merge Patch with If-Match.
 */
import { describe, expect, it } from 'vitest';
import { CALLING_CODES, type ColtCountry } from '../../src/colt/numbers.js';
import { NUMBER_TYPE_LABELS } from '../../src/colt/mock/mock-colt.inventory.js';
import type { MockNumberType } from '../../src/colt/mock/mock-colt.types.js';
import { type Harness, startCallbackSink, useHarness } from './colt-harness.js';

const setup = useHarness();

async function call(h: Harness, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(path.startsWith('http') ? path : h.running.apiBaseUrl + path, {
    method,
    headers: {
      authorization: `Bearer ${await h.client.getToken()}`,
      APIGWTrackingId: crypto.randomUUID(),
      ...(body !== undefined && { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, unknown> };
}

describe('ordering bodies: 400 for a missing or unknown parameter', () => {
  it.each([
    ['/numberCollectionReservation', { country: 'FR' }, /missing body parameter: country and numberType \(or a number\)/],
    ['/numberCollectionActivation', { country: 'FR', numberType: 'IN Geo' }, /missing body parameter: customerReference/],
    ['/numberCollectionActivation', {}, /missing body parameter: country and numberType \(or a number\); customerReference/],
    ['/numberCollectionReservationCancellation', { country: 'FR' }, /missing body parameter: startFullNumber/],
    ['/numberCollectionUpdateCustomerDetails', { startFullNumber: '+33382500010' }, /missing body parameter: address/],
    ['/numberCollectionActivation', { country: 'FR', numberType: 'IN Geo', customerReference: 'C', customerRef: 'typo' }, /unknown body parameter: customerRef \(accepted: /],
    ['/numberCollectionReservation', { numbers: [{ startFullNumber: '+33382500010' }] }, /unknown body parameter: numbers/],
  ])('%s %j → 400 with a TMF error body', async (path, body, message) => {
    const h = await setup();
    const answer = await call(h, 'POST', path, body);
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual({ code: '400', reason: 'Bad Request', message: expect.stringMatching(message), status: '400' });
    expect(h.state.orders.size).toBe(0);
  });

  it('a split number is accepted in place of startFullNumber', async () => {
    const h = await setup();
    const reserved = h.running.mock.placeOrder({ type: 'reservation', country: 'GB', numberType: 'freephone' }).numbers[0]!;
    reserved.status = 'reserved';
    reserved.pendingOrderId = null;
    const split = { country: 'GB', areaCode: reserved.areaCode, areaCodeExtn: reserved.areaCodeExtn, rangeStart: reserved.rangeStart, rangeEnd: reserved.rangeEnd };
    const answer = await call(h, 'POST', '/numberCollectionReservationCancellation', split);
    expect(answer.status).toBe(200);
    expect(reserved.status).toBe('free');
  });
});

describe('429 as published', () => {
  it('the rate limit answers 429 without Retry-After ("wait max N secs" in the message) unless asked to send it', async () => {
    for (const [rateLimitRetryAfter, header] of [[false, null], [true, '1']] as const) {
      const h = await setup({ mock: { rateLimit: 1, rateLimitRetryAfter } });
      await call(h, 'GET', '/numberCollection?limit=1');
      const limited = await call(h, 'GET', '/numberCollection?limit=1');
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe(header);
      expect(limited.json.message).toMatch(/wait max 1 secs/);
    }
  });
});

describe('inventory: every number type in every country, 1,000 orders without reuse', () => {
  it('GET /numberCollection has 1,000 free blocks for each of the 13 countries × 5 types (paged)', async () => {
    const h = await setup();
    for (const country of Object.keys(CALLING_CODES) as ColtCountry[]) {
      for (const [type, label] of Object.entries(NUMBER_TYPE_LABELS) as [MockNumberType, string][]) {
        const answer = await call(h, 'GET', `/numberCollection?country=${country}&numberType=${encodeURIComponent(label)}&status=free&limit=2`);
        expect(answer.headers.get('x-total-count'), `${country} ${type}`).toBe('1000');
        const numbers = answer.json.numbers as { startFullNumber: string; country: string }[];
        expect(numbers).toHaveLength(2);
        expect(numbers[0]!.startFullNumber.startsWith(`+${CALLING_CODES[country]}`)).toBe(true);
      }
    }
  });

  it('1,000 activations of one kind get 1,000 different numbers; a failed order’s number is not the next order’s', async () => {
    const h = await setup({ mock: { completeAfterMs: 60 * 60_000, schedule: () => () => {} } });
    const numbers = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      numbers.add(h.running.mock.placeOrder({ type: 'activation', country: 'GB', numberType: 'Freephone', customerReference: `C-${i}` }).numbers[0]!.startFullNumber);
    }
    expect(numbers.size).toBe(1000);
    expect(() => h.running.mock.placeOrder({ type: 'activation', country: 'GB', numberType: 'Freephone' })).toThrow(/no free or reserved numbers match/);

    const fresh = await setup({
      mock: {
        schedule: (run) => {
          run();
          return () => {};
        },
      },
    });
    const failed = fresh.running.mock.placeOrder({ type: 'activation', country: 'IT', numberType: 'geo', outcome: 'failed' });
    await fresh.running.mock.idle();
    const next = fresh.running.mock.placeOrder({ type: 'activation', country: 'IT', numberType: 'geo' });
    expect(next.numbers[0]!.startFullNumber).not.toBe(failed.numbers[0]!.startFullNumber);
  });
});

describe('a failed order’s reason: in the callback, or only in GET /order', () => {
  it.each([
    ['callback', 'flat', true],
    ['callback', 'tmf', true],
    ['order', 'flat', false],
    ['order', 'tmf', false],
  ] as const)('failureReasonIn %s, %s callbacks: reason in the callback %s; GET /order errorMessage[] always', async (failureReasonIn, callbackShape, inCallback) => {
    const sink = await startCallbackSink();
    try {
      const h = await setup({ mock: { callbackUrl: sink.url, callbackShape, failOrders: 1, failureReasonIn } });
      const placed = await call(h, 'POST', '/numberCollectionActivation', { country: 'FR', numberType: 'IN Geo', customerReference: 'C-F' });
      await h.running.mock.idle();
      const final = JSON.stringify(sink.received.at(-1)!.body);
      expect(final).toMatch(/Failed|"failed"/);
      expect(final.includes('E-4021')).toBe(inCallback);
      const order = await call(h, 'GET', `/order/${placed.json.orderId as string}`);
      expect(order.json).toMatchObject({
        orderStatus: 'Failed',
        errorMessage: [{ code: 'E-4021', reason: 'Address validation failed', message: expect.stringContaining('address validation failed') }],
      });
    } finally {
      await sink.close();
    }
  });
});

describe('tickets: no list filter, PATCH as a JSON Merge Patch', () => {
  it('the list answers every ticket unless ticketListFilters; note: [one] replaces the notes; a stale If-Match is 412', async () => {
    for (const ticketListFilters of [false, true]) {
      const h = await setup({ mock: { ticketListFilters } });
      const base = h.running.ticketApiBaseUrl;
      const open = (externalId: string) => call(h, 'POST', `${base}/troubleTicket`, { description: 'd', relatedEntity: [{ id: 'O-1' }], externalId, note: [{ text: 'first' }] });
      const mine = await open('mine');
      await open('someone-else');
      const listed = await call(h, 'GET', `${base}/troubleTicket?externalId=mine`);
      expect((listed.json as unknown as unknown[]).length).toBe(ticketListFilters ? 1 : 2);

      const path = `${base}/troubleTicket/${mine.json.id as string}`;
      const read = await call(h, 'GET', path);
      const etag = read.headers.get('etag')!;
      const patched = await call(h, 'PATCH', path, { note: [{ text: 'second' }] }, { 'content-type': 'application/merge-patch+json', 'if-match': etag });
      expect(patched.status).toBe(200);
      expect(patched.json.note).toEqual([{ text: 'second' }]);
      expect(patched.json.id).toBe(mine.json.id);
      const stale = await call(h, 'PATCH', path, { note: [] }, { 'content-type': 'application/merge-patch+json', 'if-match': etag });
      expect(stale.status).toBe(412);
      const removed = await call(h, 'PATCH', path, { externalId: null }, { 'content-type': 'application/merge-patch+json' });
      expect(removed.json.externalId).toBeUndefined();
    }
  });
});
