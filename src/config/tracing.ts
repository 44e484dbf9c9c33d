/**
 * Tracing settings (docs/operations.md#tracing) from the standard OpenTelemetry variables,
 * parsed once with the rest of the environment: whether traces are exported, where, how, and
 * which are kept. Runtime-free; src/runtime/node/ turns them into the SDK.
 */
import type { Env } from './env.js';
import type { OtlpProtocol, TraceSampler } from './env-values.js';

/** The service name when neither OTEL_SERVICE_NAME nor `service.name` in OTEL_RESOURCE_ATTRIBUTES says one. */
export const DEFAULT_SERVICE_NAME = 'colt-relay';

export interface TracingSettings {
  /** Where spans are posted (`…/v1/traces`). */
  url: string;
  protocol: OtlpProtocol;
  /** Sent with every export: credentials of the backend. Never logged. */
  headers: Record<string, string>;
  /** Milliseconds an export may take, retries included. */
  timeoutMs: number;
  serviceName: string;
  /** OTEL_RESOURCE_ATTRIBUTES without `service.name` (which `serviceName` holds). */
  resourceAttributes: Record<string, string>;
  sampler: TraceSampler;
  /** The ratio of the `traceidratio` samplers. */
  samplerRatio: number;
}

/**
 * The trace export URL: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, else
 * OTEL_EXPORTER_OTLP_ENDPOINT with `v1/traces` appended (the specification's rule).
 */
export function tracesUrl(env: Pick<Env, 'OTEL_EXPORTER_OTLP_ENDPOINT' | 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'>): string | null {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : null;
}

/** What to export, or null when tracing is off: no endpoint, OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none. */
export function tracingSettings(env: Env): TracingSettings | null {
  const url = tracesUrl(env);
  if (!url || env.OTEL_SDK_DISABLED || env.OTEL_TRACES_EXPORTER === 'none') return null;
  const { 'service.name': fromAttributes, ...resourceAttributes } = env.OTEL_RESOURCE_ATTRIBUTES;
  return {
    url,
    protocol: env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL,
    headers: { ...env.OTEL_EXPORTER_OTLP_HEADERS, ...env.OTEL_EXPORTER_OTLP_TRACES_HEADERS },
    timeoutMs: env.OTEL_EXPORTER_OTLP_TIMEOUT,
    serviceName: env.OTEL_SERVICE_NAME ?? fromAttributes ?? DEFAULT_SERVICE_NAME,
    resourceAttributes,
    sampler: env.OTEL_TRACES_SAMPLER,
    samplerRatio: env.OTEL_TRACES_SAMPLER_ARG ?? 1,
  };
}
