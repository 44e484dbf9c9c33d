/**
 * Issue 19, point 1, end to end: a failed order whose reason exists only in Colt's
 * `GET /order` (TM Forum `errorMessage: [{code, reason, message}]`), behind an OAuth2
 * client-credentials token endpoint that takes Basic auth (a local stand-in). Colt answers
 * 503 at first, so the reason arrives with the details on a later try; the Slack message,
 * the email and the signed webhook then each carry E-4021, a rule matches `failure.code`,
 * templates render `{{failure.code}}`, and the admin API shows the failure and every event's type.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { deliveries } from '../../src/store/schema.js';
import { startColtApiPeer, type ColtApiPeer } from '../support/colt-api-peer.js';
import { createTestPipeline, type TestPipeline } from '../support/pipeline.js';
import { startSlackPeer, type SlackPeer } from '../support/slack-peer.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.js';
import { STORE_KINDS } from '../support/store.js';
import { startWebhookPeer, type WebhookPeer } from '../support/webhook-peer.js';

const SECRET = `whsec_${Buffer.from('colt-relay-failure-reason-key!!').toString('base64')}`;
const ADMIN_TOKEN = 'failure-reason-admin-token-0123456789';
const REASON = 'E-4021 · Address validation failed';
const MESSAGE = 'Emergency address could not be validated for +33382500010';

const rules = (hookUrl: string) => `
channels:
  ops-slack: { type: slack, channel: C0123456789 }
  noc-email: { type: email, to: [noc@example.com] }
  oss: { type: webhook, url: "${hookUrl}", secret: \${OSS_SECRET} }
  address-desk: { type: email, to: [desk@example.com], subject: "Colt {{failure.code}}: {{failure.reason}} ({{orderId}})" }
  porting-desk: { type: log }
rules:
  - name: failures-to-ops
    match: { status: failed }
    notify: [ops-slack, noc-email, oss]
  - name: address-problems
    match: { failure.code: E-4021 }
    notify: [address-desk]
  - name: porting-problems
    match: { failure.code: E-7312 }
    notify: [porting-desk]
  - name: completed-to-oss
    match: { status: completed }
    notify: [oss]
`;

/** GET /order as Colt would answer for a failed activation: the reason only here, as TM Forum's errorMessage list. */
function failedOrder(orderId: string): Record<string, unknown> {
  return {
    id: orderId,
    orderType: 'Number Activation',
    state: 'failed',
    customer: { customerReference: 'ACME-FR-9', code: 'CUST-77' },
    numberRanges: [{ country: 'FR', numberType: 'IN Geo', startFullNumber: '+33382500010', endFullNumber: '+33382500019', status: 'Reserved' }],
    errorMessage: [{ code: 'E-4021', reason: 'Address validation failed', message: MESSAGE, status: '422' }],
  };
}

/** The parts of GET /api/events/{id} and GET /api/orders/{id} these tests read. */
interface ApiAnswer {
  event: { type: string; stale: boolean };
  normalised: { type: string; stale: boolean; failure: Record<string, string> | null };
  failure: Record<string, string> | null;
  events: { type: string }[];
}

describe.each(STORE_KINDS)('a failure reason only in GET /order, on %s', { timeout: 120_000 }, (kind) => {
  let slack: SlackPeer;
  let smtp: SmtpPeer;
  let hook: WebhookPeer;
  let colt: ColtApiPeer;
  let relay: TestPipeline;
  const api = async <T = ApiAnswer>(path: string): Promise<T> => {
    const res = await relay.app.request(path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    [slack, smtp, hook, colt] = await Promise.all([startSlackPeer(), startSmtpPeer(), startWebhookPeer(SECRET), startColtApiPeer()]);
    relay = await createTestPipeline(kind, {
      RULES: rules(hook.url),
      OSS_SECRET: SECRET,
      ADMIN_TOKEN,
      SMTP_URL: smtp.url,
      MAIL_FROM: 'relay@example.com',
      SLACK_BOT_TOKEN: slack.token,
      SLACK_API_URL: slack.url,
      COLT_CLIENT_ID: colt.clientId,
      COLT_CLIENT_SECRET: colt.clientSecret,
      COLT_API_BASE_URL: colt.apiBaseUrl,
      COLT_TOKEN_URL: colt.tokenUrl,
    });
  });
  afterAll(async () => {
    await relay?.close();
    await Promise.all([slack?.close(), smtp?.close(), hook?.close(), colt?.close()]);
  });

  it('Slack, email and the signed webhook each carry the reason code once GET /order answers', async () => {
    const orderId = `IN-ORD-FAIL-${kind}`;
    colt.setOrder(orderId, failedOrder(orderId));
    // The client's three quick tries all meet a 503: the event waits for its next enrichment try.
    colt.failNext(503, 3);
    const { http, id } = await relay.post({ orderId, orderStatus: 'Failed', orderType: 'Number Activation', timestamp: new Date().toISOString() });
    expect(http).toBe(200);
    await relay.pipeline.dispatcher.tick();
    expect(slack.messages.size + smtp.messages.length + hook.requests.length).toBe(0);
    // Past the enrichment's next try (10 s and its jitter): GET /order answers with the order.
    await relay.drain({ advanceMs: 30_000 });

    // Colt's side: a Basic-auth token, then GET /order until it answered; a tracking id on every call.
    const orderCalls = colt.calls.filter((c) => c.path.endsWith(`/order/${orderId}`)).map((c) => c.status);
    expect(orderCalls).toEqual([503, 503, 503, 200]);
    expect(colt.calls.find((c) => c.method === 'POST')).toMatchObject({ status: 200 });
    expect(colt.calls.every((c) => c.trackingId !== null)).toBe(true);

    const post = [...slack.messages.values()].find((m) => m.text.includes(orderId))!;
    expect(post.text).toBe(`❌ Order ${orderId} failed (activation): ${REASON}`);
    expect(JSON.stringify(post.blocks)).toContain(`*Reason*\\n${REASON}`);
    expect(JSON.stringify(post.blocks)).toContain(`*Colt message*\\n${MESSAGE}`);

    const mail = smtp.messages.find((m) => m.envelope.to.includes('noc@example.com') && m.subject.includes(orderId))!;
    expect(mail.subject).toBe(`[colt-relay] Order ${orderId} failed (activation): ${REASON}`);
    expect(mail.text).toMatch(new RegExp(`^Reason: +${REASON}$`, 'm'));
    expect(mail.text).toMatch(new RegExp(`^Colt message: +${MESSAGE.replace('+', '\\+')}$`, 'm'));
    expect(mail.html).toContain(`<th align="left" style="padding:2px 12px 2px 0">Reason</th><td>${REASON}</td>`);

    const webhook = hook.requests.find((r) => (r.payload as { data?: { orderId?: string } } | undefined)?.data?.orderId === orderId)!;
    expect(webhook.verified).toBe(true);
    expect(webhook.payload).toMatchObject({
      type: 'order.failed',
      data: {
        eventId: id,
        failure: { code: 'E-4021', reason: 'Address validation failed', message: MESSAGE, source: 'order' },
        customerRef: 'ACME-FR-9',
      },
    });

    // A rule matched failure.code, and its template rendered the failure's parts; the other code's rule did not fire.
    const desk = smtp.messages.find((m) => m.envelope.to.includes('desk@example.com'))!;
    expect(desk.subject).toBe(`Colt E-4021: Address validation failed (${orderId})`);
    const routed = await relay.store.db.select().from(deliveries).where(eq(deliveries.eventId, id));
    expect(routed.map((d) => [d.channel, d.rules, d.status]).sort()).toEqual([
      ['address-desk', ['address-problems'], 'delivered'],
      ['noc-email', ['failures-to-ops'], 'delivered'],
      ['ops-slack', ['failures-to-ops'], 'delivered'],
      ['oss', ['failures-to-ops'], 'delivered'],
    ]);

    // The admin API: the event's type and failure, and the order's.
    const detail = await api(`/api/events/${id}`);
    expect(detail.event.type).toBe('order.failed');
    expect(detail.normalised.failure).toEqual({ code: 'E-4021', reason: 'Address validation failed', message: MESSAGE, source: 'order' });
    const timeline = await api(`/api/orders/${orderId}`);
    expect(timeline.failure).toEqual(detail.normalised.failure);
    expect(timeline.events.map((e) => e.type)).toEqual(['order.failed']);
  });

  it('a late callback for the failed order is stale: stored, typed, without a failure of its own, notifying no one', async () => {
    const orderId = `IN-ORD-FAIL-${kind}`;
    const before = { slack: slack.messages.size, mail: smtp.messages.length, hooks: hook.requests.length };
    const late = await relay.post({ orderId, orderStatus: 'In Progress', orderType: 'Number Activation' });
    await relay.drain();
    expect({ slack: slack.messages.size, mail: smtp.messages.length, hooks: hook.requests.length }).toEqual(before);
    const detail = await api(`/api/events/${late.id}`);
    expect(detail.event).toMatchObject({ stale: true, type: 'order.in_progress' });
    expect(detail.normalised).toMatchObject({ stale: true, type: 'order.in_progress', failure: null });
    // The order keeps the failure of the event that made it final.
    expect((await api(`/api/orders/${orderId}`)).failure).toMatchObject({ code: 'E-4021', source: 'order' });
  });

  it('a callback that says why itself wins over the details, and GET /api/events types every event', async () => {
    const orderId = `IN-ORD-PORT-${kind}`;
    colt.setOrder(orderId, failedOrder(orderId));
    const failed = await relay.post({ orderId, orderStatus: 'Failed', orderType: 'Number Activation', errorCode: 'E-7312', failureReason: 'Porting window rejected' });
    const done = await relay.post({ orderId: `IN-ORD-DONE-${kind}`, orderStatus: 'Completed', orderType: 'Number Activation' });
    await relay.drain();
    const detail = await api(`/api/events/${failed.id}`);
    expect(detail.normalised.failure).toEqual({ code: 'E-7312', reason: 'Porting window rejected', source: 'callback' });
    const porting = await relay.store.db.select().from(deliveries).where(eq(deliveries.eventId, failed.id));
    expect(porting.map((d) => d.channel).sort()).toEqual(['noc-email', 'ops-slack', 'oss', 'porting-desk']);
    const page = await api<{ items: { id: string; type: string | null }[] }>('/api/events?limit=200');
    expect(page.items.every((e) => typeof e.type === 'string' && e.type.length > 0)).toBe(true);
    expect(page.items.find((e) => e.id === failed.id)!.type).toBe('order.failed');
    expect(page.items.find((e) => e.id === done.id)!.type).toBe('order.completed');
  });
});
