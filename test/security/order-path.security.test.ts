/**
 * Finding 7 (order ids as paths): an order id is one path segment of GET /order/{id} and
 * can never reach another path of Colt's API, checked against the simulator over real HTTP.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { COLT_API_PATH } from '../../src/colt/endpoints.js';
import { startHarness, type Harness } from '../colt/colt-harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** API calls (the token endpoint aside) that the simulator saw. */
const apiCalls = (h: Harness) => h.state.calls.filter((c) => c.path.startsWith(COLT_API_PATH));

describe('order ids never escape GET /order/', () => {
  it.each(['.', '..'])('"%s" is refused as a permanent error naming the id, and nothing is sent', async (orderId) => {
    harness = await startHarness();
    const result = await harness.client.getOrder(orderId);
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(result.ok ? '' : result.reason).toContain(`order id "${orderId}"`);
    expect(apiCalls(harness)).toEqual([]);
  });

  it.each(['../numberCollection', '../../authentication/v1/oauth/token', 'a/../..', '%2e%2e', '.%2e', '?x=1#', '..\\..'])(
    '"%s" stays one segment below /order/ (answered 404 by the simulator)',
    async (orderId) => {
      harness = await startHarness();
      const result = await harness.client.getOrder(orderId);
      expect(result).toMatchObject({ ok: false, retryable: false, status: 404 });
      const calls = apiCalls(harness);
      expect(calls).toHaveLength(1);
      expect(calls[0]!.path).toBe(`${COLT_API_PATH}/order/${encodeURIComponent(orderId)}`);
      expect(calls[0]!.path.slice(`${COLT_API_PATH}/order/`.length)).not.toContain('/');
    },
  );
});
