import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../../src/lib/clock.js';
import { createSilentLogger } from '../../../src/lib/logger.js';
import type { DeliveryJob } from '../../../src/deliver/channel.js';
import type { WebhookChannelConfig } from '../../../src/config/channel-config.js';
import { createWebhookChannel, type WebhookChannelDeps } from '../../../src/deliver/channels/webhook/webhook.channel.js';
import { startWebhookPeer, type WebhookPeer } from '../../support/webhook-peer.js';
import { sampleEvent, TEST_WEBHOOK_SECRET } from './sample-event.js';

let peer: WebhookPeer;

beforeAll(async () => {
  peer = await startWebhookPeer(TEST_WEBHOOK_SECRET);
});
afterAll(async () => {
  await peer.close();
});
afterEach(() => {
  peer.requests.length = 0;
  peer.setDefault({ status: 200, body: '{"received":true}' });
});

function job(id = 'dlv_01', attempt = 1): DeliveryJob {
  return { id, channelName: 'oss', attempt, event: sampleEvent() };
}

function channel(config: Partial<WebhookChannelConfig> = {}, deps: Partial<WebhookChannelDeps> = {}) {
  return createWebhookChannel(
    'oss',
    { type: 'webhook', url: peer.url, secret: TEST_WEBHOOK_SECRET, ...config },
    { logger: createSilentLogger(), version: '1.2.3', allowPrivate: true, ...deps },
  );
}

describe('webhook channel against a verifying receiver', () => {
  it('sends a Standard Webhooks body the receiver verifies', async () => {
    const clock = createManualClock(Date.now());
    const result = await channel({}, { clock }).send(job());

    expect(result).toEqual({ ok: true, code: '200', response: '{"received":true}' });
    expect(peer.requests).toHaveLength(1);
    const [request] = peer.requests;
    expect(request!.verifyError).toBeUndefined();
    expect(request!.verified).toBe(true);
    expect(request!.headers).toMatchObject({
      'webhook-id': 'dlv_01',
      'webhook-timestamp': String(Math.floor(clock.now() / 1000)),
      'content-type': 'application/json',
      'user-agent': 'colt-relay/1.2.3',
    });
    expect(request!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(JSON.parse(request!.body)).toEqual({
      type: 'order.failed',
      timestamp: new Date(clock.now()).toISOString(),
      data: sampleEvent(),
    });
  });

  it("takes the webhook type from the event's type (order.overdue, source reconciliation)", async () => {
    const event = sampleEvent({ type: 'order.overdue', source: 'reconciliation', status: 'raised' });
    await channel().send({ ...job(), event });
    const body = JSON.parse(peer.requests[0]!.body) as { type: string; data: { source: string } };
    expect(body.type).toBe('order.overdue');
    expect(body.data.source).toBe('reconciliation');
    expect(peer.requests[0]!.verified).toBe(true);
  });

  it('adds configured headers but never lets them replace the signature headers', async () => {
    await channel({ headers: { 'X-Tenant': 'acme', 'Webhook-Id': 'forged', 'Content-Type': 'text/plain' } }).send(job());
    const [request] = peer.requests;
    expect(request!.headers['x-tenant']).toBe('acme');
    expect(request!.headers['webhook-id']).toBe('dlv_01');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.verified).toBe(true);
  });

  it('keeps the same webhook-id when a delivery is retried after a 500', async () => {
    peer.respondWith({ status: 500, body: 'boom' });
    const webhook = channel();
    const first = await webhook.send(job('dlv_retry', 1));
    const second = await webhook.send(job('dlv_retry', 2));

    expect(first).toMatchObject({ ok: false, retryable: true, code: '500', response: 'boom' });
    expect(second).toMatchObject({ ok: true, code: '200' });
    expect(peer.requests.map((r) => r.webhookId)).toEqual(['dlv_retry', 'dlv_retry']);
    expect(peer.requests.every((r) => r.verified)).toBe(true);
  });

  it('honours Retry-After on 429, in seconds and as an HTTP date', async () => {
    const clock = createManualClock(Date.now());
    const at = new Date(Math.floor(clock.now() / 1000) * 1000 + 90_000).toUTCString();
    peer.respondWith({ status: 429, headers: { 'retry-after': '120' } }, { status: 429, headers: { 'retry-after': at } });
    const webhook = channel({}, { clock });

    expect(await webhook.send(job())).toMatchObject({ ok: false, retryable: true, code: '429', retryAfterMs: 120_000 });
    const dated = await webhook.send(job());
    expect(dated).toMatchObject({ ok: false, retryable: true, code: '429' });
    expect(dated.ok === false && dated.retryAfterMs).toBeGreaterThan(88_000);
    expect(dated.ok === false && dated.retryAfterMs).toBeLessThanOrEqual(90_000);
  });

  it('waits 60 s after a 429 without Retry-After, and honours Retry-After on 503', async () => {
    peer.respondWith({ status: 429 }, { status: 503, headers: { 'retry-after': '30' } }, { status: 503 });
    const webhook = channel();

    expect(await webhook.send(job())).toMatchObject({ retryable: true, retryAfterMs: 60_000 });
    expect(await webhook.send(job())).toMatchObject({ retryable: true, retryAfterMs: 30_000 });
    const plain503 = await webhook.send(job());
    expect(plain503).toMatchObject({ ok: false, retryable: true, code: '503' });
    expect(plain503).not.toHaveProperty('retryAfterMs');
  });

  it('treats a timeout as retryable and waits at least a minute', async () => {
    peer.respondWith({ status: 200, delayMs: 5_000 });
    const started = Date.now();
    const result = await channel({ timeoutMs: 200 }).send(job());

    expect(Date.now() - started).toBeLessThan(3_000);
    expect(result).toMatchObject({ ok: false, retryable: true, reason: expect.stringContaining('timeout') });
    expect(result.ok === false && result.retryAfterMs).toBeGreaterThanOrEqual(60_000);
  });

  it('disables the channel on 410 Gone', async () => {
    peer.respondWith({ status: 410, body: 'gone' });
    expect(await channel().send(job())).toMatchObject({
      ok: false,
      retryable: false,
      disableChannel: true,
      code: '410',
    });
  });

  it('retries other statuses', async () => {
    peer.respondWith({ status: 400, body: '{"error":"bad"}' });
    expect(await channel().send(job())).toMatchObject({ ok: false, retryable: true, code: '400', response: '{"error":"bad"}' });
  });

  it('keeps at most 4 KiB of a 1 MB answer', async () => {
    peer.respondWith({ status: 200, body: Buffer.alloc(1024 * 1024, 'x') });
    const result = await channel().send(job());
    expect(result.ok).toBe(true);
    expect(result.response).toBe('x'.repeat(4096));
  });

  it('does not follow a redirect', async () => {
    const target = await startWebhookPeer(TEST_WEBHOOK_SECRET);
    try {
      peer.respondWith({ status: 302, headers: { location: target.url } });
      const result = await channel().send(job());
      expect(result).toMatchObject({ ok: false, retryable: true, code: '302', reason: expect.stringContaining('redirect') });
      expect(target.connections).toBe(0);
    } finally {
      await target.close();
    }
  });

  it('retries a refused connection', async () => {
    const gone = await startWebhookPeer(TEST_WEBHOOK_SECRET);
    await gone.close();
    const result = await channel({ url: gone.url }).send(job());
    expect(result).toMatchObject({ ok: false, retryable: true, reason: expect.stringContaining('ECONNREFUSED') });
  });
});

describe('webhook URL credentials', () => {
  it('sends userinfo as Basic auth, never in errors or the rendered text', async () => {
    const { splitUrlCredentials, renderWebhook } = await import('../../../src/deliver/channels/webhook/webhook.channel.js');
    const split = splitUrlCredentials('https://ops:p%40ss-w0rd@oss.example.com/colt?x=1');
    expect(split.url).toBe('https://oss.example.com/colt?x=1');
    expect(split.authorization).toBe(`Basic ${btoa('ops:p@ss-w0rd')}`);
    expect(splitUrlCredentials('https://oss.example.com/colt')).toEqual({ url: 'https://oss.example.com/colt' });
    const rendered = renderWebhook(
      { type: 'webhook', url: 'https://ops:p%40ss-w0rd@oss.example.com/colt', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
      sampleEvent(),
    );
    expect(rendered.text).not.toContain('p%40ss');
  });

  it('delivers to a URL with credentials, which the receiver gets as Basic auth', async () => {
    const url = peer.url.replace('http://', 'http://ops:p%40ss-w0rd@');
    const result = await channel({ url }).send(job('dlv_creds'));
    expect(result.ok).toBe(true);
    expect(peer.requests[0]!.headers.authorization).toBe(`Basic ${btoa('ops:p@ss-w0rd')}`);
    expect(peer.requests[0]!.verified).toBe(true);
  });
});
