/**
 * The dashboard side of docs/design.md#notification-controls, as a signed-in operator: the channels table shows
 * state with Disable / Enable buttons (CSRF-checked form posts); the dead-letter list has a
 * "Retry dead deliveries" button that queues every dead delivery of the filtered channel
 * since a time, each then sent once to the loopback receiver.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, like } from 'drizzle-orm';
import { getChannelStates } from '../../../src/store/channel-state.repo.js';
import { callbackEvents, deliveries } from '../../../src/store/schema.js';
import { STORE_KINDS } from '../../support/store.js';
import { createBrowser, createDashboardHarness, type Browser, type DashboardHarness } from './support.js';

describe.each(STORE_KINDS)('dashboard channels and bulk retry on %s', (kind) => {
  let h: DashboardHarness;
  let browser: Browser;
  const drain = async () => {
    for (let i = 0; i < 10 && !(await h.pipeline.dispatcher.tick()).idle; i++);
  };
  const ossState = async () => (await getChannelStates(h.store.db)).find((s) => s.channel === 'oss');

  beforeAll(async () => {
    h = await createDashboardHarness(kind);
    browser = createBrowser(h.app);
    await browser.login();
  });
  afterAll(async () => h?.close());

  it('disables a channel with a reason and enables it again from the channels table', async () => {
    const before = await browser.page('/rules');
    expect(before).toContain('action="/channels/oss/disable"');
    expect(before).not.toContain('action="/channels/oss/enable"');

    const off = await browser.post('/channels/oss/disable', { reason: 'receiver <b>migration</b>' });
    expect(off.status).toBe(303);
    expect(off.headers.get('location')).toBe('/rules?done=disabled');
    expect(await ossState()).toMatchObject({ disabledBy: 'admin', disabledReason: 'receiver <b>migration</b>' });
    const disabled = await browser.page('/rules?done=disabled');
    expect(disabled).toContain('Channel disabled: its deliveries wait until it is enabled again.');
    expect(disabled).toContain('action="/channels/oss/enable"');
    expect(disabled).toContain('disabled by an operator');
    expect(disabled).toContain('receiver &lt;b&gt;migration&lt;/b&gt;');

    // Without the CSRF token nothing changes.
    const forged = await browser.post('/channels/oss/enable', { _csrf: 'forged' });
    expect(forged.status).toBe(403);
    expect((await ossState())?.disabledAt).not.toBeNull();
    // An unknown channel is a 404, not a new row.
    expect((await browser.post('/channels/no-such/disable', {})).status).toBe(404);

    // A second disable keeps the first and announces nothing more.
    await browser.post('/channels/oss/disable', { reason: 'again' });

    // What waits behind the disabled channel is held, not late: the overview's card says nothing is overdue.
    await h.callback({ orderId: 'IN-ORD-HELD-DASH', orderStatus: 'Failed' });
    await h.writer.drain();
    await drain();
    expect((await h.store.db.select().from(deliveries).where(eq(deliveries.orderId, 'IN-ORD-HELD-DASH'))).map((d) => [d.channel, d.status])).toContainEqual(['oss', 'pending']);
    // Minutes past due (within the webhook receiver's 5-minute signature tolerance for the next test).
    h.clock.advance(3 * 60_000);
    const overview = await browser.page('/');
    expect(overview).toMatch(/Oldest due delivery<\/div><div class="v">—<\/div><div class="small muted">nothing overdue/);

    const on = await browser.post('/channels/oss/enable', {});
    expect(on.headers.get('location')).toBe('/rules?done=enabled');
    expect(await ossState()).toMatchObject({ disabledAt: null, disabledBy: null, failingSince: null });
    expect(await browser.page('/rules')).toContain('action="/channels/oss/disable"');
    // Each change was stored as a relay event, routed by the rules like any other.
    const relay = await h.store.db.select().from(callbackEvents).where(eq(callbackEvents.source, 'relay')).orderBy(callbackEvents.receivedAt);
    expect(relay.map((e) => [e.type, e.payload])).toMatchObject([
      ['relay.channel_disabled', { channel: 'oss', channelType: 'webhook', disabledBy: 'admin', reason: 'receiver <b>migration</b>' }],
      ['relay.channel_enabled', { channel: 'oss', channelType: 'webhook', enabledBy: 'admin', disabledReason: 'receiver <b>migration</b>' }],
    ]);
  });

  it('retries every dead delivery of the filtered channel since a time from the dead-letter list', async () => {
    h.peer.setDefault({ status: 400, body: '{"error":"bad"}' });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await h.callback({ orderId: `IN-ORD-DASH-${i}`, orderStatus: 'Failed' }));
    await h.writer.drain();
    await drain();
    // As if the retry schedule had run out (28 h of retries is not this test's business).
    const these = and(eq(deliveries.channel, 'oss'), like(deliveries.orderId, 'IN-ORD-DASH-%'));
    await h.store.db.update(deliveries).set({ status: 'dead' }).where(these);
    const dead = await h.store.db.select().from(deliveries).where(these);
    expect(dead).toHaveLength(3);

    expect(await browser.page('/deliveries')).not.toContain('action="/deliveries/retry-dead"');
    const list = await browser.page('/deliveries?status=dead&channel=oss');
    expect(list).toContain('action="/deliveries/retry-dead"');
    expect(list).toContain('<input type="hidden" name="channel" value="oss"/>');

    const bad = await browser.post('/deliveries/retry-dead', { channel: 'oss', since: 'soon', back: '/deliveries?status=dead&channel=oss' });
    expect(bad.headers.get('location')).toBe('/deliveries?status=dead&channel=oss&done=bulk-bad-since');
    expect(await browser.page('/deliveries?status=dead&channel=oss&done=bulk-bad-since')).toContain('must be a duration like 2h');

    h.peer.setDefault({ status: 200, body: '{}' });
    const before = h.peer.requests.length;
    const ok = await browser.post('/deliveries/retry-dead', { channel: 'oss', since: '1h', back: '/deliveries?status=dead&channel=oss' });
    expect(ok.headers.get('location')).toBe('/deliveries?status=dead&channel=oss&done=bulk-retried');
    await drain();
    const sent = h.peer.requests.slice(before);
    expect(sent.map((r) => r.webhookId).sort()).toEqual(dead.map((d) => d.id).sort());
    expect(sent.every((r) => r.verified)).toBe(true);
    const nothing = await browser.post('/deliveries/retry-dead', { channel: 'oss', since: '1h' });
    expect(nothing.headers.get('location')).toBe('/deliveries?status=dead&done=bulk-nothing');
  });
});
