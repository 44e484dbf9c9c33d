/**
 * Issue 23, point 1, across the store: an event's later work joins the callback's trace from
 * the context stored with it, even in another process (`colt-relay worker`, configured by its
 * environment alone) that retries a delivery the first one could not make, exporting
 * `http/json`; a grouped message, which speaks for many events, is a trace of its own linked
 * to each of theirs. Same peers and relay as tracing.e2e.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNodeServer } from '../../src/runtime/node/server.js';
import { startCli } from '../support/cli.js';
import { STORE_KINDS } from '../support/store.js';
import { byName, logCapture, postCallback, startTracingPeers, tracingRelayEnv, tracingRules, until, type TracingPeers } from '../support/tracing-peers.js';

describe.each(STORE_KINDS)('tracing across processes on %s', { timeout: 120_000 }, (kind) => {
  let peers: TracingPeers;
  beforeAll(async () => {
    peers = await startTracingPeers(kind);
  });
  afterAll(() => peers?.close());

  it('a second process picks up the retry in the same trace (http/json): its deliver span is the callback span\'s child', async () => {
    const { hook, otlp } = peers;
    hook.requests.length = 0;
    otlp.spans.length = 0;
    otlp.requests.length = 0;
    hook.respondWith({ status: 503 });
    const aLogs = logCapture();
    const a = await startNodeServer({
      env: tracingRelayEnv(peers, { RULES: tracingRules(hook.url, false), ENRICH: 'never', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_RESOURCE_ATTRIBUTES: 'service.instance.id=relay-a,deployment.environment.name=test' }),
      logDestination: aLogs.stream,
    });
    try {
      // No traceparent from the caller: the SERVER span starts the trace.
      const res = await postCallback(a.port, { eventId: `evt-retry-${kind}`, orderId: `IN-ORD-RETRY-${kind}`, status: 'raised', orderType: 'Number Activation' });
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
    const b = startCli(['worker'], { ...tracingRelayEnv(peers, { RULES: tracingRules(hook.url, false), ENRICH: 'never', OTEL_RESOURCE_ATTRIBUTES: 'service.instance.id=relay-b' }), PORT: '0' });
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
    const { otlp, smtp } = peers;
    otlp.spans.length = 0;
    const grouped = `
channels:
  noc-email: { type: email, to: [noc@example.com] }
rules:
  - name: failures-grouped
    notify: [noc-email]
    group: { by: [customerRef], wait: 1s }
`;
    const relay = await startNodeServer({ env: tracingRelayEnv(peers, { RULES: grouped, ENRICH: 'never' }), logDestination: logCapture().stream });
    const emails = smtp.messages.length;
    try {
      for (const n of [1, 2]) {
        const res = await postCallback(relay.port, { eventId: `evt-group-${kind}-${n}`, orderId: `IN-ORD-GROUP-${kind}-${n}`, status: 'failed', customerRef: 'ACME-G' });
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
