/**
 * Tracing as the pipeline sees it (docs/operations.md#tracing): a tiny interface of our own,
 * so that no code below src/runtime/ imports OpenTelemetry. Its default, `noopTracer`, does
 * nothing and costs nothing: the receiver and the dispatcher check `enabled` before making a
 * span. On Node, src/runtime/node/tracing.ts implements it with the OpenTelemetry SDK when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set; on Workers nothing does (yet).
 */

/** OpenTelemetry's span kinds that the relay uses. */
export type SpanKind = 'server' | 'client' | 'internal';

/** Attribute values; `undefined` and `null` entries are left out. */
export type SpanAttributes = Record<string, string | number | boolean | undefined | null>;

/**
 * A W3C trace context (https://www.w3.org/TR/trace-context/) as sent in HTTP headers: what an
 * event stores so that later work joins its trace, and what a webhook carries downstream.
 */
export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

export interface SpanOptions {
  /** @default "internal" */
  kind?: SpanKind;
  attributes?: SpanAttributes;
  /**
   * The parent, from elsewhere (a request's headers, a stored event). Absent: the span active
   * where startSpan is called. `null`: a new trace.
   */
  parent?: TraceCarrier | null;
  /** Traces this span relates to without being their child (a message that speaks for many events). */
  links?: TraceCarrier[];
}

export interface Span {
  setAttributes(attributes: SpanAttributes): void;
  /** Error status with `message`, and an exception event when `error` is given. */
  fail(message: string, error?: unknown): void;
  end(): void;
}

export interface Tracer {
  /** False for the no-op tracer: callers skip work that only feeds spans. */
  readonly enabled: boolean;
  startSpan(name: string, options?: SpanOptions): Span;
  /** Runs `fn` with `span` active: spans started inside are its children, logs carry its ids. */
  withSpan<T>(span: Span, fn: () => T): T;
  /** The active span's W3C context, to store or send; null outside any span. */
  carrier(): TraceCarrier | null;
  /** The active span's ids for log lines (docs/operations.md#tracing); null outside any span. */
  logIds(): { trace_id: string; span_id: string } | null;
  /** The active span, to annotate (a no-op span outside any). */
  activeSpan(): Span;
}

/** A span that records nothing. */
export const noopSpan: Span = {
  setAttributes: () => {},
  fail: () => {},
  end: () => {},
};

/** The tracer of a process without tracing: every call is free. */
export const noopTracer: Tracer = {
  enabled: false,
  startSpan: () => noopSpan,
  withSpan: (_span, fn) => fn(),
  carrier: () => null,
  logIds: () => null,
  activeSpan: () => noopSpan,
};

/**
 * Runs `fn` in a new span that ends when `fn` settles; a throw marks the span failed and is
 * rethrown. Without tracing, `fn` runs as is (with the no-op span).
 */
export async function inSpan<T>(tracer: Tracer | undefined, name: string, options: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  if (!tracer?.enabled) return fn(noopSpan);
  const span = tracer.startSpan(name, options);
  try {
    return await tracer.withSpan(span, () => fn(span));
  } catch (error) {
    span.fail(error instanceof Error ? error.message : String(error), error);
    throw error;
  } finally {
    span.end();
  }
}

/**
 * The trace context of incoming headers (`traceparent`, `tracestate`), or null without a
 * `traceparent`. Not validated here: the tracer ignores a malformed one (a new trace starts).
 */
export function carrierFromHeaders(headers: { get(name: string): string | null }): TraceCarrier | null {
  const traceparent = headers.get('traceparent')?.trim();
  if (!traceparent) return null;
  const tracestate = headers.get('tracestate')?.trim();
  return tracestate ? { traceparent, tracestate } : { traceparent };
}

/** The carrier as HTTP headers to set on an outgoing request. */
export function carrierHeaders(carrier: TraceCarrier | null): Record<string, string> {
  if (!carrier) return {};
  return carrier.tracestate ? { traceparent: carrier.traceparent, tracestate: carrier.tracestate } : { traceparent: carrier.traceparent };
}

/** An outgoing HTTP request as its CLIENT span describes it. */
export interface HttpClientRequest {
  method: string;
  /** The URL as the span may show it (no credentials: src/config/secrets.ts `spanUrl`). */
  url: string;
  /** A low-cardinality path template (`/order/{orderId}`): the span is named `<method> <template>`, else `<method>`. */
  template?: string;
}

/** OpenTelemetry's HTTP client attributes of `request`. */
function httpClientAttributes(request: HttpClientRequest): SpanAttributes {
  let address: string | undefined;
  let port: number | undefined;
  try {
    const u = new URL(request.url);
    address = u.hostname;
    port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : u.protocol === 'http:' ? 80 : undefined;
  } catch {
    // An unparsable URL is shown as given (already redacted); no address then.
  }
  return {
    'http.request.method': request.method,
    'url.full': request.url,
    'url.template': request.template,
    'server.address': address,
    'server.port': port,
  };
}

/** Runs `fn` in a CLIENT span for one HTTP request (semantic conventions for HTTP clients). */
export function inHttpClientSpan<T>(tracer: Tracer | undefined, request: HttpClientRequest, fn: (span: Span) => Promise<T>): Promise<T> {
  if (!tracer?.enabled) return fn(noopSpan);
  const name = request.template ? `${request.method} ${request.template}` : request.method;
  return inSpan(tracer, name, { kind: 'client', attributes: httpClientAttributes(request) }, fn);
}

/** Records the answer's status on a CLIENT span; 4xx and 5xx mark it failed (the client's view). */
export function recordHttpStatus(span: Span, status: number): void {
  span.setAttributes({ 'http.response.status_code': status });
  if (status >= 400) span.fail(`HTTP ${status}`);
}
