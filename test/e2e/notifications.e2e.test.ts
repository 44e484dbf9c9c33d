/**
 * Issue "Rules and delivery", end to end under the example rules of docs/design.md#rules-file:
 * callbacks in, notifications out to a real SMTP server, a Slack Web API stand-in and a
 * webhook receiver that verifies Standard Webhooks signatures.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { deliveries, deliveryAttempts } from '../../src/store/schema.js';
import { EXAMPLE_RULES_YAML } from '../support/events.js';
import { fixture } from '../support/fixtures.js';
import { createTestPipeline, type TestPipeline } from '../support/pipeline.js';
import { startSlackPeer, type SlackPeer } from '../support/slack-peer.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.js';
import { STORE_KINDS } from '../support/store.js';
import { startWebhookPeer, type WebhookPeer } from '../support/webhook-peer.js';

const SECRET = `whsec_${Buffer.from('colt-relay-e2e-webhook-secret!!').toString('base64')}`;

/** docs/design.md#rules-file verbatim, but for the webhook URL (the local receiver) and, optionally, the Slack rule's match. */
const exampleRules = (url: string, slackRule = '{ status: failed }') =>
  EXAMPLE_RULES_YAML.replace('https://oss.example.com/colt', url).replace('match: { status: failed }', `match: ${slackRule}`);

describe.each(STORE_KINDS)('notifications on %s', { timeout: 120_000 }, (kind) => {
  let slack: SlackPeer;
  let smtp: SmtpPeer;
  let hook: WebhookPeer;
  const relays: TestPipeline[] = [];

  beforeAll(async () => {
    [slack, smtp, hook] = await Promise.all([startSlackPeer(), startSmtpPeer(), startWebhookPeer(SECRET)]);
  });
  afterEach(async () => {
    for (const r of relays.splice(0)) await r.close();
  });
  afterAll(async () => {
    await Promise.all([slack.close(), smtp.close(), hook.close()]);
  });

  async function relay(slackRule?: string): Promise<TestPipeline> {
    const r = await createTestPipeline(kind, {
      RULES: exampleRules(hook.url, slackRule),
      OSS_WEBHOOK_SECRET: SECRET,
      SMTP_URL: smtp.url,
      MAIL_FROM: 'relay@example.com',
      SLACK_BOT_TOKEN: slack.token,
      SLACK_API_URL: slack.url,
    });
    relays.push(r);
    return r;
  }

  const counts = () => ({ slack: slack.messages.size, mail: smtp.messages.length, hooks: hook.requests.length });

  it('a failed activation reaches Slack, email and the webhook; a completed one only the webhook', async () => {
    const r = await relay();
    const before = counts();
    expect((await r.post(fixture('flat-activation-failed.json'))).http).toBe(200);
    await r.drain();
    expect(counts()).toEqual({ slack: before.slack + 1, mail: before.mail + 1, hooks: before.hooks + 1 });
    const post = [...slack.messages.values()].at(-1)!;
    expect(post.channel).toBe('C0123456789');
    expect(post.text).toContain('IN-ORD-100235');
    const mail = smtp.messages.at(-1)!;
    expect(mail.envelope.to).toEqual(['noc@example.com']);
    expect(mail.subject).toContain('IN-ORD-100235');
    const webhook = hook.requests.at(-1)!;
    expect(webhook.verified).toBe(true);
    expect(webhook.payload).toMatchObject({ type: 'order.failed', data: { orderId: 'IN-ORD-100235', status: 'failed' } });

    const mid = counts();
    expect((await r.post(fixture('tmf-product-order-completed.json'))).http).toBe(200);
    await r.drain();
    expect(counts()).toEqual({ ...mid, hooks: mid.hooks + 1 });
    expect(hook.requests.at(-1)!.payload).toMatchObject({
      type: 'order.completed',
      data: { orderId: 'IN-ORD-100234', numbers: [{ start: '+33382500010', end: '+33382500019', country: 'FR' }] },
    });
  });

  it('a UK freephone activation completing reaches the webhook and email, then stops', async () => {
    const r = await relay();
    const before = counts();
    await r.post({
      orderId: 'IN-ORD-UK-1',
      orderStatus: 'Completed',
      orderType: 'Number Activation',
      numberType: 'Freephone',
      numbers: [{ startFullNumber: '+448001234500', endFullNumber: '+448001234599' }],
    });
    await r.drain();
    expect(counts()).toEqual({ slack: before.slack, mail: before.mail + 1, hooks: before.hooks + 1 });
  });

  it('two events of one order share a Slack thread whose parent shows the latest status', async () => {
    const r = await relay('{ status: [raised, failed] }');
    await r.post({ orderId: 'IN-ORD-THREAD-1', status: 'raised', orderType: 'Number Activation' });
    await r.drain();
    await r.post({ orderId: 'IN-ORD-THREAD-1', status: 'failed', orderType: 'Number Activation', reason: 'Address validation failed' });
    await r.drain();
    const thread = [...slack.messages.values()].filter((m) => m.text.includes('IN-ORD-THREAD-1'));
    expect(thread).toHaveLength(2);
    const [parent, reply] = thread;
    expect(parent!.threadTs).toBeUndefined();
    expect(reply!.threadTs).toBe(parent!.ts);
    expect(reply!.replyBroadcast).toBe(true);
    expect(parent!.updates).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(parent!.blocks) + parent!.text).toMatch(/failed/i);
  });

  it('a retried webhook keeps its webhook-id and succeeds once', async () => {
    const r = await relay();
    hook.respondWith({ status: 500 });
    const first = hook.requests.length;
    const { id } = await r.post({ orderId: 'IN-ORD-RETRY-1', status: 'completed', orderType: 'Number Reservation' });
    await r.drain({ advanceMs: 6_000 });
    const tries = hook.requests.slice(first);
    expect(tries).toHaveLength(2);
    expect(tries.every((t) => t.verified)).toBe(true);
    expect(new Set(tries.map((t) => t.webhookId)).size).toBe(1);
    const [row] = await r.store.db.select().from(deliveries).where(eq(deliveries.eventId, id));
    expect(row!.id).toBe(tries[0]!.webhookId);
    expect(row!.status).toBe('delivered');
    const attempts = await r.store.db.select().from(deliveryAttempts).where(eq(deliveryAttempts.deliveryId, row!.id));
    expect(attempts.map((a) => a.outcome)).toEqual(['retry', 'delivered']);
    // More ticks and time change nothing: a delivered delivery is never sent again.
    await r.drain({ advanceMs: 3_600_000 });
    expect(hook.requests.length).toBe(first + 2);
  });
});
