/**
 * Issue 19, points 2, 3 and 5, end to end: a webhook answering 410 disables its channel and
 * ONE relay.channel_disabled event reaches the operators' webhook through a rule; the
 * deliveries held behind the disabled channel count in colt_relay_held_deliveries while
 * colt_relay_oldest_due_delivery_age_seconds stays 0; enabling and disabling by hand
 * (admin API) route relay.channel_enabled / relay.channel_disabled once each;
 * colt_relay_channel_disabled and colt_relay_overdue_orders follow; GET /api/events types
 * every event. All read through GET /metrics and the admin API of a relay over a real store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestPipeline, type TestPipeline } from '../support/pipeline.js';
import { STORE_KINDS } from '../support/store.js';
import { startWebhookPeer, type WebhookPeer } from '../support/webhook-peer.js';

const SECRET = `whsec_${Buffer.from('colt-relay-announcements-key!!').toString('base64')}`;
const ADMIN_TOKEN = 'announcements-admin-token-0123456789';

const rules = (ossUrl: string, opsUrl: string) => `
channels:
  oss: { type: webhook, url: "${ossUrl}", secret: \${HOOK_SECRET} }
  ops-hook: { type: webhook, url: "${opsUrl}", secret: \${HOOK_SECRET} }
  console: { type: log }
rules:
  - name: completed-to-oss
    match: { status: completed }
    notify: [oss]
  - name: channel-alerts
    match: { type: [relay.channel_disabled, relay.channel_enabled] }
    notify: [ops-hook]
`;

/** The value of one exact series in Prometheus text, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

interface RelayWebhook {
  type: string;
  data: { type: string; source: string; orderId: string; payload: Record<string, unknown> };
}

describe.each(STORE_KINDS)('channel announcements and held deliveries on %s', { timeout: 120_000 }, (kind) => {
  let oss: WebhookPeer;
  let ops: WebhookPeer;
  let relay: TestPipeline;
  const request = (path: string, init: { method?: string; body?: unknown } = {}) =>
    relay.app.request(path, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(init.body !== undefined && { 'content-type': 'application/json' }) },
      ...(init.body !== undefined && { body: JSON.stringify(init.body) }),
    });
  const metrics = async () => (await relay.app.request('/metrics')).text();
  const announced = () => {
    expect(ops.requests.every((r) => r.verified), 'every announcement is signed and on time').toBe(true);
    return ops.requests.map((r) => r.payload as RelayWebhook);
  };
  const completed = (orderId: string) => relay.post({ orderId, orderStatus: 'Completed', orderType: 'Number Activation' });

  beforeAll(async () => {
    [oss, ops] = await Promise.all([startWebhookPeer(SECRET), startWebhookPeer(SECRET)]);
    relay = await createTestPipeline(
      kind,
      { RULES: rules(oss.url, ops.url), HOOK_SECRET: SECRET, ADMIN_TOKEN, ORDER_SLA: 'activation=5m' },
      { prometheus: true },
    );
  });
  afterAll(async () => {
    await relay?.close();
    await Promise.all([oss?.close(), ops?.close()]);
  });

  it('a 410 routes one relay.channel_disabled; what waits behind it is held, not late', async () => {
    // Before anything happened: every channel and order type has its series.
    const first = await metrics();
    for (const channel of ['oss', 'ops-hook', 'console']) {
      expect(sample(first, `colt_relay_channel_disabled{channel="${channel}"}`), channel).toBe(0);
      expect(sample(first, `colt_relay_held_deliveries{channel="${channel}",reason="disabled"}`), channel).toBe(0);
    }
    for (const type of ['reservation', 'reservation_cancellation', 'activation', 'address_update', 'unknown']) {
      expect(sample(first, `colt_relay_overdue_orders{order_type="${type}"}`), type).toBe(0);
    }

    oss.setDefault({ status: 410, body: '{"gone":true}' });
    await completed('IN-ORD-GONE-1');
    await completed('IN-ORD-GONE-2'); // in the same batch: two 410s, one disable
    await relay.drain();
    expect(oss.requests.length).toBeGreaterThanOrEqual(1);
    expect(announced()).toHaveLength(1);
    expect(ops.requests[0]!.verified).toBe(true);
    expect(announced()[0]).toMatchObject({
      type: 'relay.channel_disabled',
      data: {
        type: 'relay.channel_disabled',
        source: 'relay',
        orderId: '',
        payload: { channel: 'oss', channelType: 'webhook', disabledBy: 'gone', lastCode: '410', reason: expect.stringContaining('410') },
      },
    });

    // Later orders wait behind the disabled channel, minutes past their due time (within the
    // receivers' 5-minute signature tolerance, as the relay's clock runs ahead of theirs here).
    await completed('IN-ORD-HELD-1');
    await completed('IN-ORD-HELD-2');
    await relay.drain();
    relay.clock.advance(4 * 60_000);
    const text = await metrics();
    expect(sample(text, 'colt_relay_held_deliveries{channel="oss",reason="disabled"}')).toBe(2);
    expect(sample(text, 'colt_relay_queue_depth{status="pending"}')).toBe(2);
    expect(sample(text, 'colt_relay_oldest_due_delivery_age_seconds')).toBe(0);
    expect(sample(text, 'colt_relay_channel_disabled{channel="oss"}')).toBe(1);
    expect(sample(text, 'colt_relay_channel_disabled{channel="ops-hook"}')).toBe(0);
    expect(announced()).toHaveLength(1);
  });

  it('enabling by hand routes relay.channel_enabled once; the held deliveries go out', async () => {
    oss.setDefault({ status: 200, body: '{}' });
    const before = oss.requests.length;
    expect((await request('/api/channels/oss/enable', { method: 'POST' })).status).toBe(200);
    expect((await request('/api/channels/oss/enable', { method: 'POST' })).status).toBe(200); // already enabled: no second event
    await relay.drain();
    expect(announced().map((a) => a.type)).toEqual(['relay.channel_disabled', 'relay.channel_enabled']);
    expect(announced()[1]!.data.payload).toMatchObject({ channel: 'oss', enabledBy: 'admin', disabledBy: 'gone' });
    expect(oss.requests.slice(before).filter((r) => r.verified)).toHaveLength(2);
    const text = await metrics();
    expect(sample(text, 'colt_relay_held_deliveries{channel="oss",reason="disabled"}')).toBe(0);
    expect(sample(text, 'colt_relay_channel_disabled{channel="oss"}')).toBe(0);
    expect(sample(text, 'colt_relay_queue_depth{status="pending"}')).toBe(0);
  });

  it('disabling by hand routes relay.channel_disabled (disabledBy admin) once, and holds', async () => {
    const off = await request('/api/channels/oss/disable', { method: 'POST', body: { reason: 'receiver being migrated' } });
    expect(off.status).toBe(200);
    await request('/api/channels/oss/disable', { method: 'POST', body: { reason: 'twice' } });
    await completed('IN-ORD-HELD-3');
    await relay.drain();
    expect(announced().map((a) => a.type)).toEqual(['relay.channel_disabled', 'relay.channel_enabled', 'relay.channel_disabled']);
    expect(announced()[2]!.data.payload).toMatchObject({ channel: 'oss', disabledBy: 'admin', reason: 'receiver being migrated', failingSince: null });
    relay.clock.advance(30_000);
    const text = await metrics();
    expect(sample(text, 'colt_relay_held_deliveries{channel="oss",reason="disabled"}')).toBe(1);
    expect(sample(text, 'colt_relay_oldest_due_delivery_age_seconds')).toBe(0);
  });

  it('counts open orders past their ORDER_SLA whether or not order.overdue was sent', async () => {
    await relay.post({ orderId: 'IN-ORD-SLOW-1', orderStatus: 'Raised', orderType: 'Number Activation' });
    await relay.post({ orderId: 'IN-ORD-SLOW-2', orderStatus: 'Raised', orderType: 'Number Reservation' });
    await relay.drain();
    relay.clock.advance(6 * 60_000);
    // Before the reconciler's SLA sweep wrote anything.
    const before = await metrics();
    expect(sample(before, 'colt_relay_overdue_orders{order_type="activation"}')).toBe(1);
    expect(sample(before, 'colt_relay_overdue_orders{order_type="reservation"}')).toBe(0);
    await relay.drain();
    const events = (await (await request('/api/events?orderId=IN-ORD-SLOW-1')).json()) as { items: { type: string }[] };
    expect(events.items.map((e) => e.type).sort()).toEqual(['order.overdue', 'order.raised']);
    expect(sample(await metrics(), 'colt_relay_overdue_orders{order_type="activation"}')).toBe(1);
  });

  it('GET /api/events gives every event its type, relay events included', async () => {
    const page = (await (await request('/api/events?limit=200')).json()) as { items: { type: string | null; source: string; orderId: string }[] };
    expect(page.items.every((e) => typeof e.type === 'string')).toBe(true);
    const relayTypes = page.items.filter((e) => e.source === 'relay').map((e) => e.type);
    expect(relayTypes.sort()).toEqual(['relay.channel_disabled', 'relay.channel_disabled', 'relay.channel_enabled']);
    expect(page.items.find((e) => e.orderId === 'IN-ORD-GONE-1')!.type).toBe('order.completed');
  });
});
