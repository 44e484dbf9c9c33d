import { describe, expect, it } from 'vitest';
import { createManualClock } from '../../lib/clock.js';
import { createMockColt } from './mock-colt.app.js';
import type { MockColtOptions } from './mock-colt.types.js';

const TOKEN = '/authentication/v1/oauth/token';
const API = '/numberManagement/inbound/v1';
const BASIC = `Basic ${btoa('mock-client-id:mock-client-secret')}`;
const FORM = 'application/x-www-form-urlencoded';

function tokenRequest(headers: Record<string, string | undefined>, body = 'grant_type=client_credentials'): RequestInit {
  const base: Record<string, string | undefined> = { 'content-type': FORM, authorization: BASIC, APIGWTrackingId: 'trk-1', ...headers };
  const clean = Object.fromEntries(Object.entries(base).filter((e): e is [string, string] => e[1] !== undefined));
  // Bytes, not a string: a string body would get a text/plain content type by default.
  return { method: 'POST', headers: clean, body: new TextEncoder().encode(body) };
}

async function token(mock: ReturnType<typeof createMockColt>): Promise<string> {
  const res = await mock.app.request(TOKEN, tokenRequest({}));
  return ((await res.json()) as { access_token: string }).access_token;
}

const never = () => () => {};
const options = (extra: MockColtOptions = {}): MockColtOptions => ({ schedule: never, ...extra });

describe('mock token endpoint', () => {
  it.each([
    ['no content type', 400, '003', tokenRequest({ 'content-type': undefined })],
    ['JSON content type', 415, '001', tokenRequest({ 'content-type': 'application/json' })],
    ['no tracking header', 400, '004', tokenRequest({ APIGWTrackingId: undefined })],
    ['no authorization', 401, '001', tokenRequest({ authorization: undefined })],
    ['Bearer instead of Basic', 401, '002', tokenRequest({ authorization: 'Bearer x' })],
    ['credentials in the body too', 400, '005', tokenRequest({}, 'grant_type=client_credentials&client_id=a')],
    ['unsupported parameter', 400, '005', tokenRequest({}, 'grant_type=client_credentials&foo=1')],
    ['no grant_type', 400, '002', tokenRequest({}, '')],
    ['other grant type', 400, '006', tokenRequest({}, 'grant_type=password')],
    ['undecodable Basic', 400, '001', tokenRequest({ authorization: 'Basic %%%' })],
    ['wrong secret', 401, 'invalid_client', tokenRequest({ authorization: `Basic ${btoa('mock-client-id:nope')}` })],
  ] as const)('%s → %i %s', async (_name, status, code, init) => {
    const mock = createMockColt(options());
    const res = await mock.app.request(TOKEN, init);
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ code });
    expect(mock.state.tokensIssued).toBe(0);
    expect(mock.state.tokenRequests).toBe(1);
  });

  it('issues opaque tokens with the configured lifetime', async () => {
    const mock = createMockColt(options({ tokenLifetimeS: 600 }));
    const res = await mock.app.request(TOKEN, tokenRequest({}));
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 600 });
    expect(mock.state.tokens.has(body.access_token as string)).toBe(true);
  });

  it('a queued token fault answers once', async () => {
    const mock = createMockColt(options());
    mock.failNext({ status: 503, target: 'token' });
    expect((await mock.app.request(TOKEN, tokenRequest({}))).status).toBe(503);
    expect((await mock.app.request(TOKEN, tokenRequest({}))).status).toBe(200);
  });
});

describe('mock numbers API', () => {
  it('needs the tracking header and a live token; tokens expire by the clock', async () => {
    const clock = createManualClock();
    const mock = createMockColt(options({ clock, tokenLifetimeS: 60 }));
    const t = await token(mock);
    const get = (headers: Record<string, string>) => mock.app.request(`${API}/numberCollection`, { headers });
    expect((await get({ authorization: `Bearer ${t}` })).status).toBe(400);
    expect((await get({ APIGWTrackingId: 'x' })).status).toBe(401);
    expect((await get({ APIGWTrackingId: 'x', authorization: `Bearer ${t}` })).status).toBe(200);
    clock.advance(60_000);
    expect((await get({ APIGWTrackingId: 'x', authorization: `Bearer ${t}` })).status).toBe(401);
  });

  it('places orders, answers GET /order, 404 for unknown ids, and records calls with tracking ids', async () => {
    const mock = createMockColt(options());
    const headers = { APIGWTrackingId: 'trk-A', authorization: `Bearer ${await token(mock)}`, 'content-type': 'application/json' };
    const placed = await mock.app.request(`${API}/numberCollectionActivation`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ country: 'GB', numberType: 'Freephone', customerReference: 'REF-1', customerName: 'Acme' }),
    });
    expect(placed.status).toBe(200);
    const { orderId } = (await placed.json()) as { orderId: string };
    const order = await mock.app.request(`${API}/order/${encodeURIComponent(orderId)}`, { headers });
    expect(await order.json()).toMatchObject({
      orderId,
      orderType: 'Number Activation',
      orderStatus: 'Raised',
      numberType: 'Freephone',
      customer: { customerReference: 'REF-1', customerName: 'Acme' },
      numberRanges: [{ startFullNumber: '+448000460010', endFullNumber: '+448000460019', areaCode: '800', areaCodeExtn: '046' }],
    });
    expect((await mock.app.request(`${API}/order/NOPE`, { headers })).status).toBe(404);
    expect(mock.state.calls.map((c) => [c.path, c.trackingId, c.status])).toEqual([
      [TOKEN, 'trk-1', 200],
      [`${API}/numberCollectionActivation`, 'trk-A', 200],
      [`${API}/order/${orderId}`, 'trk-A', 200],
      [`${API}/order/NOPE`, 'trk-A', 404],
    ]);
  });

  it('reservation → cancellation: the cancellation creates no order and frees the numbers', async () => {
    const mock = createMockColt(options({ schedule: (run) => {
      run();
      return () => {};
    } }));
    const { order } = mock.placeOrder({ type: 'reservation', country: 'FR' });
    await mock.idle();
    expect(order).toMatchObject({ status: 'completed', customerReference: null });
    const block = order!.numbers[0]!;
    expect(block.status).toBe('reserved');
    const cancelled = mock.placeOrder({ type: 'reservation_cancellation', startFullNumber: block.startFullNumber });
    expect(cancelled.order).toBeNull();
    expect(block.status).toBe('free');
    expect(mock.state.orders.size).toBe(1);
    expect(() => mock.placeOrder({ type: 'reservation_cancellation', startFullNumber: block.startFullNumber })).toThrow(/free/);
  });

  it('order ids are unique across runs: a second run never reuses the first one’s', () => {
    const clock = createManualClock();
    const first = createMockColt(options({ clock }));
    const a = [1, 2].map(() => first.placeOrder({ type: 'reservation', country: 'FR' }).order!.orderId);
    clock.advance(1);
    const second = createMockColt(options({ clock }));
    const b = [1, 2].map(() => second.placeOrder({ type: 'reservation', country: 'FR' }).order!.orderId);
    expect(new Set([...a, ...b]).size).toBe(4);
    for (const id of [...a, ...b]) expect(id).toMatch(/^IN-ORD-[0-9A-Z]+-\d+$/);
    expect(createMockColt(options({ orderIdPrefix: 'T-' })).placeOrder({ type: 'reservation', country: 'FR' }).order!.orderId).toBe('T-100300');
  });

  it('rejects bad ordering requests with 400 and non-JSON with 415', async () => {
    const mock = createMockColt(options());
    const headers = { APIGWTrackingId: 'x', authorization: `Bearer ${await token(mock)}` };
    const post = (path: string, body: string, contentType = 'application/json') =>
      mock.app.request(`${API}${path}`, { method: 'POST', headers: { ...headers, 'content-type': contentType }, body });
    expect((await post('/numberCollectionReservation', '{"country":"US"}')).status).toBe(400);
    expect((await post('/numberCollectionUpdateCustomerDetails', '{}')).status).toBe(400);
    expect((await post('/numberCollectionReservation', '[1]')).status).toBe(400);
    expect((await post('/numberCollectionReservation', 'country=FR', 'text/plain')).status).toBe(415);
  });

  it('fault injection: queued faults with Retry-After, fail rate, and a per-second rate limit', async () => {
    const clock = createManualClock(Date.parse('2026-11-26T10:00:00.250Z'));
    const mock = createMockColt(options({ clock, rateLimit: 2, rateLimitRetryAfter: true, failRate: 0.5, random: () => 0.9 }));
    const headers = { APIGWTrackingId: 'x', authorization: `Bearer ${await token(mock)}` };
    const get = () => mock.app.request(`${API}/numberCollection`, { headers });
    mock.failNext({ status: 429, retryAfter: '7' });
    const limited = await get();
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '7']);
    expect((await get()).status).toBe(200);
    expect((await get()).status).toBe(200);
    const third = await get();
    expect([third.status, third.headers.get('retry-after')]).toEqual([429, '1']);
    clock.advance(1000);
    expect((await get()).status).toBe(200);

    const flaky = createMockColt(options({ failRate: 0.5, random: () => 0.1 }));
    const flakyHeaders = { APIGWTrackingId: 'x', authorization: `Bearer ${await token(flaky)}` };
    expect([500, 503, 504]).toContain((await flaky.app.request(`${API}/numberCollection`, { headers: flakyHeaders })).status);
  });

  it('GET /numberCollection filters by country, type and status', async () => {
    const mock = createMockColt(options());
    const headers = { APIGWTrackingId: 'x', authorization: `Bearer ${await token(mock)}` };
    const res = await mock.app.request(`${API}/numberCollection?country=DE&numberType=IN%20Geo&status=free`, { headers });
    const { numbers } = (await res.json()) as { numbers: Record<string, unknown>[] };
    expect(numbers.length).toBeGreaterThan(0);
    expect(numbers.every((n) => n.country === 'DE' && n.numberType === 'IN Geo' && n.areaCodeExtn === undefined)).toBe(true);
    expect(numbers[0]).toMatchObject({ startFullNumber: '+49301230010', endFullNumber: '+49301230019', areaCode: '030', rangeStart: '1230010' });
  });
});
