/**
 * Grouping (docs/design.md#grouping) end to end: callbacks posted to the receiver, the rules file's `group`
 * key, the real pipeline driven by a manual clock, and real peers (Slack stand-in, SMTP
 * server, a webhook receiver verifying Standard Webhooks signatures).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { parseEnv } from '../../src/config/env.js';
import { createSilentLogger } from '../../src/lib/logger.js';
import { createPipeline, type Pipeline } from '../../src/pipeline.js';
import { deliveries, deliveryGroups } from '../../src/store/schema.js';
import { createTestPipeline, PIPELINE_TOKEN, type TestPipeline } from '../support/pipeline.js';
import { createBrowser } from '../http/dashboard/support.js';
import { startSlackPeer, type SlackPeer } from '../support/slack-peer.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.js';
import { STORE_KINDS } from '../support/store.js';
import { startWebhookPeer, type WebhookPeer } from '../support/webhook-peer.js';

const ADMIN_TOKEN = 'grouping-admin-token-0123456789';
const SECRET = `whsec_${Buffer.from('colt-relay-grouping-webhook-key!').toString('base64')}`;

const rulesYaml = (hookUrl: string) => `
channels:
  ops-slack: { type: slack, channel: C0GROUPED }
  noc-email: { type: email, to: [noc@example.com] }
  oss: { type: webhook, url: ${hookUrl}, secret: \${OSS_WEBHOOK_SECRET} }
rules:
  - name: failures-to-ops
    match: { status: failed }
    notify: [ops-slack, noc-email, oss]
    group: { by: [customerRef], wait: 30s }
`;

/** `67 orders: 67 failed`: how many orders a message speaks for. */
function ordersIn(text: string): number {
  const m = /(\d+) orders?:/.exec(text);
  expect(m, `an order count in: ${text.slice(0, 200)}`).not.toBeNull();
  return Number(m![1]);
}

/** Orders a message names: one line each for the first ten, then "and M more". */
function namedIn(text: string): number {
  const more = /and (\d+) more/.exec(text);
  return text.split('\n').filter((l) => /IN-GRP-\d+ failed/.test(l)).length + (more ? Number(more[1]) : 0);
}

describe.each(STORE_KINDS)('grouped notifications on %s', { timeout: 180_000 }, (kind) => {
  let slack: SlackPeer;
  let smtp: SmtpPeer;
  let hook: WebhookPeer;
  const relays: TestPipeline[] = [];
  const extra: Pipeline[] = [];

  beforeAll(async () => {
    [slack, smtp, hook] = await Promise.all([startSlackPeer(), startSmtpPeer(), startWebhookPeer(SECRET)]);
  });
  afterEach(async () => {
    for (const p of extra.splice(0)) await p.close();
    for (const r of relays.splice(0)) await r.close();
    slack.messages.clear();
    smtp.messages.length = 0;
    hook.requests.length = 0;
  });
  afterAll(async () => {
    await Promise.all([slack.close(), smtp.close(), hook.close()]);
  });

  const env = () => ({
    RULES: rulesYaml(hook.url),
    OSS_WEBHOOK_SECRET: SECRET,
    SMTP_URL: smtp.url,
    MAIL_FROM: 'relay@example.com',
    SLACK_BOT_TOKEN: slack.token,
    SLACK_API_URL: slack.url,
    PUBLIC_URL: 'https://relay.example.com',
    ADMIN_TOKEN: ADMIN_TOKEN,
  });

  async function relay(): Promise<TestPipeline> {
    const r = await createTestPipeline(kind, env());
    relays.push(r);
    return r;
  }

  /** `count` failed callbacks spread over `spreadMs` of the relay's clock, customers in turn. */
  async function burst(r: TestPipeline, count: number, customers: string[], spreadMs: number): Promise<Map<string, number>> {
    const expected = new Map<string, number>();
    for (let i = 0; i < count; i++) {
      const customerRef = customers[i % customers.length]!;
      expected.set(customerRef, (expected.get(customerRef) ?? 0) + 1);
      const posted = await r.post({ orderId: `IN-GRP-${i}`, status: 'failed', orderType: 'Number Activation', customerRef });
      expect(posted.http).toBe(200);
      r.clock.advance(Math.floor(spreadMs / count)); // whole milliseconds, as a real clock gives
    }
    return expected;
  }

  it('200 failed callbacks for 3 customers within 10 s: exactly 3 Slack messages and 3 emails, each listing its orders; 200 signed webhooks', async () => {
    const r = await relay();
    const expected = await burst(r, 200, ['ACME', 'GLOBEX', 'INITECH'], 10_000);
    await r.drain({ advanceMs: 1_000 });
    expect(hook.requests).toHaveLength(200);
    expect(hook.requests.every((q) => q.verified)).toBe(true);
    expect(new Set(hook.requests.map((q) => q.webhookId)).size).toBe(200);
    expect(slack.messages.size + smtp.messages.length).toBe(0);

    r.clock.advance(30_000);
    await r.drain();
    expect(slack.messages.size).toBe(3);
    expect(smtp.messages).toHaveLength(3);
    for (const [customer, orders] of expected) {
      const post = [...slack.messages.values()].find((m) => m.text.includes(`customerRef: ${customer}`));
      expect(post, `one Slack message for ${customer}`).toBeDefined();
      expect(ordersIn(post!.text)).toBe(orders);
      expect(namedIn(post!.text)).toBe(orders);
      expect(JSON.stringify(post!.blocks)).toContain('<https://relay.example.com/orders/IN-GRP-');
      const mail = smtp.messages.find((m) => m.subject.includes(`customerRef: ${customer}`));
      expect(mail, `one email for ${customer}`).toBeDefined();
      expect(ordersIn(mail!.subject)).toBe(orders);
      expect(namedIn(mail!.text!)).toBe(orders);
      expect(mail!.html).toContain('<a href="https://relay.example.com/orders/IN-GRP-');
    }
    // Members show the group; the API says which and when it was due.
    const [member] = await r.store.db.select().from(deliveries).where(eq(deliveries.channel, 'ops-slack')).limit(1);
    expect(member).toMatchObject({ status: 'delivered' });
    expect(member!.groupId).not.toBeNull();
  });

  it('a group pending across a restart is sent exactly once by the new pipeline', async () => {
    const r = await relay();
    await burst(r, 12, ['ACME'], 2_000);
    await r.drain({ advanceMs: 1_000 });
    const open = await r.store.db.select().from(deliveryGroups).where(eq(deliveryGroups.status, 'open'));
    expect(open).toHaveLength(2);
    // The API shows a member as grouped, naming its group and when the group is due.
    const [member] = await r.store.db.select().from(deliveries).where(eq(deliveries.channel, 'noc-email')).limit(1);
    const res = await r.app.request(`/api/deliveries/${member!.id}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
    const shown = (await res.json()) as { status: string; groupId: string; group: { id: string; status: string; dueAt: string; members: number; byValues: unknown } };
    const emailGroup = open.find((g) => g.channel === 'noc-email')!;
    expect(shown).toMatchObject({ status: 'grouped', groupId: emailGroup.id });
    expect(shown.group).toMatchObject({ id: emailGroup.id, status: 'open', dueAt: emailGroup.dueAt.toISOString(), members: 12, byValues: { customerRef: 'ACME' } });
    // The dashboard's order page says the same.
    const browser = createBrowser(r.app, 'https://relay.example.com'); // PUBLIC_URL is https: Secure cookies
    await browser.login(ADMIN_TOKEN);
    const html = await browser.page(`/orders/${member!.orderId}`);
    expect(html).toContain(`waits in group <span class="mono">${emailGroup.id}</span>`);
    expect(html).toContain('badge b-grouped');
    await r.pipeline.dispatcher.stop();

    // A new pipeline (rules, channels, worker) on the same database, as after a restart.
    const raw = { CALLBACK_TOKEN: PIPELINE_TOKEN, LOG_LEVEL: 'silent', WEBHOOK_ALLOW_PRIVATE: 'true', ...env() };
    const next = await createPipeline({ env: parseEnv(raw), rawEnv: raw, store: r.store, clock: r.clock, logger: createSilentLogger() });
    extra.push(next);
    r.clock.advance(30_000);
    for (let i = 0; i < 6; i++) {
      if ((await next.dispatcher.tick()).idle) r.clock.advance(1_100);
    }
    expect(slack.messages.size).toBe(1);
    expect(smtp.messages).toHaveLength(1);
    expect(ordersIn([...slack.messages.values()][0]!.text)).toBe(12);
    // The old worker, ticked again, finds nothing left to send.
    await r.pipeline.dispatcher.tick();
    expect(slack.messages.size + smtp.messages.length).toBe(2);
  });
});
