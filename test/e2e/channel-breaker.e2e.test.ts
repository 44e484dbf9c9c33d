/**
 * The channel circuit breaker (docs/design.md#circuit-breaker) end to end, on a manual clock: a webhook
 * endpoint failing for CHANNEL_DISABLE_AFTER=1m is disabled once (also with two workers
 * racing), a relay.channel_disabled event reaches the log channel and a second, healthy
 * webhook (signed, verified), the failing channel's deliveries wait, and flow after enable.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { parseEnv } from '../../src/config/env.js';
import { createLogger } from '../../src/lib/logger.js';
import { createPipeline, type Pipeline } from '../../src/pipeline.js';
import { getChannelStates } from '../../src/store/channel-state.repo.js';
import { callbackEvents, deliveries, orders } from '../../src/store/schema.js';
import { createTestPipeline, type TestPipeline } from '../support/pipeline.js';
import { STORE_KINDS } from '../support/store.js';
import { startSlackPeer, type SlackPeer } from '../support/slack-peer.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.js';
import { startWebhookPeer, type WebhookPeer } from '../support/webhook-peer.js';

const SECRET = `whsec_${Buffer.from('colt-relay-breaker-webhook-key!').toString('base64')}`;
const ADMIN_TOKEN = 'breaker-admin-token-0123456789';

const rules = (ossUrl: string, auditUrl: string) => `
channels:
  oss: { type: webhook, url: "${ossUrl}", secret: \${HOOK_SECRET} }
  audit: { type: webhook, url: "${auditUrl}", secret: \${HOOK_SECRET} }
  console: { type: log }
  ops-slack: { type: slack, channel: C0ALERTS01 }
  noc-email: { type: email, to: [noc@example.com] }
rules:
  - name: orders-to-oss
    match: { source: callback }
    notify: [oss]
  - name: relay-alerts
    match: { type: relay.channel_disabled }
    notify: [console, audit, ops-slack, noc-email]
`;

const callback = (orderId: string) => ({ orderId, orderStatus: 'Completed', orderType: 'Number Activation' });

describe.each(STORE_KINDS)('channel circuit breaker on %s', { timeout: 120_000 }, (kind) => {
  let oss: WebhookPeer;
  let audit: WebhookPeer;
  let slack: SlackPeer;
  let smtp: SmtpPeer;
  let relay: TestPipeline;
  let second: Pipeline | null = null;
  let lines: Record<string, unknown>[];

  beforeAll(async () => {
    [oss, audit, slack, smtp] = await Promise.all([startWebhookPeer(SECRET), startWebhookPeer(SECRET), startSlackPeer(), startSmtpPeer()]);
  });
  afterEach(async () => {
    await second?.close();
    second = null;
    await relay?.close();
  });
  afterAll(async () => {
    await Promise.all([oss.close(), audit.close(), slack.close(), smtp.close()]);
  });

  /** Slack and email for the relay's alerts: the stand-in Web API and a real SMTP server. */
  const alertEnv = () => ({ SLACK_BOT_TOKEN: slack.token, SLACK_API_URL: slack.url, SMTP_URL: smtp.url, MAIL_FROM: 'relay@example.com' });

  async function start(): Promise<TestPipeline> {
    lines = [];
    slack.messages.clear();
    smtp.messages.length = 0;
    oss.requests.length = 0;
    audit.requests.length = 0;
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
    relay = await createTestPipeline(
      kind,
      { RULES: rules(oss.url, audit.url), HOOK_SECRET: SECRET, CHANNEL_DISABLE_AFTER: '1m', ADMIN_TOKEN, RECONCILE: 'off', ...alertEnv() },
      { logger },
    );
    return relay;
  }

  /** A second dispatcher on the same database, clock and log: what another process would be. */
  async function secondWorker(r: TestPipeline): Promise<Pipeline> {
    const rawEnv = { ...alertEnv(), RULES: rules(oss.url, audit.url), HOOK_SECRET: SECRET, CHANNEL_DISABLE_AFTER: '1m', WEBHOOK_ALLOW_PRIVATE: 'true', RECONCILE: 'off', CALLBACK_TOKEN: 'x'.repeat(24) };
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
    second = await createPipeline({ env: parseEnv(rawEnv), rawEnv, store: r.store, clock: r.clock, logger });
    return second;
  }

  const notifications = () => lines.filter((l) => l.msg === 'notification');
  const ossState = async (r: TestPipeline) => (await getChannelStates(r.store.db)).find((s) => s.channel === 'oss');
  const admin = (r: TestPipeline, path: string) =>
    r.app.request(path, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });

  it.each([1, 2])('disables a webhook failing for 1m once and routes relay.channel_disabled to the log channel, Slack, email and a webhook (%i worker(s))', async (workers) => {
    const r = await start();
    const other = workers === 2 ? await secondWorker(r) : null;
    oss.setDefault({ status: 500, body: '{"error":"down"}' });
    const t0 = r.clock.now();
    expect((await r.post(callback('IN-ORD-BRK-1'))).http).toBe(200);
    expect(await r.pipeline.dispatcher.tick()).toMatchObject({ retried: 1, channelsDisabled: 0 });
    expect(await ossState(r)).toMatchObject({ failingSince: new Date(t0), consecutiveFailures: 1, disabledAt: null });

    // 59 s: still within CHANNEL_DISABLE_AFTER; the 5 s retry fails again, failing_since stays.
    r.clock.advance(59_000);
    expect(await r.pipeline.dispatcher.tick()).toMatchObject({ retried: 1, channelsDisabled: 0 });
    expect(await ossState(r)).toMatchObject({ failingSince: new Date(t0), consecutiveFailures: 2, disabledAt: null });

    // 60 s after the first failure: the breaker trips, once, whoever ticks.
    r.clock.advance(1_000);
    const ticks = await Promise.all([r.pipeline.dispatcher.tick(), ...(other ? [other.dispatcher.tick()] : [])]);
    expect(ticks.reduce((n, t) => n + t.channelsDisabled, 0)).toBe(1);
    const state = await ossState(r);
    expect(state).toMatchObject({ disabledBy: 'breaker', disabledAt: new Date(t0 + 60_000) });
    expect(state!.disabledReason).toBe(
      `no successful delivery since ${new Date(t0).toISOString()} (CHANNEL_DISABLE_AFTER=1m); last error: 500 HTTP 500`,
    );

    for (let i = 0; i < 5; i++) {
      r.clock.advance(61_000);
      await Promise.all([r.pipeline.dispatcher.tick(), ...(other ? [other.dispatcher.tick()] : [])]);
    }
    const events = await r.store.db.select().from(callbackEvents).where(eq(callbackEvents.type, 'relay.channel_disabled'));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ source: 'relay', orderId: '', status: 'unknown', dedupeKey: `relay:channel_disabled:oss:${new Date(t0 + 60_000).toISOString()}` });
    // Not an order: no order row, so no reconciliation, no open order, no SLA.
    expect((await r.store.db.select().from(orders)).map((o) => o.orderId)).toEqual(['IN-ORD-BRK-1']);

    const sent = notifications();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ channel: 'console', event: { type: 'relay.channel_disabled', source: 'relay', orderId: '' } });
    expect(String(sent[0]!.text)).toContain(`Channel oss disabled: no successful delivery since ${new Date(t0).toISOString()}`);
    expect(String(sent[0]!.text)).toContain('last error: 500 HTTP 500');
    expect(lines.filter((l) => String(l.msg).startsWith('channel disabled by the circuit breaker'))).toHaveLength(1);

    // A downstream webhook gets it signed, typed, with the channel's details in the payload.
    expect(audit.requests).toHaveLength(1);
    expect(audit.requests[0]!.verified).toBe(true);
    expect(audit.requests[0]!.payload).toMatchObject({
      type: 'relay.channel_disabled',
      data: { type: 'relay.channel_disabled', source: 'relay', orderId: '', payload: { channel: 'oss', channelType: 'webhook', disabledBy: 'breaker', failingSince: new Date(t0).toISOString(), lastError: 'HTTP 500', lastCode: '500', disableAfter: '1m' } },
    });
    // Slack: one unthreaded message naming the channel, since when and the last error.
    const posts = [...slack.messages.values()];
    expect(posts).toHaveLength(1);
    expect(posts[0]!.channel).toBe('C0ALERTS01');
    expect(posts[0]!.threadTs).toBeUndefined();
    expect(posts[0]!.text).toContain(`⛔ Channel oss disabled: no successful delivery since ${new Date(t0).toISOString()}`);
    expect(JSON.stringify(posts[0]!.blocks)).toContain('Channel oss disabled');
    expect(JSON.stringify(posts[0]!.blocks)).toContain('*Last error*\\nHTTP 500');
    // Email, through a real SMTP server.
    expect(smtp.messages).toHaveLength(1);
    expect(smtp.messages[0]!.subject).toBe(`[colt-relay] Channel oss disabled: no successful delivery since ${new Date(t0).toISOString()} (CHANNEL_DISABLE_AFTER=1m); last error: 500 HTTP 500`);
    expect(smtp.messages[0]!.text).toMatch(/Failing since:\s+\S+\nLast success:\s+never\nLast error:\s+HTTP 500/);

    // The disabled channel got two tries, then nothing: its retry is held.
    expect(oss.requests).toHaveLength(2);
  });

  it('holds the channel’s deliveries while disabled and sends each once after enable', async () => {
    const r = await start();
    oss.setDefault({ status: 503, body: '' });
    await r.post(callback('IN-ORD-BRK-2'));
    await r.pipeline.dispatcher.tick();
    r.clock.advance(60_000);
    await r.pipeline.dispatcher.tick();
    expect((await ossState(r))?.disabledBy).toBe('breaker');
    const triesWhileFailing = oss.requests.length;

    // While disabled: new callbacks are routed and wait; nothing reaches the endpoint.
    oss.setDefault({ status: 200, body: '{}' });
    await r.post(callback('IN-ORD-BRK-3'));
    await r.post(callback('IN-ORD-BRK-4'));
    for (let i = 0; i < 3; i++) {
      r.clock.advance(20_000);
      await r.pipeline.dispatcher.tick();
    }
    expect(oss.requests).toHaveLength(triesWhileFailing);
    const waiting = await r.store.db.select().from(deliveries).where(eq(deliveries.channel, 'oss'));
    expect(waiting.map((d) => d.status).sort()).toEqual(['pending', 'pending', 'retrying']);

    const enabled = await admin(r, '/api/channels/oss/enable');
    expect(enabled.status).toBe(200);
    expect(await enabled.json()).toMatchObject({ enabled: true, disabledBy: null, failingSince: null });
    // The held retry was due long ago; the new deliveries too. (The clock stays within the
    // receiver's 5-minute signature tolerance, which checks webhook-timestamp against real time.)
    await r.drain();
    const after = await r.store.db.select().from(deliveries).where(eq(deliveries.channel, 'oss'));
    expect(after.map((d) => d.status)).toEqual(['delivered', 'delivered', 'delivered']);
    const ids = oss.requests.slice(triesWhileFailing).map((q) => q.webhookId);
    expect(ids.sort()).toEqual(after.map((d) => d.id).sort());
    expect(oss.requests.slice(triesWhileFailing).every((q) => q.verified)).toBe(true);
    expect(await ossState(r)).toMatchObject({ disabledAt: null, failingSince: null, lastSuccessAt: expect.any(Date) });
    // No second relay.channel_disabled: the count started over at enable.
    expect(notifications()).toHaveLength(1);
  });

  it('CHANNEL_DISABLE_AFTER=off never disables', async () => {
    lines = [];
    oss.setDefault({ status: 500 });
    relay = await createTestPipeline(kind, { RULES: rules(oss.url, audit.url), HOOK_SECRET: SECRET, CHANNEL_DISABLE_AFTER: 'off', RECONCILE: 'off', ...alertEnv() });
    await relay.post(callback('IN-ORD-BRK-5'));
    await relay.pipeline.dispatcher.tick();
    relay.clock.advance(7 * 86_400_000);
    await relay.pipeline.dispatcher.tick();
    expect(await ossState(relay)).toMatchObject({ disabledAt: null, consecutiveFailures: 2 });
  });
});
