/**
 * The ordering client against mock-colt over real HTTP: bodies pass through, answers
 * that prove nothing was created (503, 429) are retried, a timeout or a 500 is not (the
 * order may exist), a wrong method is a 405.
 */
import { describe, expect, it } from 'vitest';
import { createOrderingClient, orderIdOf } from '../../src/colt/ordering.client.js';
import { COLT_API_PATH } from '../../src/colt/endpoints.js';
import { type Harness, useHarness } from './colt-harness.js';

const setup = useHarness();

const activationPosts = (h: Harness) => h.state.calls.filter((c) => c.method === 'POST' && c.path === `${COLT_API_PATH}/numberCollectionActivation`);

describe('ordering client', () => {
  it('a 503 answer is retried (nothing was created): one order', async () => {
    const harness = await setup();
    harness.running.mock.failNext({ status: 503, retryAfter: '1' });
    const result = await createOrderingClient(harness.client).submit('activate', { country: 'FR', numberType: 'IN Geo', customerReference: 'C-1' });
    expect(result.ok).toBe(true);
    expect(activationPosts(harness).map((c) => c.status)).toEqual([503, 200]);
    expect(harness.state.orders.size).toBe(1);
    expect(orderIdOf(result.ok ? result.body : null)).toBe([...harness.state.orders.keys()][0]);
  });

  it('a 500 answer is not retried: the outcome is unknown', async () => {
    const harness = await setup();
    harness.running.mock.failNext({ status: 500 });
    const result = await createOrderingClient(harness.client).submit('reserve', { country: 'FR', numberType: 'IN Geo' });
    expect(result).toMatchObject({ ok: false, unknownOutcome: true, status: 500 });
    expect(harness.state.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/numberCollectionReservation'))).toHaveLength(1);
  });

  it('a timeout is not retried, and says Colt may have acted on it', async () => {
    // Colt answers, but too late: the order exists even though the caller saw a timeout.
    const harness = await setup({
      client: {
        timeoutMs: 100,
        fetch: async (url, init) => {
          const response = await fetch(url, init);
          if (init.method === 'POST' && url.includes('numberCollection')) await new Promise((resolve) => setTimeout(resolve, 300));
          return response;
        },
      },
    });
    const result = await createOrderingClient(harness.client).submit('activate', { country: 'FR', numberType: 'IN Geo', customerReference: 'C-2' });
    expect(result).toMatchObject({ ok: false, unknownOutcome: true });
    if (!result.ok) expect(result.reason).toMatch(/timeout after 100 ms.*check before sending it again/);
    expect(activationPosts(harness)).toHaveLength(1);
    expect(harness.state.orders.size).toBe(1);
  });

  it('GET /numberCollection passes the query; a GET on an ordering path is a 405', async () => {
    const harness = await setup();
    const ordering = createOrderingClient(harness.client);
    const listed = await ordering.listNumbers({ country: 'GB', numberType: 'Freephone' });
    expect(listed.ok).toBe(true);
    const numbers = (listed.ok ? (listed.body as { numbers: { country: string; numberType: string }[] }).numbers : []);
    expect(numbers.length).toBeGreaterThan(0);
    expect(numbers.every((n) => n.country === 'GB' && n.numberType === 'Freephone')).toBe(true);
    const wrong = await harness.client.call({ method: 'GET', path: '/numberCollectionActivation' });
    expect(wrong).toMatchObject({ ok: false, status: 405, retryable: false });
  });

  it('a body that is not a JSON object is never sent', async () => {
    const harness = await setup();
    for (const body of [[1], 'text', null, 42]) {
      const result = await createOrderingClient(harness.client).submit('activate', body);
      expect(result).toMatchObject({ ok: false, retryable: false, invalidBody: true });
    }
    expect(activationPosts(harness)).toHaveLength(0);
  });
});
