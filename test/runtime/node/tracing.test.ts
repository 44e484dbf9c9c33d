/**
 * The Node tracer (src/runtime/node/tracing.ts over the OpenTelemetry SDK) against a local OTLP
 * receiver: samplers as configured, the caller's trace context honoured or ignored when
 * malformed, links, exports that fail reported without credentials, nothing loaded when off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../../../src/config/env.js';
import { inSpan } from '../../../src/lib/tracing.js';
import { startNodeTracing } from '../../../src/runtime/node/tracing.js';
import { startOtlpReceiver, type OtlpReceiver } from '../../support/otlp-receiver.js';

const PARENT_TRACE = '0af7651916cd43dd8448eb211c80319c';
const PARENT_SPAN = 'b7ad6b7169203331';

describe('Node tracing', () => {
  let otlp: OtlpReceiver;
  beforeAll(async () => {
    otlp = await startOtlpReceiver();
  });
  afterAll(() => otlp?.close());

  const tracing = (env: Record<string, string>, failures: string[] = []) =>
    startNodeTracing(parseEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint, ...env }), (m) => failures.push(m));

  it('is the no-op tracer without an endpoint, and with OTEL_SDK_DISABLED', async () => {
    for (const env of [{}, { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint, OTEL_SDK_DISABLED: 'true' }]) {
      const off = await startNodeTracing(parseEnv(env), () => {});
      expect(off.tracer.enabled).toBe(false);
      expect(off.tracer.carrier()).toBeNull();
    }
  });

  it("continues a caller's valid traceparent, starts a new trace for a malformed one, and links", async () => {
    const t = await tracing({ OTEL_SERVICE_NAME: 'tracing-unit-1' });
    const child = t.tracer.startSpan('child of the caller', { kind: 'server', parent: { traceparent: `00-${PARENT_TRACE}-${PARENT_SPAN}-01` } });
    child.end();
    const fresh = t.tracer.startSpan('malformed parent', { parent: { traceparent: '00-zz-not-a-trace-01' } });
    fresh.end();
    const linked = t.tracer.startSpan('linked', { parent: null, links: [{ traceparent: `00-${PARENT_TRACE}-${PARENT_SPAN}-01` }] });
    linked.end();
    await t.shutdown();
    const mine = otlp.spans.filter((s) => s.resource['service.name'] === 'tracing-unit-1');
    expect(mine.find((s) => s.name === 'child of the caller')).toMatchObject({ traceId: PARENT_TRACE, parentSpanId: PARENT_SPAN, kind: 'server' });
    const malformed = mine.find((s) => s.name === 'malformed parent')!;
    expect(malformed.parentSpanId).toBe('');
    expect(malformed.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(malformed.traceId).not.toBe(PARENT_TRACE);
    expect(mine.find((s) => s.name === 'linked')?.links).toEqual([{ traceId: PARENT_TRACE, spanId: PARENT_SPAN }]);
  });

  it('always_off exports nothing yet still propagates a context (flags 00); parentbased_traceidratio 0 keeps a sampled parent', async () => {
    const off = await tracing({ OTEL_SERVICE_NAME: 'tracing-unit-off', OTEL_TRACES_SAMPLER: 'always_off' });
    const carrier = await inSpan(off.tracer, 'never exported', {}, async () => off.tracer.carrier());
    expect(carrier?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    await off.shutdown();

    const ratio = await tracing({ OTEL_SERVICE_NAME: 'tracing-unit-ratio', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' });
    ratio.tracer.startSpan('root, dropped by ratio 0').end();
    ratio.tracer.startSpan('child of a sampled caller', { parent: { traceparent: `00-${PARENT_TRACE}-${PARENT_SPAN}-01` } }).end();
    await ratio.shutdown();
    expect(otlp.spans.filter((s) => s.resource['service.name'] === 'tracing-unit-off')).toEqual([]);
    expect(otlp.spans.filter((s) => s.resource['service.name'] === 'tracing-unit-ratio').map((s) => s.name)).toEqual(['child of a sampled caller']);
  });

  it('a failed span carries the error status and an exception event; a thrown error is rethrown', async () => {
    const t = await tracing({ OTEL_SERVICE_NAME: 'tracing-unit-fail' });
    await expect(
      inSpan(t.tracer, 'throws', {}, async () => {
        throw new Error('peer refused');
      }),
    ).rejects.toThrow('peer refused');
    await t.shutdown();
    const [span] = otlp.spans.filter((s) => s.resource['service.name'] === 'tracing-unit-fail');
    expect(span).toMatchObject({ name: 'throws', status: { code: 'error', message: 'peer refused' } });
    expect(span!.events).toEqual([{ name: 'exception', attributes: expect.objectContaining({ 'exception.type': 'Error', 'exception.message': 'peer refused' }) }]);
  });

  it('an export that fails is reported with the endpoint and the fix, never the headers', async () => {
    const closed = await startOtlpReceiver();
    const endpoint = closed.endpoint;
    await closed.close();
    const failures: string[] = [];
    const t = await startNodeTracing(
      parseEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20never-shown-123', OTEL_EXPORTER_OTLP_TIMEOUT: '500' }),
      (m) => failures.push(m),
    );
    t.tracer.startSpan('lost').end();
    await t.shutdown();
    expect(failures).toHaveLength(1);
    expect(failures[0]).toContain(`1 span(s) not exported to ${endpoint} (http/protobuf): `);
    expect(failures[0]).toContain('check OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_HEADERS');
    expect(failures[0]).not.toContain('never-shown-123');
  });
});
