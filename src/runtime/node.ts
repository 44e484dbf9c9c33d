/**
 * The Node runtime: parse env → open the store → serve HTTP → run the worker → drain on
 * SIGTERM. The only place (with worker.ts) that knows which runtime it is on.
 */
import { serve, type ServerType } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { createApp } from '../app.js';
import { configWarnings, parseEnv, type Env } from '../config/env.js';
import { systemClock } from '../lib/clock.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { getQueueStats } from '../store/admin.repo.js';
import type { Store } from '../store/db.js';
import { createCallbackWriter } from '../store/ingest.js';
import { openStore } from '../store/open.js';
import { createNodePipeline, type NodePipeline } from './node-pipeline.js';
import { createPromMetrics } from './prom-metrics.js';
import { countOpenOrders } from '../store/reconcile.repo.js';

export interface NodeServerOptions {
  env: Record<string, string | undefined>;
  /** `serve` runs HTTP and the worker; `worker` only the worker. @default "serve" */
  mode?: 'serve' | 'worker';
  logger?: Logger;
}

export interface RunningNode {
  env: Env;
  store: Store;
  pipeline: NodePipeline;
  /** The bound port (useful with PORT=0). */
  port: number | null;
  stop(): Promise<void>;
}

function listen(server: ServerType): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const address = server.address();
    if (address && typeof address === 'object') return resolve(address.port);
    server.once('listening', () => {
      const a = server.address();
      resolve(a && typeof a === 'object' ? a.port : 0);
    });
  });
}

/** Starts the relay; resolves once it is listening. Throws ConfigError on bad configuration. */
export async function startNodeServer(options: NodeServerOptions): Promise<RunningNode> {
  const env = parseEnv(options.env);
  const logger = options.logger ?? createLogger({ level: env.LOG_LEVEL });
  for (const warning of configWarnings(env)) logger.warn(warning);
  const store = await openStore({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, poolSize: env.DATABASE_POOL_SIZE });
  logger.info({ store: store.kind, ...(store.kind === 'pglite' && { dataDir: env.DATA_DIR }) }, 'store ready');
  const prom = createPromMetrics({
    queueStats: () => getQueueStats(store.db, new Date(systemClock.now())),
    openOrders: () => countOpenOrders(store.db, new Date(systemClock.now())),
  });
  const pipeline: NodePipeline = await createNodePipeline({
    env,
    store,
    logger,
    clock: systemClock,
    rawEnv: options.env,
    metrics: prom.metrics,
  });
  pipeline.start();
  const writer = createCallbackWriter(store);
  let server: ServerType | null = null;
  let port: number | null = null;
  if ((options.mode ?? 'serve') === 'serve') {
    const app = createApp({
      env,
      store,
      writer,
      clock: systemClock,
      logger,
      socketAddress: (c) => getConnInfo(c).remote.address ?? null,
      onStored: () => pipeline.wake(),
      pipeline: pipeline.pipeline,
      metrics: prom.metrics,
      renderMetrics: () => prom.render(),
    });
    server = serve({ fetch: app.fetch, port: env.PORT, hostname: env.HOST });
    port = await listen(server);
    logger.info({ port, host: env.HOST }, 'listening');
  }
  let stopping: Promise<void> | null = null;
  return {
    env,
    store,
    pipeline,
    port,
    stop: () =>
      (stopping ??= (async () => {
        logger.info('shutting down: no new connections, finishing in-flight work');
        if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
        await writer.drain();
        await pipeline.stop();
        await store.close();
        logger.info('stopped');
      })()),
  };
}
