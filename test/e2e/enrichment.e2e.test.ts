/**
 * Issue "Colt API client, enrichment and simulator", end to end: an activation placed
 * through mock-colt calls the relay back (raised, then completed); the dispatcher enriches
 * both thin callbacks with GET /order, so the stored events carry numbers and customer.
 */
import { getEventDetail, getOrderTimeline } from '../../src/store/admin.repo.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { RunningMockColt } from '../../src/colt/mock/mock-colt.server.js';
import { loadEvent } from '../../src/store/events.repo.js';
import { callbackEvents, orders } from '../../src/store/schema.js';
import { createTestPipelineWithMockColt, type TestPipeline } from '../support/pipeline.js';
import { STORE_KINDS } from '../support/store.js';

const immediately = (run: () => void) => {
  queueMicrotask(run);
  return () => {};
};

describe.each(STORE_KINDS)('enrichment through mock-colt on %s', (kind) => {
  let relay: TestPipeline;
  let colt: RunningMockColt;

  beforeAll(async () => {
    ({ relay, colt } = await createTestPipelineWithMockColt(
      kind,
      { RULES: 'channels:\n  console: { type: log }\nrules:\n  - name: all\n    notify: [console]\n' },
      { schedule: immediately },
    ));
  });
  afterAll(async () => {
    await relay?.close();
    await colt?.close();
  });

  it('stores enriched raised and completed events for an activation', async () => {
    const token = await relay.pipeline.colt!.getToken();
    const placed = await fetch(`${colt.apiBaseUrl}/numberCollectionActivation`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, APIGWTrackingId: crypto.randomUUID(), 'content-type': 'application/json' },
      body: JSON.stringify({ country: 'GB', numberType: 'Freephone', customerReference: 'ACME-42', customerName: 'Acme Ltd' }),
    });
    // The portal documents 200 ("Order ID is successfully generated") for the ordering POSTs.
    expect(placed.status).toBe(200);
    const { orderId } = (await placed.json()) as { orderId: string };
    await colt.mock.idle();

    const rows = await relay.store.db.select().from(callbackEvents).where(eq(callbackEvents.orderId, orderId));
    expect(rows.map((r) => r.status).sort()).toEqual(['completed', 'raised']);
    // The callbacks themselves are thin: no numbers, no customer.
    expect(rows.every((r) => r.numbers.length === 0 && r.customerRef === null)).toBe(true);

    await relay.drain();

    const [order] = await relay.store.db.select().from(orders).where(eq(orders.orderId, orderId));
    expect(order!.detailsFetchedAt).not.toBeNull();
    expect(order!.customerRef).toBe('ACME-42');
    expect(order!.numberType).toBe('freephone');
    expect(order!.numbers.length).toBeGreaterThan(0);
    expect(order!.numbers[0]!.start).toMatch(/^\+44/);
    for (const row of rows) {
      const event = (await loadEvent(relay.store.db, row.id))!;
      expect(event.customerRef).toBe('ACME-42');
      expect(event.numbers).toEqual(order!.numbers);
      expect(event.order).not.toBeNull();
      expect(row.id).toBeTruthy();
    }
    const timeline = (await getOrderTimeline(relay.store.db, orderId))!;
    expect(timeline.events.map((e) => e.state)).toEqual(rows.map(() => 'processed'));
  });

  it('goes on without details when Colt does not know the order (404), and records why', async () => {
    const { id } = await relay.post({ orderId: 'IN-ORD-UNKNOWN-1', status: 'failed', orderType: 'Number Activation' });
    await relay.drain();
    const [order] = await relay.store.db.select().from(orders).where(eq(orders.orderId, 'IN-ORD-UNKNOWN-1'));
    expect(order!.enrichError).toMatch(/404/);
    expect(order!.detailsFetchedAt).toBeNull();
    expect((await getEventDetail(relay.store.db, id))!.event.state).toBe('processed');
  });
});
