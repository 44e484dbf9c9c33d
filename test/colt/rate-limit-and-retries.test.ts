/**
 * 429 and 5xx as Colt publishes them (docs/colt.md#api-errors), over real HTTP against
 * mock-colt: a 429 without Retry-After is waited out with growing delays up to the cap
 * (COLT_RATE_LIMIT_MAX_WAIT), logged, for every caller of the client; a 500 on a POST that
 * creates an order is not retried (the order may exist), a 503 is, and a 500 on a read is.
 */
import { describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/config/env.js';
import { COLT_API_PATH } from '../../src/colt/endpoints.js';
import { createOrderingClient } from '../../src/colt/ordering.client.js';
import { createManualClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { createColtClientFromEnv } from '../../src/pipeline.js';
import { CLIENT_ID, CLIENT_SECRET, type Harness, useHarness } from './colt-harness.js';

const setup = useHarness();
const ACTIVATION = { country: 'FR', numberType: 'IN Geo', customerReference: 'CUST-R-1' };
const placeActivation = (h: Harness) => h.running.mock.placeOrder({ type: 'activation', country: 'FR' }).order!.orderId;
const warnings = (h: Harness) => h.logLines.map((l) => JSON.parse(l) as { level: number; msg: string; waitMs?: number }).filter((l) => l.level === 40);

describe('429 without Retry-After', () => {
  it('waits 1 s, 2 s, 4 s… up to the cap, logs each wait, and gives up after one wait of the cap', async () => {
    const h = await setup({ client: { rateLimitMaxWaitMs: 8_000, maxRetryAfterWaitMs: 60_000 } });
    const orderId = placeActivation(h);
    h.running.mock.failNext({ status: 429, count: 10 });
    const result = await h.client.getOrder(orderId);
    expect(result).toMatchObject({ ok: false, retryable: true, status: 429, retryAfterMs: 8_000 });
    // Before: 3 tries within 8 s (backoff 500 ms base). Now: 5 tries over 15 s, none sooner than Colt's quota could reset.
    expect(h.sleeps).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(h.orderCalls().map((c) => c.status)).toEqual([429, 429, 429, 429, 429]);
    expect(warnings(h).map((w) => w.waitMs)).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
    expect(warnings(h)[0]!.msg).toMatch(/colt answered 429 without Retry-After \(1 in a row\): waiting 1 s .*COLT_RATE_LIMIT_MAX_WAIT/);
  });

  it('an answer that is not 429 starts the waits over', async () => {
    const h = await setup({ client: { maxRetryAfterWaitMs: 60_000 } });
    const orderId = placeActivation(h);
    h.running.mock.failNext({ status: 429, count: 2 });
    expect((await h.client.getOrder(orderId)).ok).toBe(true);
    h.running.mock.failNext({ status: 429 });
    expect((await h.client.getOrder(orderId)).ok).toBe(true);
    expect(h.sleeps).toEqual([1_000, 2_000, 1_000]);
    expect(h.state.calls.filter((c) => c.status === 429)).toHaveLength(3);
  });

  it('pauses every caller: a second call during the wait is not sent', async () => {
    const h = await setup({ client: { maxRetryAfterWaitMs: 0 } });
    const orderId = placeActivation(h);
    h.running.mock.failNext({ status: 429 });
    expect(await h.client.getOrder(orderId)).toMatchObject({ ok: false, status: 429, retryAfterMs: 1_000 });
    const sent = h.orderCalls().length;
    expect(await h.client.getOrder(orderId)).toMatchObject({ ok: false, status: 429, retryAfterMs: 1_000 });
    expect(h.orderCalls()).toHaveLength(sent);
    h.clock.advance(1_000);
    expect((await h.client.getOrder(orderId)).ok).toBe(true);
  });

  it('the cap is COLT_RATE_LIMIT_MAX_WAIT through the relay’s client', async () => {
    const h = await setup();
    const orderId = placeActivation(h);
    const clock = createManualClock(h.clock.now());
    const env = parseEnv({
      COLT_CLIENT_ID: CLIENT_ID,
      COLT_CLIENT_SECRET: CLIENT_SECRET,
      COLT_API_BASE_URL: h.running.apiBaseUrl,
      COLT_TOKEN_URL: h.running.tokenUrl,
      COLT_RATE_LIMIT_MAX_WAIT: '3s',
    });
    expect(env.COLT_RATE_LIMIT_MAX_WAIT).toBe(3_000);
    const lines: string[] = [];
    const colt = createColtClientFromEnv(env, {
      clock,
      logger: createLogger({ level: 'warn', destination: { write: (l: string) => void lines.push(l) } }),
      maxRetryAfterWaitMs: 0,
    })!;
    const handedBack: number[] = [];
    h.running.mock.failNext({ status: 429, count: 4 });
    for (let i = 0; i < 4; i++) {
      const result = await colt.getOrder(orderId);
      handedBack.push(result.ok ? 0 : result.retryAfterMs!);
      clock.advance(handedBack.at(-1)!);
    }
    expect(handedBack).toEqual([1_000, 2_000, 3_000, 3_000]);
    expect(lines).toHaveLength(4);
    expect((await colt.getOrder(orderId)).ok).toBe(true);
  });
});

describe('5xx on a POST that creates an order', () => {
  const posts = (h: Harness) => h.state.calls.filter((c) => c.method === 'POST' && c.path === `${COLT_API_PATH}/numberCollectionActivation`);

  it('a 500 after Colt created the order is not retried: one order, and the message says to check before sending again', async () => {
    const h = await setup();
    h.running.mock.failNext({ status: 500, afterCreate: true });
    const result = await createOrderingClient(h.client).submit('activate', ACTIVATION);
    expect(result).toMatchObject({ ok: false, status: 500, unknownOutcome: true });
    expect(result.ok ? '' : result.reason).toMatch(/HTTP 500, intermittent internal error.*Colt may have acted on it, so it was not retried: check before sending it again/);
    expect(posts(h)).toHaveLength(1);
    expect(h.state.orders.size).toBe(1);
  });

  it('a 503 proves nothing was created: retried, one order; a 500 on a read is retried too', async () => {
    const h = await setup();
    h.running.mock.failNext({ status: 503 });
    const placed = await createOrderingClient(h.client).submit('activate', ACTIVATION);
    expect(placed.ok).toBe(true);
    expect(posts(h).map((c) => c.status)).toEqual([503, 200]);
    expect(h.state.orders.size).toBe(1);
    h.running.mock.failNext({ status: 500 });
    expect((await h.client.getOrder([...h.state.orders.keys()][0]!)).ok).toBe(true);
    expect(h.orderCalls().map((c) => c.status)).toEqual([500, 200]);
  });
});
