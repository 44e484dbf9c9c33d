/**
 * Tracing on Node (docs/operations.md#tracing): off unless the OTLP endpoint is configured, and
 * then the OpenTelemetry SDK is loaded (src/runtime/node/otel-tracer.ts, imported here and
 * nowhere else). A relay without it loads no OpenTelemetry module and runs the no-op tracer.
 */
import { ConfigError, type Env } from '../../config/env.js';
import { tracingSettings } from '../../config/tracing.js';
import { noopTracer, type Tracer } from '../../lib/tracing.js';
import { VERSION } from '../../lib/version.js';

export interface NodeTracing {
  tracer: Tracer;
  /** Exports the spans still buffered; call last when stopping. */
  shutdown(): Promise<void>;
}

/** Tracing off. */
export const NO_TRACING: NodeTracing = { tracer: noopTracer, shutdown: async () => {} };

/**
 * The OpenTelemetry packages are optional dependencies: npm leaves them out on a Node older than
 * they support (22.15), and `npm ci --omit=optional` leaves them out everywhere.
 */
function missingPackages(error: unknown): ConfigError | null {
  const e = error as NodeJS.ErrnoException;
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !String(e.message).includes('@opentelemetry/')) return null;
  return new ConfigError([
    `OTEL_EXPORTER_OTLP_ENDPOINT: tracing is configured but the OpenTelemetry packages are not installed (${e.message.split('\n')[0]}); ` +
      'they need Node.js 22.15 or later and are optional dependencies: install them (npm ci without --omit=optional, on Node ≥ 22.15) or unset OTEL_EXPORTER_OTLP_ENDPOINT',
  ]);
}

/** Starts tracing as the environment says; `onExportFailure` hears of exports that fail. */
export async function startNodeTracing(env: Env, onExportFailure: (message: string) => void): Promise<NodeTracing> {
  const settings = tracingSettings(env);
  if (!settings) return NO_TRACING;
  let sdk: typeof import('./otel-tracer.js');
  try {
    sdk = await import('./otel-tracer.js');
  } catch (error) {
    throw missingPackages(error) ?? error;
  }
  return sdk.createSdkTracing(settings, { version: VERSION, onExportFailure });
}
