/**
 * Issue 23, point 1: OpenTelemetry traces, end to end, through the Node runtime as it starts
 * from its environment (startNodeServer with OTEL_EXPORTER_OTLP_ENDPOINT), a local OTLP
 * receiver, Colt's token and `GET /order` (a local stand-in), a signed webhook receiver, Slack
 * and SMTP. One callback is one trace: the SERVER span (a child of the caller's
 * `traceparent`), the store, the dispatcher's `process event` with the token and `GET /order`
 * CLIENT spans and `route`, then one `deliver <channel>` per channel with its CLIENT span; the
 * webhook receiver got its POST span's `traceparent`. Log lines written inside a span carry its
 * ids. (Across processes and grouped messages: tracing-across.e2e.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodeServer, type RunningNode } from '../../src/runtime/node/server.js';
import { STORE_KINDS } from '../support/store.js';
import { ADMIN, byName, logCapture, SECRET, startTracingPeers, TOKEN, tracingRelayEnv, until, type TracingPeers } from '../support/tracing-peers.js';

/** The caller's (Colt's) own trace: the relay's SERVER span must be its child. */
const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

describe.each(STORE_KINDS)('tracing on %s', { timeout: 120_000 }, (kind) => {
  let peers: TracingPeers;
  beforeAll(async () => {
    peers = await startTracingPeers(kind);
  });
  afterAll(() => peers?.close());

  it('one callback is one trace: callback → token, GET /order → route → webhook, the webhook continues it, logs carry its ids', async () => {
    const { colt, hook, otlp, slack, smtp } = peers;
    const orderId = `IN-ORD-TRACE-${kind}`;
    colt.setOrder(orderId, { id: orderId, orderType: 'Number Activation', state: 'completed', customer: { customerReference: 'ACME-7' } });
    const logs = logCapture();
    const relay: RunningNode = await startNodeServer({ env: tracingRelayEnv(peers), logDestination: logs.stream });
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
});
