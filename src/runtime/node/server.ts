/**
 * The Node runtime: parse env → load rules → bind the port → hold DATA_DIR (PGlite) → open
 * the store → serve HTTP and run the dispatcher → drain on SIGTERM. Cheap checks come before
 * the database, so a bad rules file or a taken port is reported at once, not after PGlite's
 * initdb. The only place (with src/runtime/workers/) that knows which runtime it is on.
 */
import { serve, type ServerType } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { createApp, createProbeApp } from '../../app.js';
import { createRefusalPacer } from '../../http/auth-throttle.js';
import { configWarnings, parseEnv, type Env } from '../../config/env.js';
import { secretValues } from '../../config/secrets.js';
import { systemClock } from '../../lib/clock.js';
import { createLogger, type Logger } from '../../lib/logger.js';
import { readRules } from '../../pipeline.js';
import type { Store } from '../../store/db.js';
import { createCallbackWriter } from '../../store/ingest.js';
import { createRefusalRecorder } from '../../store/refusal-recorder.js';
import { tracedWriter } from '../../store/traced-writer.js';
import { tracesUrl } from '../../config/tracing.js';
import { startNodeTracing } from './tracing.js';
import type { DestinationStream } from 'pino';
import { readIfExists } from './files.js';
import { createNodePipeline, type NodePipeline } from './pipeline.js';
import { localApiUrl, openOwnedStore, type OwnedStore } from './owned-store.js';
import { createPromMetrics } from './prom-metrics.js';
import { storeGaugeReads } from './store-gauges.js';
import type { RulesConfig } from '../../config/rules/rules.js';

export interface NodeServerOptions {
  env: Record<string, string | undefined>;
  /** `serve` runs HTTP and the dispatcher; `worker` the dispatcher with health and metrics. @default "serve" */
  mode?: 'serve' | 'worker';
  logger?: Logger;
  /** Where the JSON log lines go instead of stdout (tests read them); ignored with `logger`. */
  logDestination?: DestinationStream;
}

export interface RunningNode {
  env: Env;
  store: Store;
  pipeline: NodePipeline;
  /** The bound port (useful with PORT=0). */
  port: number;
  /** True once stop() began (/readyz answers 503). */
  draining(): boolean;
  stop(): Promise<void>;
}

type FetchHandler = (request: Request, env: unknown) => Response | Promise<Response>;

const STARTING: FetchHandler = () =>
  Response.json({ status: 'starting', reason: 'opening the database' }, { status: 503, headers: { 'Retry-After': '1' } });

/**
 * How often Node looks for requests past their headers or request timeout (its default, 30 s,
 * would let a slow-body connection live up to twice HTTP_REQUEST_TIMEOUT).
 */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;

/** Binds the port now, answering 503 until `setHandler` gives it the app. */
async function bind(env: Env): Promise<{ server: ServerType; port: number; setHandler(h: FetchHandler): void }> {
  let handler = STARTING;
  const server = serve({
    fetch: (request, bindings) => handler(request, bindings),
    port: env.PORT,
    hostname: env.HOST,
    // Slow clients are closed: headers, then the whole request (408), then idle keep-alives.
    serverOptions: {
      headersTimeout: env.HTTP_HEADERS_TIMEOUT,
      requestTimeout: env.HTTP_REQUEST_TIMEOUT,
      keepAliveTimeout: env.HTTP_KEEP_ALIVE_TIMEOUT,
      connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_INTERVAL_MS, env.HTTP_HEADERS_TIMEOUT),
    },
  });
  // Past the cap Node drops new connections at once, before any request is read.
  server.maxConnections = env.HTTP_MAX_CONNECTIONS;
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const why = error.code === 'EADDRINUSE' ? 'the port is already in use' : error.code === 'EACCES' ? 'permission denied' : error.message;
      reject(new Error(`cannot listen on ${env.HOST}:${env.PORT} (PORT/HOST): ${why}`, { cause: error }));
    });
    server.once('listening', () => {
      const address = server.address();
      resolve(address && typeof address === 'object' ? address.port : env.PORT);
    });
  });
  return { server, port, setHandler: (h) => (handler = h) };
}

const closeServer = (server: ServerType) => new Promise<void>((resolve) => server.close(() => resolve()));

/** Starts the relay; resolves once it is ready. Throws ConfigError on bad configuration. */
export async function startNodeServer(options: NodeServerOptions): Promise<RunningNode> {
  const mode = options.mode ?? 'serve';
  const env = parseEnv(options.env, mode === 'worker' ? { requireCallbackAuth: false } : {});
  // Before the logger: with tracing on, its lines carry the active span's ids. A failed start
  // leaves nothing running: the provider's timer does not hold the process.
  const tracing = await startNodeTracing(env, (message) => logger.warn(message));
  // Secret settings (config/secrets.ts) never reach the log, even quoted inside an error.
  const logger =
    options.logger ??
    createLogger({
      level: env.LOG_LEVEL,
      stream: 'stdout',
      secrets: secretValues(env, null),
      tracer: tracing.tracer,
      ...(options.logDestination && { destination: options.logDestination }),
    });
  if (tracing.tracer.enabled) logger.info({ endpoint: new URL(tracesUrl(env)!).origin, sampler: env.OTEL_TRACES_SAMPLER }, 'tracing on');
  for (const warning of configWarnings(env, { receivesCallbacks: mode === 'serve', servesMetrics: true })) logger.warn(warning);
  const rules = await readRules({ rawEnv: options.env, readFile: readIfExists, logger });
  const http = await bind(env);
  let owned: OwnedStore;
  try {
    owned = await openOwnedStore(env, {
      command: `colt-relay ${mode}`,
      ...(mode === 'serve' && { api: { url: localApiUrl(env.HOST, http.port), adminToken: Boolean(env.ADMIN_TOKEN) } }),
    });
  } catch (error) {
    await closeServer(http.server);
    throw error;
  }
  const { store } = owned;
  logger.info({ store: store.kind, ...(store.kind === 'pglite' && { dataDir: env.DATA_DIR }) }, 'store ready');
  let pipelineRules: (() => RulesConfig) | null = null;
  const prom = createPromMetrics({
    ...storeGaugeReads({ db: store.db, clock: systemClock, slaMs: env.ORDER_SLA, reconcile: env.RECONCILE, rules: () => pipelineRules?.() ?? rules.config }),
    // Scrapes read the store at most once per METRICS_GAUGE_MAX_AGE, sharing the read in flight.
    ...(env.METRICS_GAUGE_MAX_AGE !== null && { storeReads: { maxAgeMs: env.METRICS_GAUGE_MAX_AGE, now: () => systemClock.now() } }),
  });
  const pipeline = await createNodePipeline({ env, store, logger, clock: systemClock, rawEnv: options.env, metrics: prom.metrics, rules, tracer: tracing.tracer }).catch(
    async (error: unknown) => {
      await closeServer(http.server);
      await owned.close();
      throw error;
    },
  );
  pipelineRules = pipeline.pipeline.rules;
  pipeline.start();
  // A callback waits at most CALLBACK_STORE_TIMEOUT for its commit: an unreachable store is a quick 503.
  const writer = tracedWriter(createCallbackWriter(store, { timeoutMs: env.CALLBACK_STORE_TIMEOUT }), tracing.tracer);
  // Refused callbacks are counted in memory and written once a second (and at shutdown).
  const refusals = createRefusalRecorder(store, { logger });
  let draining = false;
  const isDraining = () => draining;
  const renderMetrics = () => prom.render();
  const socketAddress = (c: Context) => getConnInfo(c).remote.address ?? null;
  const app =
    mode === 'serve'
      ? createApp({
          env,
          store,
          writer,
          clock: systemClock,
          logger,
          socketAddress,
          onStored: () => pipeline.wake(),
          pipeline: pipeline.pipeline,
          metrics: prom.metrics,
          renderMetrics,
          isDraining,
          refusals,
          refusalPacer: createRefusalPacer({ clock: systemClock }),
          tracer: tracing.tracer,
        })
      : createProbeApp({ env, store, logger, renderMetrics, isDraining, clock: systemClock, socketAddress });
  http.setHandler(app.fetch as FetchHandler);
  logger.info({ port: http.port, host: env.HOST, mode }, 'listening');
  let stopping: Promise<void> | null = null;
  return {
    env,
    store,
    pipeline,
    port: http.port,
    draining: isDraining,
    stop: () =>
      (stopping ??= (async () => {
        // Not ready from now on; callbacks that still arrive are stored while the dispatcher finishes.
        draining = true;
        logger.info('shutting down: /readyz answers 503, finishing in-flight work');
        await pipeline.stop();
        await closeServer(http.server);
        await writer.drain();
        await refusals.close().catch(() => {}); // a failure is logged with the counts it could not write
        await owned.close();
        // Last: the spans of the work finished above are exported before the process goes.
        await tracing.shutdown();
        logger.info('stopped');
      })()),
  };
}
