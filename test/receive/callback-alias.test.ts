/**
 * POST /callBack (the name in Colt's API list, any case) is the same receiver as
 * /callbacks/colt: mock-colt posts its callbacks there over real HTTP; status and type
 * words with prefixes are read as Colt means them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { startMockColt, type RunningMockColt } from '../../src/colt/mock/mock-colt.server.js';
import { callbackEvents } from '../../src/store/schema.js';
import { createTestPipeline, PIPELINE_TOKEN, type TestPipeline } from '../support/pipeline.js';
import { STORE_KINDS } from '../support/store.js';

const immediately = (run: () => void) => {
  queueMicrotask(run);
  return () => {};
};

describe.each(STORE_KINDS)('POST /callBack on %s', (kind) => {
  let relay: TestPipeline;
  let colt: RunningMockColt;

  beforeAll(async () => {
    relay = await createTestPipeline(kind, {});
    colt = await startMockColt({
      callbackUrl: `${relay.url}/callBack`,
      callbackToken: PIPELINE_TOKEN,
      callbackShape: 'flat',
      schedule: immediately,
    });
  });
  afterAll(async () => {
    await colt?.close();
    await relay?.close();
  });

  it("receives mock-colt's callbacks posted to /callBack", async () => {
    const { order } = colt.mock.placeOrder({ type: 'activation', country: 'GB' });
    await colt.mock.idle();
    expect(colt.mock.state.callbacks.map((c) => c.httpStatus)).toEqual([200, 200]);
    const rows = await relay.store.db.select().from(callbackEvents).where(eq(callbackEvents.orderId, order!.orderId));
    expect(rows.map((r) => r.status).sort()).toEqual(['completed', 'raised']);
  });

  it.each(['/callback', '/CALLBACK', `/callBack/${PIPELINE_TOKEN}`])('%s is the same receiver', async (path) => {
    const orderId = `IN-ORD-ALIAS-${path.length}`;
    const res = await fetch(relay.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(path.includes(PIPELINE_TOKEN) ? {} : { authorization: `Bearer ${PIPELINE_TOKEN}` }) },
      body: JSON.stringify({ orderId, orderStatus: 'Order Completed', orderType: 'Cancel Activation' }),
    });
    expect(res.status).toBe(200);
    const [row] = await relay.store.db.select().from(callbackEvents).where(eq(callbackEvents.orderId, orderId));
    expect(row).toMatchObject({ status: 'completed', rawStatus: 'Order Completed', orderType: 'unknown' });
  });

  it('answers other methods on the alias with 405 and an unauthenticated post with 401', async () => {
    expect((await fetch(`${relay.url}/callBack`)).status).toBe(405);
    const res = await fetch(`${relay.url}/callBack`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'unauthorized' } });
  });
});
