/**
 * The Tracer interface (src/lib/tracing.ts) on the OpenTelemetry SDK: spans batched and
 * exported by OTLP/HTTP (protobuf or JSON), W3C trace context, the standard samplers.
 * Imported only by src/runtime/node/tracing.ts, and only when tracing is configured: a relay
 * without OTEL_EXPORTER_OTLP_ENDPOINT never loads a module of OpenTelemetry.
 *
 * Nothing is registered globally (no global tracer provider, context manager or propagator):
 * each running relay owns its provider, so two in one process (tests) keep their spans apart,
 * and every span is started with its parent context given explicitly.
 */
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  defaultTextMapGetter,
  defaultTextMapSetter,
  trace,
  type Context,
  type Link,
  type Span as OtelSpan,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode, W3CTraceContextPropagator } from '@opentelemetry/core';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type ReadableSpan,
  type Sampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace';
import type { TraceSampler } from '../../config/env-values.js';
import type { TracingSettings } from '../../config/tracing.js';
import { noopSpan, type Span, type SpanAttributes, type SpanKind as OurKind, type SpanOptions, type TraceCarrier, type Tracer } from '../../lib/tracing.js';

export interface SdkTracing {
  tracer: Tracer;
  /** Exports what is buffered and stops; spans started later are dropped. */
  shutdown(): Promise<void>;
}

export interface SdkTracingDeps {
  /** The relay's version: `service.version`. */
  version: string;
  /** Told when an export fails (at most once a minute), so a wrong endpoint is not silent. */
  onExportFailure(message: string): void;
}

const KINDS: Record<OurKind, SpanKind> = { server: SpanKind.SERVER, client: SpanKind.CLIENT, internal: SpanKind.INTERNAL };

/** Longest a stopping relay waits for its last spans to be exported. */
const SHUTDOWN_WAIT_MS = 5_000;

/** How often an unreachable backend is reported. */
const EXPORT_FAILURE_REPORT_MS = 60_000;

function rootSampler(sampler: TraceSampler, ratio: number): Sampler {
  switch (sampler) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  }
}

async function createExporter(settings: TracingSettings): Promise<SpanExporter> {
  const config = { url: settings.url, headers: settings.headers, timeoutMillis: settings.timeoutMs };
  if (settings.protocol === 'http/json') return new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter(config);
  return new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter(config);
}

/** Passes spans on, reporting failed exports without the request (its headers are credentials). */
function reportingFailures(exporter: SpanExporter, settings: TracingSettings, report: (message: string) => void): SpanExporter {
  let reportedAt = -Infinity;
  return {
    export(spans: ReadableSpan[], done) {
      exporter.export(spans, (result) => {
        if (result.code !== ExportResultCode.SUCCESS && Date.now() - reportedAt >= EXPORT_FAILURE_REPORT_MS) {
          reportedAt = Date.now();
          const why = result.error?.message ?? 'unknown error';
          report(`${spans.length} span(s) not exported to ${new URL(settings.url).origin} (${settings.protocol}): ${why}; check OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_HEADERS`);
        }
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    ...(exporter.forceFlush && { forceFlush: () => exporter.forceFlush!() }),
  };
}

const cleanAttributes = (attributes: SpanAttributes | undefined) => {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(attributes ?? {})) if (value !== undefined && value !== null) out[key] = value;
  return out;
};

/** Our Span over an SDK span. */
class SdkSpan implements Span {
  constructor(readonly inner: OtelSpan) {}
  setAttributes(attributes: SpanAttributes): void {
    this.inner.setAttributes(cleanAttributes(attributes));
  }
  fail(message: string, error?: unknown): void {
    this.inner.setStatus({ code: SpanStatusCode.ERROR, message });
    this.inner.recordException(error instanceof Error ? error : { name: 'Error', message });
  }
  end(): void {
    this.inner.end();
  }
}

/** Starts the SDK: a provider with its batch processor and exporter, and the Tracer over it. */
export async function createSdkTracing(settings: TracingSettings, deps: SdkTracingDeps): Promise<SdkTracing> {
  const exporter = reportingFailures(await createExporter(settings), settings, deps.onExportFailure);
  const provider = new TracerProvider({
    resource: defaultResource().merge(
      resourceFromAttributes({
        'service.instance.id': crypto.randomUUID(),
        ...settings.resourceAttributes,
        'service.name': settings.serviceName,
        'service.version': deps.version,
      }),
    ),
    sampler: rootSampler(settings.sampler, settings.samplerRatio),
    spanProcessors: [new BatchSpanProcessor({ exporter })],
  });
  const sdkTracer = provider.getTracer('colt-relay', deps.version);
  const contexts = new AsyncLocalStorageContextManager();
  contexts.enable();
  const propagator = new W3CTraceContextPropagator();
  const extract = (carrier: TraceCarrier): Context => propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
  const activeOtelSpan = () => trace.getSpan(contexts.active());

  const tracer: Tracer = {
    enabled: true,
    startSpan(name: string, options: SpanOptions = {}): Span {
      const parent = options.parent === undefined ? contexts.active() : options.parent === null ? ROOT_CONTEXT : extract(options.parent);
      const links: Link[] = [];
      for (const carrier of options.links ?? []) {
        const linked = trace.getSpanContext(extract(carrier));
        if (linked) links.push({ context: linked });
      }
      const span = sdkTracer.startSpan(name, { kind: KINDS[options.kind ?? 'internal'], attributes: cleanAttributes(options.attributes), links }, parent);
      return new SdkSpan(span);
    },
    withSpan<T>(span: Span, fn: () => T): T {
      if (!(span instanceof SdkSpan)) return fn();
      return contexts.with(trace.setSpan(contexts.active(), span.inner), fn);
    },
    carrier(): TraceCarrier | null {
      const span = activeOtelSpan();
      if (!span) return null;
      const headers: Record<string, string> = {};
      propagator.inject(trace.setSpan(ROOT_CONTEXT, span), headers, defaultTextMapSetter);
      if (!headers.traceparent) return null;
      return headers.tracestate ? { traceparent: headers.traceparent, tracestate: headers.tracestate } : { traceparent: headers.traceparent };
    },
    logIds() {
      const context = activeOtelSpan()?.spanContext();
      return context ? { trace_id: context.traceId, span_id: context.spanId } : null;
    },
    activeSpan(): Span {
      const span = activeOtelSpan();
      return span ? new SdkSpan(span) : noopSpan;
    },
  };
  return {
    tracer,
    async shutdown() {
      // A collector that is down must not hold a stopping relay: its failure is reported above.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const bounded = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, SHUTDOWN_WAIT_MS);
        timer.unref?.();
      });
      await Promise.race([provider.shutdown().catch(() => {}), bounded]);
      clearTimeout(timer);
      contexts.disable();
    },
  };
}
