/**
 * The Colt client against the simulator over real HTTP: token caching and refresh,
 * tracking ids, secrets kept out of logs, retries and error mapping.
 */
import { describe, expect, it } from 'vitest';
import { ColtTokenError } from '../../src/colt/colt-errors.js';
import { createColtClient } from '../../src/colt/colt.client.js';
import { startMockColt } from '../../src/colt/mock/mock-colt.server.js';
import { CLIENT_ID, CLIENT_SECRET, type Harness, useHarness } from './colt-harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const setup = useHarness();

/** An order that exists in the simulator. */
function placeActivation(h: Harness): string {
  return h.running.mock.placeOrder({ type: 'activation', country: 'FR', customerReference: 'CUST-42' }).order!.orderId;
}

describe('token cache over HTTP', () => {
  it('many calls within 30 minutes use one token; concurrent cold callers share one request', async () => {
    const h = await setup();
    const orderId = placeActivation(h);
    const first = await Promise.all(Array.from({ length: 20 }, () => h.client.getOrder(orderId)));
    expect(first.every((r) => r.ok)).toBe(true);
    for (let minute = 0; minute < 28; minute++) {
      h.clock.advance(60_000);
      expect((await h.client.getOrder(orderId)).ok).toBe(true);
    }
    expect(h.state.tokenRequests).toBe(1);
    expect(h.orderCalls()).toHaveLength(48);
  });

  it('past the refresh point (60 s before expiry) exactly one refresh, however many callers', async () => {
    const h = await setup();
    const orderId = placeActivation(h);
    await h.client.getOrder(orderId);
    h.clock.advance((1800 - 60) * 1000 - 1);
    await h.client.getOrder(orderId);
    expect(h.state.tokenRequests).toBe(1);
    h.clock.advance(1);
    const results = await Promise.all(Array.from({ length: 10 }, () => h.client.getOrder(orderId)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(h.state.tokenRequests).toBe(2);
    // None of the calls was refused: the token was replaced before the simulator expired it.
    expect(h.orderCalls().every((c) => c.status === 200)).toBe(true);
  });

  it('without expires_in the default lifetime (1800 s) applies', async () => {
    const h = await setup({ mock: { sendExpiresIn: false } });
    const orderId = placeActivation(h);
    await h.client.getOrder(orderId);
    h.clock.advance((1800 - 60) * 1000 - 1);
    await h.client.getOrder(orderId);
    expect(h.state.tokenRequests).toBe(1);
    h.clock.advance(1);
    await h.client.getOrder(orderId);
    expect(h.state.tokenRequests).toBe(2);
  });

  it('a short expires_in from Colt wins over the default', async () => {
    const h = await setup({ mock: { tokenLifetimeS: 100 } });
    const orderId = placeActivation(h);
    await h.client.getOrder(orderId);
    h.clock.advance(50_000);
    await h.client.getOrder(orderId);
    expect(h.state.tokenRequests).toBe(2);
    expect(h.orderCalls().every((c) => c.status === 200)).toBe(true);
  });

  it('a 401 (tokens revoked) causes exactly one refresh and retry, even for 20 concurrent callers', async () => {
    const h = await setup();
    const orderId = placeActivation(h);
    expect((await h.client.getOrder(orderId)).ok).toBe(true);
    h.running.mock.revokeTokens();
    const results = await Promise.all(Array.from({ length: 20 }, () => h.client.getOrder(orderId)));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(h.state.tokenRequests).toBe(2);
    const statuses = h.orderCalls().map((c) => c.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(20);
    expect(statuses.filter((s) => s === 200)).toHaveLength(21);
    expect(h.sleeps).toEqual([]);
  });

  it('a second 401 after the refresh is permanent: no refresh loop', async () => {
    const h = await setup({ mock: { apiKey: 'needed', apiKeyHeader: 'x-consumer-key' } });
    const result = await h.client.getOrder(placeActivation(h));
    expect(result).toMatchObject({ ok: false, retryable: false, status: 401 });
    expect(h.state.tokenRequests).toBe(2);
    expect(h.orderCalls()).toHaveLength(2);
  });
});

describe('tracking ids', () => {
  it('every call (token and API, retries included) carries its own UUID in the configured header', async () => {
    const h = await setup({ mock: { trackingHeader: 'x-tracking-id' }, client: { trackingHeader: 'x-tracking-id' } });
    const orderId = placeActivation(h);
    h.running.mock.failNext({ status: 500 });
    await Promise.all([h.client.getOrder(orderId), h.client.getOrder(orderId), h.client.getOrder('missing')]);
    h.running.mock.revokeTokens();
    await h.client.getOrder(orderId);
    const ids = h.state.calls.map((c) => c.trackingId);
    expect(h.state.calls.length).toBeGreaterThanOrEqual(8);
    expect(ids.every((id) => id !== null && UUID.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('the default header is APIGWTrackingId; a client sending another name is refused (400 004)', async () => {
    const h = await setup({ client: { trackingHeader: 'x-tracking-id' } });
    const error = await h.client.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ColtTokenError);
    expect(error).toMatchObject({ status: 400, code: '004', retryable: false, meaning: 'missing tracking header' });
    expect((error as ColtTokenError).nextStep).toContain('COLT_TRACKING_HEADER');
  });
});

describe('secrets stay out of logs and errors', () => {
  it('debug logs name method, path, status, duration and tracking id, never a credential', async () => {
    const apiKey = 'consumer-key-5b9e1c';
    const h = await setup({
      mock: { apiKey, apiKeyHeader: 'x-consumer-key' },
      client: { apiKey, apiKeyHeader: 'x-consumer-key' },
    });
    const orderId = placeActivation(h);
    h.running.mock.failNext({ status: 503 });
    await h.client.getOrder(orderId);
    h.running.mock.revokeTokens();
    await h.client.getOrder(orderId);
    await h.client.getOrder('unknown');

    const records = h.logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const calls = records.filter((r) => r.msg === 'colt call');
    expect(calls.length).toBe(h.state.calls.length);
    expect(calls.map((r) => r.trackingId).sort()).toEqual(h.state.calls.map((c) => c.trackingId).sort());
    expect(calls[0]).toMatchObject({ level: 20, method: 'POST', path: '/authentication/v1/oauth/token', status: 200 });
    expect(calls.every((r) => typeof r.durationMs === 'number')).toBe(true);

    const secrets = [CLIENT_SECRET, apiKey, btoa(`${CLIENT_ID}:${CLIENT_SECRET}`), ...h.state.tokens.keys()];
    expect(h.state.tokensIssued).toBe(2);
    const all = h.logLines.join('\n');
    for (const secret of secrets) expect(all).not.toContain(secret);
  });

  it('token errors do not carry the secret either', async () => {
    const h = await setup({ client: { clientSecret: 'wrong-secret-value-123' } });
    const error = (await h.client.getToken().catch((e: unknown) => e)) as ColtTokenError;
    expect(error).toMatchObject({ name: 'ColtTokenError', status: 401, retryable: false });
    const text = `${error.message} ${JSON.stringify(error)} ${h.logLines.join('\n')}`;
    expect(text).not.toContain('wrong-secret-value-123');
    expect(text).not.toContain(btoa(`${CLIENT_ID}:wrong-secret-value-123`));
  });
});

describe('getOrder retries and errors', () => {
  it('429 with Retry-After seconds: waits exactly that long, then succeeds', async () => {
    const h = await setup();
    const orderId = placeActivation(h);
    h.running.mock.failNext({ status: 429, retryAfter: '7' });
    const result = await h.client.getOrder(orderId);
    expect(result).toMatchObject({ ok: true, status: 200, body: { orderId, customer: { customerReference: 'CUST-42' } } });
    expect(h.sleeps).toEqual([7000]);
    expect(h.orderCalls().map((c) => c.status)).toEqual([429, 200]);
  });

  it('429 with an HTTP-date Retry-After is read against the clock', async () => {
    const h = await setup();
    const orderId = placeActivation(h);
    h.running.mock.failNext({ status: 429, retryAfter: new Date(h.clock.now() + 12_000).toUTCString() });
    expect((await h.client.getOrder(orderId)).ok).toBe(true);
    expect(h.sleeps).toEqual([12_000]);
  });

  it('a Retry-After longer than the in-call cap is handed back instead of waited', async () => {
    const h = await setup();
    h.running.mock.failNext({ status: 429, retryAfter: '120' });
    const result = await h.client.getOrder(placeActivation(h));
    expect(result).toMatchObject({ ok: false, retryable: true, status: 429, retryAfterMs: 120_000 });
    expect(h.sleeps).toEqual([]);
    expect(h.orderCalls()).toHaveLength(1);
  });

  it('the simulator rate limit (N calls/s) is honoured through Retry-After', async () => {
    const h = await setup({ mock: { rateLimit: 2 } });
    const orderId = placeActivation(h);
    for (let i = 0; i < 3; i++) expect((await h.client.getOrder(orderId)).ok).toBe(true);
    expect(h.orderCalls().map((c) => c.status)).toEqual([200, 200, 429, 200]);
    expect(h.sleeps).toEqual([1000]);
  });

  it('500 then 200: retried after a jittered backoff', async () => {
    const h = await setup();
    const orderId = placeActivation(h);
    h.running.mock.failNext({ status: 500 });
    expect((await h.client.getOrder(orderId)).ok).toBe(true);
    expect(h.sleeps).toEqual([375]); // 500 ms base: half fixed + half × random 0.5
  });

  it('503/504 every time: bounded tries, then a retryable failure', async () => {
    const h = await setup();
    h.running.mock.failNext({ status: 503, count: 2 });
    h.running.mock.failNext({ status: 504 });
    const result = await h.client.getOrder(placeActivation(h));
    expect(result).toMatchObject({ ok: false, retryable: true, status: 504 });
    expect(h.orderCalls()).toHaveLength(3);
    expect(h.sleeps).toEqual([375, 750]);
  });

  it.each([
    [404, 'Check the order id'],
    [403, 'contact Colt support'],
    [400, 'Fix the request'],
    [413, 'Contact Colt support'],
  ])('%i is permanent: one call, retryable false', async (status, advice) => {
    const h = await setup();
    if (status !== 404) h.running.mock.failNext({ status });
    const result = await h.client.getOrder(status === 404 ? 'IN-ORD-404' : placeActivation(h));
    expect(result).toMatchObject({ ok: false, retryable: false, status, code: String(status) });
    expect(result.ok ? '' : result.reason.toLowerCase()).toContain(advice.toLowerCase());
    expect(h.orderCalls()).toHaveLength(1);
    expect(h.sleeps).toEqual([]);
  });

  it('URL-encodes the order id', async () => {
    const h = await setup();
    await h.client.getOrder('IN ORD/1?x=#');
    expect(h.orderCalls()[0]!.path).toBe('/numberManagement/inbound/v1/order/IN%20ORD%2F1%3Fx%3D%23');
  });

  it('token errors: 4xx is not retried within getOrder (nor blamed on the order), 503 is retried', async () => {
    const h = await setup({ client: { clientSecret: 'not-the-secret' } });
    const refused = await h.client.getOrder('IN-ORD-1');
    // Retryable for the caller: refused credentials are a configuration problem, not this order's.
    expect(refused).toMatchObject({ ok: false, retryable: true, tokenProblem: true, permanentToken: true, status: 401 });
    expect(h.state.tokenRequests).toBe(1);
    await h.close();

    const h2 = await setup();
    const orderId = placeActivation(h2);
    h2.running.mock.failNext({ status: 503, target: 'token' });
    expect((await h2.client.getOrder(orderId)).ok).toBe(true);
    expect(h2.state.tokenRequests).toBe(2);
    h2.running.mock.failNext({ status: 500, target: 'token', count: 3 });
    h2.running.mock.revokeTokens();
    const error = await h2.client.getOrder(orderId);
    expect(error).toMatchObject({ ok: false, retryable: true, status: 500, code: '001' });
  });

  it('network errors and timeouts are retryable', async () => {
    const down = await startMockColt();
    const sleeps: number[] = [];
    await down.close();
    const client = createColtClient({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      apiBaseUrl: down.apiBaseUrl,
      tokenUrl: down.tokenUrl,
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 0,
    });
    const refused = await client.getOrder('IN-ORD-1');
    expect(refused).toMatchObject({ ok: false, retryable: true });
    expect(refused.ok ? '' : refused.reason).toMatch(/no response|ECONNREFUSED|fetch failed/);
    expect(sleeps).toEqual([250, 500]);

    const h = await setup({ mock: { latencyMs: 400 }, client: { timeoutMs: 40, maxAttempts: 1 } });
    const slow = await h.client.getOrder('IN-ORD-1');
    expect(slow).toMatchObject({ ok: false, retryable: true });
    expect(slow.ok ? '' : slow.reason).toContain('timeout after 40 ms');
  });

  it('createColtClient refuses an api key without its header name', () => {
    expect(() => createColtClient({ clientId: 'a', clientSecret: 'b', apiKey: 'k' })).toThrow(/apiKeyHeader/);
  });
});
