/**
 * Silences in workerd (docs/design.md#silences): a silence in the database holds back the matching
 * callback's webhook, which the Worker records as suppressed naming it; a callback it does
 * not match is delivered to the webhook receiver as usual. A silence of one channel, made
 * through the Worker's admin API, holds back that channel only.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveries } from '../../../src/store/schema.js';
import { createSilence } from '../../../src/store/silences.repo.js';
import { callWorker, createTestDatabase, hasDatabase, orderId, peerState, postCallback, scriptWebhook, testBindings } from './support/harness.js';

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

  it('a silence of ops-slack made through the admin API holds the Slack message only: webhook and email go out', async () => {
    const adminToken = 'workers-silence-admin-token-0123456789';
    const bindings = testBindings(db.url, { ADMIN_TOKEN: adminToken });
    const failed = orderId('slack-silenced');
    const api = (body: unknown) =>
      callWorker(bindings, '/api/silences', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
        body: JSON.stringify(body),
      });
    const base = { match: { orderId: failed }, duration: '1h', comment: 'Slack noise', createdBy: 'alice' };
    const unknown = await api({ ...base, channels: ['ops-slak'] });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { issues: { path: string; message: string }[] } }).error.issues).toEqual([
      { path: 'channels', message: 'unknown channel "ops-slak" (did you mean "ops-slack"?); the rules define: downstream, ops-slack, noc-email' },
    ]);
    const created = await api({ ...base, channels: ['ops-slack'] });
    expect(created.status).toBe(201);
    const silence = (await created.json()) as { id: string; channels: string[] };
    expect(silence.channels).toEqual(['ops-slack']);

    await scriptWebhook({ status: 200, body: '{}' });
    const { id } = (await (await postCallback(bindings, { orderId: failed, orderStatus: 'Failed' })).json()) as { id: string };
    const rows = await db.store.db.select().from(deliveries).where(eq(deliveries.eventId, id));
    expect(Object.fromEntries(rows.map((d) => [d.channel, [d.status, d.silenceId]]))).toEqual({
      'ops-slack': ['suppressed', silence.id],
      downstream: ['delivered', null],
      'noc-email': ['delivered', null],
    });
    const state = await peerState();
    expect(state.slack.messages.filter((m) => m.text.includes(failed))).toHaveLength(0);
    expect(state.webhook.filter((r) => r.payload?.data.orderId === failed)).toHaveLength(1);
    expect(state.mail.filter((m) => JSON.stringify(m).includes(failed))).toHaveLength(1);
  });
});
