/**
 * docs/design.md#reconciliation end to end: mock-colt drops an activation's completion callback; with
 * RECONCILE_AFTER=2s the reconciler finds the order completed with GET /order, and the
 * webhook receiver (verifying signatures) gets one order.completed with source
 * "reconciliation"; the lost callback turning up later notifies no one. An order kept
 * open past ORDER_SLA=3s yields exactly one order.overdue. Time moves by the relay's clock
 * and worker ticks; mock-colt settles orders only when the test says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { RunningMockColt } from '../../src/colt/mock/mock-colt.server.js';
import type { MockScheduler } from '../../src/colt/mock/mock-colt.types.js';
import { callbackEvents, orders } from '../../src/store/schema.js';
import { createTestPipelineWithMockColt, type TestPipeline } from '../support/pipeline.js';
import { STORE_KINDS } from '../support/store.js';
import { startWebhookPeer, type WebhookPeer } from '../support/webhook-peer.js';

const SECRET = `whsec_${Buffer.from('colt-relay-reconcile-secret-1234').toString('base64')}`;

/** Holds mock-colt's delays (settling, callback retries) until `release()`. */
function heldScheduler() {
  const held: (() => void)[] = [];
  const schedule: MockScheduler = (run) => {
    held.push(run);
    return () => held.splice(held.indexOf(run) >>> 0, 1);
  };
  return { schedule, release: () => {
      for (const run of held.splice(0)) run();
    } };
}

/** Waits (event-loop turns, bounded) for a condition driven by real I/O, not by time. */
async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 2_000; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

interface Hook {
  type: string;
  data: { orderId: string; source: string; status: string; stale: boolean };
}

describe.each(STORE_KINDS)('reconciliation and SLAs on %s', (kind) => {
  let relay: TestPipeline;
  let colt: RunningMockColt;
  let hook: WebhookPeer;
  const mockTime = heldScheduler();
  const hooksFor = (orderId: string) =>
    hook.requests.filter((r) => r.verified && (r.payload as Hook).data.orderId === orderId).map((r) => r.payload as Hook);

  beforeAll(async () => {
    hook = await startWebhookPeer(SECRET);
    ({ relay, colt } = await createTestPipelineWithMockColt(
      kind,
      {
        RECONCILE_AFTER: '2s',
        ORDER_SLA: '3s',
        OSS_SECRET: SECRET,
        RULES: `channels:\n  oss: { type: webhook, url: "${hook.url}", secret: \${OSS_SECRET} }\nrules:\n  - name: all\n    notify: [oss]\n`,
      },
      { dropCallbacks: 1, schedule: mockTime.schedule },
    ));
  });
  afterAll(async () => {
    await relay?.close();
    await colt?.close();
    await hook?.close();
  });

  /** Places an order through mock-colt and waits until its "raised" callback is stored and notified. */
  async function place(type: 'activation' | 'reservation'): Promise<string> {
    const orderId = colt.mock.placeOrder({ type, country: 'GB' }).order!.orderId;
    await until(() => colt.mock.state.callbacks.some((c) => c.orderId === orderId && c.httpStatus === 200), 'the raised callback');
    await relay.pipeline.dispatcher.tick();
    expect(hooksFor(orderId).map((h) => h.type)).toEqual(['order.raised']);
    return orderId;
  }

  it('completes an order whose completion callback was lost; the late callback notifies no one', async () => {
    const orderId = await place('activation');
    mockTime.release(); // Colt completes the order; its callback is dropped.
    await until(() => colt.mock.state.dropped.length > 0, 'the order to settle');
    expect(colt.mock.state.dropped).toEqual([{ orderId, status: 'completed' }]);

    relay.clock.advance(1_900);
    await relay.pipeline.dispatcher.tick();
    expect(hooksFor(orderId)).toHaveLength(1); // not yet RECONCILE_AFTER

    relay.clock.advance(200);
    const tick = await relay.pipeline.dispatcher.tick();
    expect(tick.reconcileChecked).toBeGreaterThanOrEqual(1);
    const completed = hooksFor(orderId).filter((h) => h.type === 'order.completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]!.data).toMatchObject({ source: 'reconciliation', status: 'completed', stale: false });
    const [order] = await relay.store.db.select().from(orders).where(eq(orders.orderId, orderId));
    expect(order).toMatchObject({ status: 'completed', statusSource: 'reconciliation' });
    expect(order!.lastReconcileResult).toMatch(/advanced: Colt reports completed/);

    // The lost callback turns up after all: stored, stale, and no second notification.
    await colt.mock.sendDropped();
    await relay.drain();
    const events = await relay.store.db.select().from(callbackEvents).where(eq(callbackEvents.orderId, orderId));
    const late = events.find((e) => e.source === 'callback' && e.status === 'completed');
    expect(late).toMatchObject({ stale: true });
    expect(hooksFor(orderId).map((h) => h.type)).toEqual(['order.raised', 'order.completed']);
  });

  it('an order open past ORDER_SLA yields exactly one order.overdue', async () => {
    const orderId = await place('reservation'); // never settled: mock-colt's delays stay held
    relay.clock.advance(2_500);
    await relay.pipeline.dispatcher.tick(); // reconciled: still raised
    const [checked] = await relay.store.db.select().from(orders).where(eq(orders.orderId, orderId));
    expect(checked!.lastReconcileResult).toMatch(/^unchanged: Colt reports "Raised"; next check in 4s/);
    expect(hooksFor(orderId).map((h) => h.type)).toEqual(['order.raised']);

    relay.clock.advance(600);
    await relay.pipeline.dispatcher.tick();
    for (let i = 0; i < 3; i++) {
      relay.clock.advance(5_000);
      await relay.pipeline.dispatcher.tick();
    }
    const overdue = hooksFor(orderId).filter((h) => h.type === 'order.overdue');
    expect(overdue).toHaveLength(1);
    expect(overdue[0]!.data).toMatchObject({ source: 'reconciliation', status: 'raised' });
    // The completed order of the first test never became overdue.
    expect(hook.requests.filter((r) => (r.payload as Hook).type === 'order.overdue')).toHaveLength(1);
  });
});
