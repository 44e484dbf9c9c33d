/**
 * docs/design.md#notification-controls through the admin API with a real worker (tick()) and a loopback webhook
 * receiver verifying signatures: disable and enable a channel by hand; retry every dead
 * delivery of a channel since a time, each sent exactly once; bad input named.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq, inArray } from 'drizzle-orm';
import { insertDeliveries } from '../../../src/store/deliveries.repo.js';
import { callbackEvents, channelState, deliveries } from '../../../src/store/schema.js';
import { insertTestEvent } from '../../deliver/support.js';
import { STORE_KINDS } from '../../support/store.js';
import { createAdminHarness, flatCallback, type AdminHarness } from './support.js';

type ErrorAnswer = { error: { code: string; message: string; issues?: { path: string; message: string }[] } };
const HOUR = 3_600_000;

describe.each(STORE_KINDS)('channels and bulk recovery through the admin API (%s)', (kind) => {
  let h: AdminHarness;
  beforeAll(async () => {
    h = await createAdminHarness(kind, { env: { RECONCILE: 'off' } });
  });
  afterAll(async () => {
    await h?.close();
  });
  beforeEach(async () => {
    await h.store.db.delete(callbackEvents);
    await h.store.db.delete(channelState);
    h.peer.requests.length = 0;
    h.peer.setDefault({ status: 200, body: '{}' });
  });

  const post = (path: string, body?: unknown) => h.api(path, { method: 'POST', ...(body !== undefined && { body }) });
  const drain = async () => {
    for (let i = 0; i < 20 && !(await h.pipeline!.dispatcher.tick()).idle; i++);
  };

  it('disables by hand (held, one relay event), keeps the first reason, and enabling sends what waited', async () => {
    const off = await post('/api/channels/oss/disable', { reason: 'receiver being migrated' });
    expect(off.status).toBe(200);
    expect(await off.json()).toMatchObject({ name: 'oss', enabled: false, disabledBy: 'admin', disabledReason: 'receiver being migrated' });
    const again = await post('/api/channels/oss/disable', { reason: 'another reason' });
    expect(await again.json()).toMatchObject({ enabled: false, disabledReason: 'receiver being migrated' });

    await h.callback(flatCallback('IN-ORD-HELD', 'Completed'));
    await drain();
    const rows = await h.store.db.select().from(deliveries).orderBy(deliveries.channel);
    expect(rows.map((d) => [d.channel, d.status])).toEqual([['console', 'delivered'], ['oss', 'pending']]);
    expect(h.peer.requests).toHaveLength(0);
    const relayEvents = () => h.store.db.select().from(callbackEvents).where(eq(callbackEvents.source, 'relay')).orderBy(callbackEvents.receivedAt);
    expect((await relayEvents()).map((e) => [e.type, e.payload])).toMatchObject([
      ['relay.channel_disabled', { channel: 'oss', channelType: 'webhook', disabledBy: 'admin', reason: 'receiver being migrated' }],
    ]);

    const on = await post('/api/channels/oss/enable');
    expect(await on.json()).toMatchObject({ enabled: true, disabledBy: null, disabledReason: null });
    await post('/api/channels/oss/enable'); // enabled already: nothing to announce
    await drain();
    expect((await relayEvents()).map((e) => [e.type, e.payload])).toMatchObject([
      ['relay.channel_disabled', { channel: 'oss' }],
      ['relay.channel_enabled', { channel: 'oss', channelType: 'webhook', enabledBy: 'admin', disabledBy: 'admin', disabledReason: 'receiver being migrated' }],
    ]);
    expect(h.peer.requests.map((r) => r.webhookId)).toEqual([rows[1]!.id]);
    expect(h.peer.requests[0]!.verified).toBe(true);
  });

  it('disable without a body gives a default reason; an unknown channel is 404 naming it; a bad reason is a 400', async () => {
    const bare = await h.api('/api/channels/console/disable', { method: 'POST' });
    expect(bare.status).toBe(200);
    expect(await bare.json()).toMatchObject({ enabled: false, disabledBy: 'admin', disabledReason: 'disabled by an operator' });
    const unknown = await post('/api/channels/no-such/disable', { reason: 'x' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as ErrorAnswer).error.message).toContain('no-such');
    const bad = await post('/api/channels/oss/disable', { reason: 5 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as ErrorAnswer).error.issues?.map((i) => i.path)).toEqual(['reason']);
    const extra = await post('/api/channels/oss/disable', { why: 'x' });
    expect(extra.status).toBe(400);
  });

  /** Dead deliveries as the schedule leaves them: `count` on `channel`, died `agoMs` before now. */
  async function seedDead(channel: string, count: number, agoMs: number): Promise<string[]> {
    const now = new Date(h.clock.now());
    const died = new Date(now.getTime() - agoMs);
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const orderId = `IN-ORD-DEAD-${channel}-${agoMs}-${i}`;
      const eventId = await insertTestEvent(h.store.db, { receivedAt: died, orderId, queue: false });
      ids.push(...(await insertDeliveries(h.store.db, [{ eventId, orderId, channel, channelType: channel === 'oss' ? 'webhook' : 'log', rules: ['r'] }], died)));
    }
    await h.store.db
      .update(deliveries)
      .set({ status: 'dead', attempts: 9, lastError: 'HTTP 500', lastCode: '500', updatedAt: died })
      .where(inArray(deliveries.id, ids));
    return ids;
  }

  it('retries 100 dead deliveries of a channel since 2h: each reaches the receiver exactly once, signed', async () => {
    const recent = await seedDead('oss', 100, HOUR);
    const old = await seedDead('oss', 3, 5 * HOUR);
    const otherChannel = await seedDead('console', 2, HOUR);
    const res = await post('/api/deliveries/retry', { status: 'dead', channel: 'oss', since: '2h' });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ retried: 100, status: 'dead', channel: 'oss', since: new Date(h.clock.now() - 2 * HOUR).toISOString() });
    await drain();
    const ids = h.peer.requests.map((r) => r.webhookId);
    expect(ids).toHaveLength(100);
    expect(new Set(ids)).toEqual(new Set(recent));
    expect(h.peer.requests.every((r) => r.verified)).toBe(true);
    const status = async (list: string[]) =>
      [...new Set((await h.store.db.select().from(deliveries).where(inArray(deliveries.id, list))).map((d) => d.status))];
    expect(await status(recent)).toEqual(['delivered']);
    expect(await status(old)).toEqual(['dead']);
    expect(await status(otherChannel)).toEqual(['dead']);
    // Nothing left: again is 0, and no further request.
    expect(await (await post('/api/deliveries/retry', { status: 'dead', channel: 'oss', since: '2h' })).json()).toMatchObject({ retried: 0 });
    await drain();
    expect(h.peer.requests).toHaveLength(100);

    // An ISO since, every channel: the older ones and the other channel's.
    const since = new Date(h.clock.now() - 6 * HOUR).toISOString();
    expect(await (await post('/api/deliveries/retry', { status: 'dead', since })).json()).toEqual({ retried: 5, status: 'dead', channel: null, since });
  });

  it('answers bad input with a 400 naming the field, and an unknown channel with a 404 naming it', async () => {
    const cases: [unknown, string][] = [
      [{ status: 'dead', since: 'yesterday' }, 'since'],
      [{ status: 'dead' }, 'since'],
      [{ status: 'retrying', since: '2h' }, 'status'],
      [{ since: '2h' }, 'status'],
      [{ status: 'dead', since: '2h', channel: '' }, 'channel'],
    ];
    for (const [body, field] of cases) {
      const res = await post('/api/deliveries/retry', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const answer = (await res.json()) as ErrorAnswer;
      expect(answer.error.issues?.map((i) => i.path), JSON.stringify(body)).toContain(field);
    }
    const unknown = await post('/api/deliveries/retry', { status: 'dead', channel: 'nope', since: '2h' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as ErrorAnswer).error).toMatchObject({ code: 'not_found', message: expect.stringContaining('"nope"') });
    const notJson = await h.api('/api/deliveries/retry', { method: 'POST', body: 'not json' });
    expect(notJson.status).toBe(400);
  });
});
