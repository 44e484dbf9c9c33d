/**
 * The Cron Trigger in workerd against a real Postgres: the sweep delivers what is due
 * (a retry, an event whose immediate processing failed) through every channel the Worker
 * supports, and the webhook guard refuses what it cannot check there.
 */
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveries, deliveryAttempts, deliveryGroups, eventWork } from '../../../src/store/schema.js';
import {
  createTestDatabase,
  hasDatabase,
  orderId,
  peerState,
  postCallback,
  runCron,
  scriptWebhook,
  testBindings,
} from './support/harness.js';

type Accepted = { id: string };

describe.skipIf(!hasDatabase)('Worker cron sweep (workerd, Postgres)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  const deliveriesOf = (eventId: string) => db.store.db.select().from(deliveries).where(eq(deliveries.eventId, eventId));

  it('delivers a queued webhook: the first try got a 503, the cron sends it again, signed, with the same webhook-id', async () => {
    const bindings = testBindings(db.url);
    const order = orderId('retry');
    await scriptWebhook({ status: 503, body: '{"busy":true}' });
    const { id } = (await (await postCallback(bindings, { orderId: order, orderStatus: 'Completed' })).json()) as Accepted;
    const [queued] = await deliveriesOf(id);
    expect(queued).toMatchObject({ channel: 'downstream', status: 'retrying', attempts: 1 });

    // The retry is due in ≈ 5 s: bring it forward instead of sleeping.
    await db.store.db.update(deliveries).set({ nextAttemptAt: new Date(Date.now() - 1000) }).where(eq(deliveries.id, queued!.id));
    await runCron(bindings);

    const received = (await peerState()).webhook.filter((r) => r.payload?.data.orderId === order || r.webhookId === queued!.id);
    expect(received.map((r) => r.webhookId)).toEqual([queued!.id, queued!.id]);
    expect(received[1]).toMatchObject({ verified: true, payload: { type: 'order.completed', data: { orderId: order, eventId: id } } });
    const [delivered] = await deliveriesOf(id);
    expect(delivered).toMatchObject({ status: 'delivered', attempts: 2 });
    const attempts = await db.store.db.select().from(deliveryAttempts).where(eq(deliveryAttempts.deliveryId, queued!.id));
    expect(attempts.map((a) => [a.outcome, a.code]).sort()).toEqual([
      ['delivered', '200'],
      ['retry', '503'],
    ]);
  });

  it('routes and delivers an event left in the outbox: webhook, Slack over fetch and email over the HTTP mail API', async () => {
    const order = orderId('sweep');
    // The rules name ${WEBHOOK_SECRET}; without it the fresh processing cannot build the channels.
    const { WEBHOOK_SECRET: _missing, ...incomplete } = testBindings(db.url);
    const response = await postCallback({ ...incomplete, LOG_LEVEL: 'silent' }, { orderId: order, orderStatus: 'Failed', reason: 'Address validation failed' });
    expect(response.status).toBe(200);
    const { id } = (await response.json()) as Accepted;
    expect(await db.store.db.select().from(eventWork).where(eq(eventWork.eventId, id))).toHaveLength(1);

    await runCron(testBindings(db.url));

    const rows = await deliveriesOf(id);
    expect(Object.fromEntries(rows.map((d) => [d.channel, d.status]))).toEqual({
      downstream: 'delivered',
      'ops-slack': 'delivered',
      'noc-email': 'delivered',
    });
    const state = await peerState();
    const webhook = state.webhook.filter((r) => r.payload?.data.orderId === order);
    expect(webhook).toHaveLength(1);
    expect(webhook[0]).toMatchObject({ verified: true, payload: { type: 'order.failed' } });

    const slackPosts = state.slack.calls.filter((c) => c.method === 'chat.postMessage' && JSON.stringify(c.args).includes(order));
    expect(slackPosts).toHaveLength(1);
    expect(slackPosts[0]!.args).toMatchObject({ channel: 'C0WORKERS' });

    const email = rows.find((d) => d.channel === 'noc-email')!;
    const mails = state.mail.filter((m) => m.idempotencyKey === email.id);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({
      authorization: expect.stringMatching(/^Bearer re_test_/),
      body: { to: ['noc@example.com'], from: 'colt-relay <relay@example.com>', headers: { 'X-Colt-Relay-Delivery': email.id } },
    });
    expect(String(mails[0]!.body.subject)).toContain(order);
  });

  it('refuses webhook URLs it cannot check on Workers: an IP literal and a private name, without connecting', async () => {
    const rules = JSON.stringify({
      channels: {
        'by-ip': { type: 'webhook', url: 'http://8.8.8.8/hook', secret: '${WEBHOOK_SECRET}' },
        'by-private-name': { type: 'webhook', url: 'https://oss.internal/hook', secret: '${WEBHOOK_SECRET}' },
      },
      rules: [{ name: 'both', notify: ['by-ip', 'by-private-name'] }],
    });
    const bindings = testBindings(db.url, { RULES: rules, WEBHOOK_ALLOW_PRIVATE: 'false' });
    const { id } = (await (await postCallback(bindings, { orderId: orderId('ssrf'), orderStatus: 'Completed' })).json()) as Accepted;
    const rows = await deliveriesOf(id);
    const byChannel = Object.fromEntries(rows.map((d) => [d.channel, d]));
    expect(byChannel['by-ip']).toMatchObject({ status: 'dead', attempts: 1 });
    expect(byChannel['by-ip']!.lastError).toMatch(/^ssrf: IP address 8\.8\.8\.8 refused: on Workers webhook URLs must use a host name/);
    expect(byChannel['by-ip']!.lastError).toContain('WEBHOOK_ALLOW_PRIVATE=true allows IP addresses and private hosts');
    expect(byChannel['by-private-name']).toMatchObject({ status: 'dead', attempts: 1 });
    expect(byChannel['by-private-name']!.lastError).toMatch(/^ssrf: host oss\.internal is a local name; WEBHOOK_ALLOW_PRIVATE=true allows/);
  });

  it('sends a due delivery group as one Slack message and one email from the cron sweep', async () => {
    const customer = `CUST-${Math.random().toString(36).slice(2, 8)}`;
    const rules = JSON.stringify({
      channels: {
        'ops-slack': { type: 'slack', channel: 'C0WORKERS' },
        'noc-email': { type: 'email', to: ['noc@example.com'] },
      },
      rules: [{ name: 'grouped-failures', match: { status: 'failed' }, notify: ['ops-slack', 'noc-email'], group: { by: ['customerRef'], wait: '30s' } }],
    });
    const bindings = testBindings(db.url, { RULES: rules });
    const orders = [orderId('grp'), orderId('grp'), orderId('grp')];
    for (const order of orders) {
      const response = await postCallback(bindings, { orderId: order, orderStatus: 'Failed', customerRef: customer });
      expect(response.status).toBe(200);
    }
    const open = await db.store.db.select().from(deliveryGroups).where(eq(deliveryGroups.status, 'open'));
    const mine = open.filter((g) => g.byValues.customerRef === customer);
    expect(mine).toHaveLength(2);
    // Due in 30 s: bring the groups forward instead of sleeping.
    for (const g of mine) await db.store.db.update(deliveryGroups).set({ dueAt: new Date(Date.now() - 1000) }).where(eq(deliveryGroups.id, g.id));
    await runCron(bindings);

    const state = await peerState();
    const posts = state.slack.calls.filter((c) => c.method === 'chat.postMessage' && JSON.stringify(c.args).includes(customer));
    expect(posts).toHaveLength(1);
    for (const order of orders) expect(String(posts[0]!.args.text)).toContain(order);
    const mails = state.mail.filter((m) => String(m.body.subject).includes(customer));
    expect(mails).toHaveLength(1);
    expect(String(mails[0]!.body.subject)).toMatch(/^\[colt-relay\] 3 orders: 3 failed/);
    const sent = await db.store.db.select().from(deliveryGroups).where(inArray(deliveryGroups.id, mine.map((g) => g.id)));
    expect(sent.map((g) => g.status)).toEqual(['delivered', 'delivered']);
  });

  it('a sweep with nothing due does nothing', async () => {
    const before = (await peerState()).webhook.length;
    await runCron(testBindings(db.url));
    expect((await peerState()).webhook.length).toBe(before);
  });
});
