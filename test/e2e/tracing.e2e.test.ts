/**
 * Issue 23, point 1: OpenTelemetry traces, end to end, through the Node runtime as it starts
 * from its environment (startNodeServer with OTEL_EXPORTER_OTLP_ENDPOINT), a local OTLP
 * receiver, Colt's token and `GET /order` (a local stand-in) and a signed webhook receiver.
 * One callback is one trace: the SERVER span (a child of the caller's `traceparent`), the
 * store, the dispatcher's `process event` with the token and `GET /order` CLIENT spans and
 * `route`, then `deliver oss` with the webhook's CLIENT span, whose `traceparent` the receiver
 * got. Log lines written inside a span carry its ids.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodeServer, type RunningNode } from '../../src/runtime/node/server.js';
import { startCli } from '../support/cli.js';
import { startColtApiPeer, type ColtApiPeer } from '../support/colt-api-peer.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { startSlackPeer, type SlackPeer } from '../support/slack-peer.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.js';
import { nodeServerEnv } from '../support/relay.js';
import { createTestStore, STORE_KINDS, type TestStore } from '../support/store.js';
import { startWebhookPeer, type WebhookPeer } from '../support/webhook-peer.js';

const TOKEN = 'tracing-e2e-callback-token-0123';
const ADMIN = 'tracing-e2e-admin-token-0123456789';
const SECRET = `whsec_${Buffer.from('colt-relay-tracing-e2e-key!!!!!').toString('base64')}`;
/** The caller's (Colt's) own trace: the relay's SERVER span must be its child. */
const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

interface Backend {
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

async function backend(kind: 'pglite' | 'postgres'): Promise<Backend> {
  if (kind === 'pglite') {
    const dir = await mkdtemp(path.join(tmpdir(), 'colt-relay-tracing-'));
    return { env: { DATA_DIR: dir }, cleanup: () => rm(dir, { recursive: true, force: true }) };
  }
  const store: TestStore = await createTestStore('postgres');
  return { env: { DATABASE_URL: store.url! }, cleanup: () => store.close() };
}

/** Every JSON log line a relay writes. */
function logCapture(): { stream: Writable; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { stream, lines };
}

async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const rules = (hookUrl: string, everyChannel: boolean) => `
channels:
  oss: { type: webhook, url: "${hookUrl}?token=downstream-secret-value", secret: "${SECRET}" }
  ops-slack: { type: slack, channel: C0123456789 }
  noc-email: { type: email, to: [noc@example.com] }
rules:
  - name: everything-to-oss
    notify: [oss${everyChannel ? ', ops-slack, noc-email' : ''}]
`;

function byName(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const found = spans.filter((s) => s.name === name);
  expect(found.map((s) => s.name), `one span named ${name}`).toEqual([name]);
  return found[0]!;
}

describe.each(STORE_KINDS)('tracing on %s', { timeout: 120_000 }, (kind) => {
  let db: Backend;
  let colt: ColtApiPeer;
  let hook: WebhookPeer;
  let otlp: OtlpReceiver;
  let slack: SlackPeer;
  let smtp: SmtpPeer;

  beforeAll(async () => {
    [db, colt, hook, otlp, slack, smtp] = await Promise.all([
      backend(kind),
      startColtApiPeer(),
      startWebhookPeer(SECRET),
      startOtlpReceiver(),
      startSlackPeer(),
      startSmtpPeer(),
    ]);
  });
  afterAll(async () => {
    await Promise.all([colt?.close(), hook?.close(), otlp?.close(), slack?.close(), smtp?.close()]);
    await db?.cleanup();
  });

  const relayEnv = (extra: Record<string, string> = {}) =>
    nodeServerEnv({
      ...db.env,
      CALLBACK_TOKEN: TOKEN,
      ADMIN_TOKEN: ADMIN,
      LOG_LEVEL: 'debug',
      RULES: rules(hook.url, true),
      SLACK_BOT_TOKEN: slack.token,
      SLACK_API_URL: slack.url,
      SMTP_URL: smtp.url,
      MAIL_FROM: 'relay@example.com',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      ENRICH: 'always',
      COLT_CLIENT_ID: colt.clientId,
      COLT_CLIENT_SECRET: colt.clientSecret,
      COLT_API_BASE_URL: colt.apiBaseUrl,
      COLT_TOKEN_URL: colt.tokenUrl,
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint,
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20otlp-backend-key',
      ...extra,
    });

  it('one callback is one trace: callback → token, GET /order → route → webhook, the webhook continues it, logs carry its ids', async () => {
    const orderId = `IN-ORD-TRACE-${kind}`;
    colt.setOrder(orderId, { id: orderId, orderType: 'Number Activation', state: 'completed', customer: { customerReference: 'ACME-7' } });
    const logs = logCapture();
    const relay: RunningNode = await startNodeServer({ env: relayEnv(), logDestination: logs.stream });
    let stopped = false;
    try {
      const res = await fetch(`http://127.0.0.1:${relay.port}/callbacks/colt`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${TOKEN}`,
          traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01`,
          tracestate: 'colt=f00d',
        },
        body: JSON.stringify({ eventId: `evt-${orderId}`, orderId, status: 'completed', orderType: 'Number Activation' }),
      });
      expect(res.status).toBe(200);
      const { id: eventId } = (await res.json()) as { id: string };
      await until(() => hook.requests.length > 0 && slack.messages.size > 0 && smtp.messages.length > 0, 'the webhook, the Slack post and the email');
      const api = await fetch(`http://127.0.0.1:${relay.port}/api/events/${eventId}`, { headers: { authorization: `Bearer ${ADMIN}` } });
      const stored = ((await api.json()) as { event: { traceContext: { traceparent: string; tracestate?: string } | null } }).event.traceContext;
      await relay.stop();
      stopped = true;

      const spans = (await otlp.waitFor((s) => s.filter((x) => x.name.startsWith('deliver ')).length === 3)).filter((s) => s.traceId === CALLER_TRACE);
      const server = byName(spans, 'POST /callbacks/colt');
      const store = byName(spans, 'store callback');
      const process = byName(spans, 'process event');
      const token = byName(spans, 'POST /authentication/v1/oauth/token');
      const order = byName(spans, 'GET /order/{orderId}');
      const route = byName(spans, 'route');
      const deliver = byName(spans, 'deliver oss');
      const post = byName(spans, 'POST');

      // The tree: the caller's span → SERVER → {store, process → {token, GET /order, route}, deliver → POST}.
      expect(server).toMatchObject({ kind: 'server', parentSpanId: CALLER_SPAN });
      expect(store).toMatchObject({ kind: 'internal', parentSpanId: server.spanId });
      expect(process).toMatchObject({ kind: 'internal', parentSpanId: server.spanId });
      expect(token).toMatchObject({ kind: 'client', parentSpanId: process.spanId });
      expect(order).toMatchObject({ kind: 'client', parentSpanId: process.spanId });
      expect(route).toMatchObject({ kind: 'internal', parentSpanId: process.spanId });
      expect(deliver).toMatchObject({ kind: 'internal', parentSpanId: server.spanId });
      expect(post).toMatchObject({ kind: 'client', parentSpanId: deliver.spanId });
      // Slack's and the mail server's requests, each in its own delivery attempt.
      const slackDeliver = byName(spans, 'deliver ops-slack');
      const slackPost = byName(spans, 'POST /api/chat.postMessage');
      const emailDeliver = byName(spans, 'deliver noc-email');
      const smtpSend = byName(spans, 'smtp send');
      expect(slackDeliver).toMatchObject({ kind: 'internal', parentSpanId: server.spanId });
      expect(slackPost).toMatchObject({ kind: 'client', parentSpanId: slackDeliver.spanId });
      expect(slackPost.attributes).toMatchObject({ 'url.full': `${slack.url}chat.postMessage`, 'http.response.status_code': 200, 'server.address': '127.0.0.1' });
      expect(emailDeliver).toMatchObject({ kind: 'internal', parentSpanId: server.spanId });
      expect(emailDeliver.attributes).toMatchObject({ 'colt_relay.channel_type': 'email', 'colt_relay.delivery.result': 'ok' });
      expect(smtpSend).toMatchObject({ kind: 'client', parentSpanId: emailDeliver.spanId });
      expect(smtpSend.attributes).toMatchObject({ 'server.address': '127.0.0.1', 'server.port': Number(new URL(smtp.url).port), 'network.protocol.name': 'smtp' });
      // Nothing else in the trace (no traceparent went to Slack or the mail server), and the enrichment happened before the route.
      expect(spans).toHaveLength(12);
      expect(token.startTimeUnixNano < order.startTimeUnixNano && order.startTimeUnixNano < route.startTimeUnixNano).toBe(true);

      // Attributes: semantic conventions and ours; no secret in any of them.
      expect(server.attributes).toMatchObject({
        'http.request.method': 'POST',
        'http.route': '/callbacks/colt',
        'url.path': '/callbacks/colt',
        'http.response.status_code': 200,
        'server.address': '127.0.0.1',
        'colt.order.id': orderId,
        'colt_relay.event.id': eventId,
        'colt_relay.event.duplicate': false,
      });
      expect(order.attributes).toMatchObject({
        'http.request.method': 'GET',
        'url.full': `${colt.apiBaseUrl}/order/${orderId}`,
        'url.template': '/order/{orderId}',
        'server.address': '127.0.0.1',
        'http.response.status_code': 200,
      });
      expect(order.attributes['colt.tracking_id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(token.attributes).toMatchObject({ 'http.request.method': 'POST', 'url.full': colt.tokenUrl, 'http.response.status_code': 200 });
      expect(route.attributes).toMatchObject({ 'colt_relay.route.deliveries': 3, 'colt_relay.route.channels': 'oss,ops-slack,noc-email', 'colt_relay.event.id': eventId });
      expect(deliver.attributes).toMatchObject({
        'colt_relay.channel': 'oss',
        'colt_relay.channel_type': 'webhook',
        'colt_relay.delivery.id': hook.requests[0]!.webhookId,
        'colt_relay.event.id': eventId,
        'colt.order.id': orderId,
        'colt_relay.delivery.attempt': 1,
        'colt_relay.delivery.result': 'ok',
      });
      // The webhook URL's path and query may be the receiver's credentials: neither is shown.
      expect(post.attributes).toMatchObject({
        'http.request.method': 'POST',
        'url.full': `http://127.0.0.1:${hook.port}/REDACTED?token=REDACTED`,
        'server.address': '127.0.0.1',
        'server.port': hook.port,
        'http.response.status_code': 200,
      });
      for (const s of spans) expect(s.status.code, s.name).not.toBe('error');
      const everything = JSON.stringify(spans, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
      for (const secret of [TOKEN, ADMIN, slack.token, colt.clientSecret, 'downstream-secret-value', 'otlp-backend-key', SECRET]) expect(everything).not.toContain(secret);
      expect(server.resource).toMatchObject({ 'service.name': 'colt-relay', 'telemetry.sdk.language': 'nodejs' });

      // The event keeps the callback span's context (what the dispatcher continued), shown by the admin API.
      expect(stored).toEqual({ traceparent: `00-${CALLER_TRACE}-${server.spanId}-01`, tracestate: 'colt=f00d' });

      // The receiver can continue the trace: the webhook carried the POST span's context.
      expect(hook.requests[0]!.headers.traceparent).toBe(`00-${CALLER_TRACE}-${post.spanId}-01`);
      expect(hook.requests[0]!.headers.tracestate).toBe('colt=f00d');
      expect(hook.requests[0]!.verified).toBe(true);

      // The exporter sent protobuf (the default) with the configured headers.
      expect(otlp.requests[0]).toMatchObject({ contentType: 'application/x-protobuf' });
      expect(otlp.requests[0]!.headers.authorization).toBe('Bearer otlp-backend-key');

      // Log correlation: a line written inside a span carries its ids; lines outside carry none.
      const answered = logs.lines.find((l) => l.msg === 'webhook answered');
      expect(answered).toMatchObject({ trace_id: CALLER_TRACE, span_id: post.spanId });
      const coltCall = logs.lines.find((l) => l.msg === 'colt call' && String(l.path).endsWith(`/order/${orderId}`));
      expect(coltCall).toMatchObject({ trace_id: CALLER_TRACE, span_id: order.spanId });
      // The outcome's line, written after the attempt's span ended, still names it.
      const delivered = logs.lines.find((l) => l.msg === 'delivered' && l.channel === 'oss');
      expect(delivered).toMatchObject({ trace_id: CALLER_TRACE, span_id: deliver.spanId });
      expect(logs.lines.find((l) => l.msg === 'tracing on')).toMatchObject({ endpoint: otlp.endpoint, sampler: 'parentbased_always_on' });
      const listening = logs.lines.find((l) => l.msg === 'listening');
      expect(listening).toBeDefined();
      expect(listening).not.toHaveProperty('trace_id');
      // The last line, after all those spans, carries its own fields only (nothing left over from others).
      expect(Object.keys(logs.lines.find((l) => l.msg === 'stopped')!).sort()).toEqual(['level', 'msg', 'service', 'time']);
    } finally {
      if (!stopped) await relay.stop();
    }
  });

  it('a second process picks up the retry in the same trace (http/json): its deliver span is the callback span\'s child', async () => {
    hook.requests.length = 0;
    otlp.spans.length = 0;
    otlp.requests.length = 0;
    hook.respondWith({ status: 503 });
    const aLogs = logCapture();
    const a = await startNodeServer({
      env: relayEnv({ RULES: rules(hook.url, false), ENRICH: 'never', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_RESOURCE_ATTRIBUTES: 'service.instance.id=relay-a,deployment.environment.name=test' }),
      logDestination: aLogs.stream,
    });
    let res: Response;
    try {
      // No traceparent from the caller: the SERVER span starts the trace.
      res = await fetch(`http://127.0.0.1:${a.port}/callbacks/colt`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ eventId: `evt-retry-${kind}`, orderId: `IN-ORD-RETRY-${kind}`, status: 'raised', orderType: 'Number Activation' }),
      });
      expect(res.status).toBe(200);
      await until(() => hook.requests.length === 1, 'the first webhook attempt');
    } finally {
      // Stopped after its first attempt: the retry (due in about 5 s) is left to the other process.
      await a.stop();
    }
    const first = [...(await otlp.waitFor((s) => s.some((x) => x.name === 'POST' && x.attributes['http.response.status_code'] === 503)))];
    const server = byName(first, 'POST /callbacks/colt');
    expect(server.parentSpanId).toBe('');
    expect(server.resource).toMatchObject({ 'service.instance.id': 'relay-a', 'deployment.environment.name': 'test' });
    const failed = byName(first, 'deliver oss');
    expect(failed).toMatchObject({ traceId: server.traceId, parentSpanId: server.spanId, status: { code: 'error', message: 'HTTP 503' } });
    expect(failed.attributes).toMatchObject({ 'colt_relay.delivery.attempt': 1, 'colt_relay.delivery.result': 'retryable', 'colt_relay.delivery.code': '503' });
    expect(failed.events).toEqual([{ name: 'exception', attributes: expect.objectContaining({ 'exception.message': 'HTTP 503' }) }]);
    expect(otlp.requests.every((r) => r.contentType.startsWith('application/json'))).toBe(true);
    expect(aLogs.lines.find((l) => l.msg === 'delivery will retry')).toMatchObject({ trace_id: server.traceId, span_id: failed.spanId, code: '503' });

    // Another process: `colt-relay worker` on the same database, configured by its environment alone.
    const b = startCli(['worker'], { ...relayEnv({ RULES: rules(hook.url, false), ENRICH: 'never', OTEL_RESOURCE_ATTRIBUTES: 'service.instance.id=relay-b' }), PORT: '0' });
    try {
      await until(() => hook.requests.length === 2, 'the retry from the other process', 60_000);
    } finally {
      expect(await b.stop()).toBe(0);
    }
    const retried = (await otlp.waitFor((s) => s.filter((x) => x.name === 'deliver oss').length === 2)).filter(
      (x) => x.resource['service.instance.id'] === 'relay-b',
    );
    const deliver = byName(retried, 'deliver oss');
    const post = byName(retried, 'POST');
    expect(deliver).toMatchObject({ traceId: server.traceId, parentSpanId: server.spanId, status: { code: 'unset' } });
    expect(deliver.attributes).toMatchObject({ 'colt_relay.delivery.attempt': 2, 'colt_relay.delivery.result': 'ok' });
    expect(post).toMatchObject({ traceId: server.traceId, parentSpanId: deliver.spanId });
    // Both attempts told the receiver the same trace, each from its own POST span.
    expect(hook.requests.map((r) => r.headers.traceparent)).toEqual([
      `00-${server.traceId}-${byName(first, 'POST').spanId}-01`,
      `00-${server.traceId}-${post.spanId}-01`,
    ]);
    // The other process's log line inside the POST span names the same trace.
    const answered = b.output().split('\n').filter((l) => l.includes('"webhook answered"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(answered).toEqual([expect.objectContaining({ trace_id: server.traceId, span_id: post.spanId })]);
  });

  it('a grouped message is a trace of its own, linked to the callback of every event it speaks for', async () => {
    otlp.spans.length = 0;
    const grouped = `
channels:
  noc-email: { type: email, to: [noc@example.com] }
rules:
  - name: failures-grouped
    notify: [noc-email]
    group: { by: [customerRef], wait: 1s }
`;
    const relay = await startNodeServer({ env: relayEnv({ RULES: grouped, ENRICH: 'never' }), logDestination: logCapture().stream });
    const emails = smtp.messages.length;
    try {
      for (const n of [1, 2]) {
        const res = await fetch(`http://127.0.0.1:${relay.port}/callbacks/colt`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
          body: JSON.stringify({ eventId: `evt-group-${kind}-${n}`, orderId: `IN-ORD-GROUP-${kind}-${n}`, status: 'failed', customerRef: 'ACME-G' }),
        });
        expect(res.status).toBe(200);
      }
      await until(() => smtp.messages.length === emails + 1, 'one grouped email');
    } finally {
      await relay.stop();
    }
    const spans = await otlp.waitFor((s) => s.some((x) => x.name === 'deliver noc-email group'));
    const group = byName(spans, 'deliver noc-email group');
    const callbacks = spans.filter((x) => x.name === 'POST /callbacks/colt');
    expect(callbacks).toHaveLength(2);
    expect(group.parentSpanId).toBe('');
    expect(callbacks.map((c) => c.traceId)).not.toContain(group.traceId);
    expect(new Set(group.links.map((l) => `${l.traceId}-${l.spanId}`))).toEqual(new Set(callbacks.map((c) => `${c.traceId}-${c.spanId}`)));
    expect(group.attributes).toMatchObject({ 'colt_relay.channel': 'noc-email', 'colt_relay.group.rule': 'failures-grouped', 'colt_relay.group.events': 2, 'colt_relay.delivery.result': 'ok' });
    expect(byName(spans, 'smtp send')).toMatchObject({ kind: 'client', traceId: group.traceId, parentSpanId: group.spanId });
  });
});
