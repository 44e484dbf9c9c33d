/**
 * Fidelity to Colt's published text (docs/colt.md#what-colt-publishes), against mock-colt over real HTTP:
 * the unpublished token path, the token API's Retry-After, the consumer key kept off
 * the token request, E.164 from split numbers, and status words.
 */
import { describe, expect, it } from 'vitest';
import { extractOrderDetails } from '../../src/colt/order-details.js';
import { COLT_TOKEN_PATH } from '../../src/colt/endpoints.js';
import type { MockNumberBlock } from '../../src/colt/mock/mock-colt.types.js';
import { enrichEvent } from '../../src/enrich/enrich.js';
import { mapStatus } from '../../src/event/vocabulary.js';
import { sampleEvent } from '../deliver/channels/sample-event.js';
import { type Harness, useHarness } from './colt-harness.js';

const setup = useHarness();

const tokenCalls = (h: Harness) => h.state.calls.filter((c) => c.path === COLT_TOKEN_PATH);

describe('token URL: its path is not published', () => {
  it('a 404 from the token endpoint says to check COLT_TOKEN_URL, and does not give the order up', async () => {
    const h = await setup();
    const wrong = await setup({ client: { tokenUrl: `${h.running.url}/authentication/oauth2/token` } });
    const result = await wrong.client.getOrder('IN-ORD-1');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.status).toBe(404);
    expect(result.reason).toMatch(/check COLT_TOKEN_URL/i);
    expect(result.reason).not.toMatch(/order id/i);
    // Not retried in the call (it will not fix itself) but never a permanent failure of the order.
    expect(result).toMatchObject({ retryable: true, tokenProblem: true });
    const outcome = await enrichEvent(wrong.client, 'always', sampleEvent({ orderId: 'IN-ORD-1' }));
    expect(outcome.kind).toBe('retry');
    await h.close();
  });
});

describe('token endpoint 429/503 honour Retry-After', () => {
  it.each([429, 503])('%s with Retry-After: 2 → the next token request is at least 2 s later', async (status) => {
    const h = await setup();
    const orderId = h.running.mock.placeOrder({ type: 'activation', country: 'FR' }).order!.orderId;
    h.running.mock.failNext({ status, target: 'token', retryAfter: '2' });
    const result = await h.client.getOrder(orderId);
    expect(result.ok).toBe(true);
    const [refused, granted] = tokenCalls(h);
    expect(refused!.status).toBe(status);
    expect(granted!.status).toBe(200);
    expect(Date.parse(granted!.at) - Date.parse(refused!.at)).toBeGreaterThanOrEqual(2_000);
    expect(h.sleeps).toEqual([2_000]);
  });

  it('a long Retry-After is handed back, and no token request is made before it has passed', async () => {
    const h = await setup();
    const orderId = h.running.mock.placeOrder({ type: 'activation', country: 'FR' }).order!.orderId;
    h.running.mock.failNext({ status: 429, target: 'token', retryAfter: '120' });
    const first = await h.client.getOrder(orderId);
    expect(first).toMatchObject({ ok: false, retryable: true, status: 429, retryAfterMs: 120_000 });
    h.clock.advance(60_000);
    const second = await h.client.getOrder(orderId);
    expect(second).toMatchObject({ ok: false, retryable: true, retryAfterMs: 60_000 });
    expect(tokenCalls(h)).toHaveLength(1);
    h.clock.advance(60_000);
    expect((await h.client.getOrder(orderId)).ok).toBe(true);
    expect(tokenCalls(h)).toHaveLength(2);
  });

  it("an API 429 pauses every caller of the client until its Retry-After has passed", async () => {
    const h = await setup({ client: { maxRetryAfterWaitMs: 1_000 } });
    const orderId = h.running.mock.placeOrder({ type: 'activation', country: 'FR' }).order!.orderId;
    h.running.mock.failNext({ status: 429, retryAfter: '30' });
    expect(await h.client.getOrder(orderId)).toMatchObject({ ok: false, status: 429, retryAfterMs: 30_000 });
    const callsBefore = h.orderCalls().length;
    expect(await h.client.getOrder('IN-ORD-OTHER')).toMatchObject({ ok: false, status: 429, retryable: true });
    expect(h.orderCalls()).toHaveLength(callsBefore);
    h.clock.advance(30_000);
    expect((await h.client.getOrder(orderId)).ok).toBe(true);
  });
});

describe('the consumer key stays off the token request', () => {
  it('the simulator refuses a token request carrying it (400 005), and the client never sends it there', async () => {
    const apiKey = 'consumer-key-1f4e';
    const h = await setup({ mock: { apiKey, apiKeyHeader: 'x-consumer-key' }, client: { apiKey, apiKeyHeader: 'x-consumer-key' } });
    const direct = await fetch(h.running.tokenUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${btoa('relay-client-7f3a:S3cr3t-never-logged-9d2c')}`,
        APIGWTrackingId: crypto.randomUUID(),
        'x-consumer-key': apiKey,
      },
      body: 'grant_type=client_credentials',
    });
    expect(direct.status).toBe(400);
    expect(await direct.json()).toMatchObject({ code: '005' });
    const orderId = h.running.mock.placeOrder({ type: 'activation', country: 'FR' }).order!.orderId;
    expect((await h.client.getOrder(orderId)).ok).toBe(true);
    expect(tokenCalls(h).slice(1).map((c) => c.status)).toEqual([200]);
  });
});

/** A split-format block as GET /order shows it, without the E.164 fields (so the split rules apply). */
function splitBlock(fields: Record<string, string>): MockNumberBlock {
  return {
    numberType: 'geo',
    areaCodeExtn: null,
    rangeEnd: null,
    startFullNumber: '',
    endFullNumber: '',
    status: 'active',
    pendingOrderId: null,
    customerReference: null,
    customerName: null,
    address: null,
    ...fields,
  } as unknown as MockNumberBlock;
}

describe('E.164 from the split numbers of GET /order', () => {
  it.each([
    ['Italian 0 kept under a non-geo label', { country: 'IT', areaCode: '02', areaCodeExtn: '8765', rangeStart: '0000', rangeEnd: '0009' }, 'Freephone', '+390287650000', '+390287650009'],
    ['German trunk 0 stripped, no extension', { country: 'DE', areaCode: '030', rangeStart: '1234500', rangeEnd: '1234599' }, 'IN Geo', '+49301234500', '+49301234599'],
    ['German extension used when sent', { country: 'DE', areaCode: '030', areaCodeExtn: '99', rangeStart: '12300', rangeEnd: '12399' }, 'IN Geo', '+493099' + '12300', '+493099' + '12399'],
    ['country as alpha-3', { country: 'FRA', areaCode: '3', areaCodeExtn: '8250', rangeStart: '1230', rangeEnd: '1239' }, 'IN Geo', '+33382501230', '+33382501239'],
    ['country as English name', { country: 'France', areaCode: '3', areaCodeExtn: '8250', rangeStart: '1230' }, 'IN Geo', '+33382501230', '+33382501230'],
    ['country as calling code', { country: '33', areaCode: '3', areaCodeExtn: '8250', rangeStart: '1230' }, 'IN Geo', '+33382501230', '+33382501230'],
    ['country as +33', { country: '+33', areaCode: '3', areaCodeExtn: '8250', rangeStart: '1230' }, 'IN Geo', '+33382501230', '+33382501230'],
    ['country as 0033', { country: '0033', areaCode: '3', areaCodeExtn: '8250', rangeStart: '1230' }, 'IN Geo', '+33382501230', '+33382501230'],
  ])('%s', async (_name, split, label, start, end) => {
    const h = await setup();
    const order = h.running.mock.placeOrder({ type: 'activation', country: 'FR' }).order!;
    order.numbers = [splitBlock(split)];
    const result = await h.client.getOrder(order.orderId);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const body = result.body as { numberRanges: Record<string, unknown>[] };
    body.numberRanges[0]!.numberType = label;
    expect(extractOrderDetails(body).numbers).toEqual([{ start, end, country: expect.stringMatching(/^(IT|DE|FR)$/) }]);
  });
});

describe('status words', () => {
  it('reads the order status of GET /order with prefixes and TMF states', async () => {
    const h = await setup();
    const order = h.running.mock.placeOrder({ type: 'activation', country: 'FR' }).order!;
    await h.running.mock.idle();
    const result = await h.client.getOrder(order.orderId);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const details = extractOrderDetails(result.body);
    expect(mapStatus(details.status)).toBe('completed');
    for (const [word, status] of [
      ['Order Completed', 'completed'],
      ['Order Raised', 'raised'],
      ['partial', 'failed'],
      ['pendingCancellation', 'in_progress'],
      ['assessingCancellation', 'in_progress'],
      ['draft', 'raised'],
      ['acknowledged', 'raised'],
      ['held', 'in_progress'],
    ] as const) {
      const body = { ...(result.body as object), orderStatus: word };
      expect(mapStatus(extractOrderDetails(body).status), word).toBe(status);
    }
  });
});
