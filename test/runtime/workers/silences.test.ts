/**
 * Silences in workerd (docs/design.md#silences): a silence in the database holds back the matching
 * callback's webhook, which the Worker records as suppressed naming it; a callback it does
 * not match is delivered to the webhook receiver as usual.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveries } from '../../../src/store/schema.js';
import { createSilence } from '../../../src/store/silences.repo.js';
import { createTestDatabase, hasDatabase, orderId, peerState, postCallback, scriptWebhook, testBindings } from './support/harness.js';

describe.skipIf(!hasDatabase)('silences on Workers (workerd, Postgres)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('suppresses the matching callback naming the silence, and delivers the other', async () => {
    const bindings = testBindings(db.url);
    const silenced = orderId('silenced');
    const other = orderId('other');
    const now = Date.now();
    const silence = await createSilence(
      db.store.db,
      { match: { orderId: silenced }, startsAt: new Date(now - 1000), endsAt: new Date(now + 3_600_000), comment: 'Colt incident 4711', createdBy: 'alice' },
      new Date(now),
    );
    await scriptWebhook({ status: 200, body: '{}' });
    const held = (await (await postCallback(bindings, { orderId: silenced, orderStatus: 'Completed' })).json()) as { id: string };
    const sent = (await (await postCallback(bindings, { orderId: other, orderStatus: 'Completed' })).json()) as { id: string };

    const [row] = await db.store.db.select().from(deliveries).where(eq(deliveries.eventId, held.id));
    expect(row).toMatchObject({ status: 'suppressed', silenceId: silence.id, lastError: `silenced by ${silence.id}: Colt incident 4711` });
    const [delivered] = await db.store.db.select().from(deliveries).where(eq(deliveries.eventId, sent.id));
    expect(delivered).toMatchObject({ status: 'delivered', silenceId: null });
    const webhook = (await peerState()).webhook;
    expect(webhook.filter((r) => r.payload?.data.orderId === silenced)).toHaveLength(0);
    expect(webhook.filter((r) => r.payload?.data.orderId === other)).toHaveLength(1);
  });
});
