/**
 * One Worker invocation's dependencies: the parsed configuration, a Postgres client of
 * its own (workerd does not let a socket outlive the request that opened it), the logger
 * and, on demand, the pipeline (rules, channels, worker). Closed when the invocation's
 * work is done.
 */
import { configWarnings } from '../../config/env.js';
import { secretValues } from '../../config/secrets.js';
import { createMailApiTransport } from '../../deliver/channels/email/mail-api.transport.js';
import { systemClock } from '../../lib/clock.js';
import { createLogger, type Logger } from '../../lib/logger.js';
import { createPipeline, type Pipeline } from '../../pipeline.js';
import { openPostgresStore, type Store } from '../../store/db.js';
import { readWorkerConfig, type WorkerBindings, type WorkerConfig } from './env.js';
import { createWorkerWebhookFetch } from './webhook-fetch.js';

/** Sizes for one invocation. Workers allow six open connections at once (sockets and fetches together). */
export const WORKER_LIMITS = {
  /** Postgres connections per invocation. */
  dbConnections: 2,
  /** Sends and enrichments in flight per invocation: with dbConnections, within the six. */
  concurrency: 4,
  /** Events, and deliveries, claimed per tick: a tick stays well inside the cron's wall time. */
  batchSize: 10,
  /** Seconds to wait for a database connection before the receiver answers 503. */
  connectTimeoutS: 5,
} as const;

export interface WorkerScope {
  readonly config: WorkerConfig;
  readonly store: Store;
  readonly logger: Logger;
  /** Rules, channels and worker, built on first use (the receiver does not need them). */
  pipeline(): Promise<Pipeline>;
  /** Closes the channels and the database client; never throws. */
  close(): Promise<void>;
}

let warned = false;

/**
 * postgres.js's `end()` raises this in workerd once the socket is gone (a known upstream
 * bug; docs/design.md#platform-notes). Only this exact message is ignored.
 */
export function isStreamCancelled(err: unknown): boolean {
  return (err as Error | undefined)?.message === 'Stream was cancelled.';
}

/** Builds an invocation's dependencies. Throws ConfigError when the configuration is invalid. */
export async function openWorkerScope(bindings: WorkerBindings): Promise<WorkerScope> {
  const config = readWorkerConfig(bindings);
  const { env } = config;
  const logger = createLogger({ level: env.LOG_LEVEL, stream: 'stdout', secrets: secretValues(env, null) });
  if (!warned) {
    // Once per isolate, not per request: Node logs these once at start.
    warned = true;
    for (const warning of workerConfigWarnings(config)) logger.warn(warning);
  }
  const store = await openPostgresStore({
    url: config.databaseUrl,
    max: WORKER_LIMITS.dbConnections,
    connectTimeoutS: WORKER_LIMITS.connectTimeoutS,
    fetchTypes: false,
  });
  let pipeline: Promise<Pipeline> | null = null;
  return {
    config,
    store,
    logger,
    pipeline: () =>
      (pipeline ??= createPipeline({
        env,
        rawEnv: config.rawEnv,
        store,
        clock: systemClock,
        logger,
        webhookFetch: createWorkerWebhookFetch(env.WEBHOOK_ALLOW_PRIVATE),
        mailVariable: 'MAIL_API_KEY',
        ...(env.MAIL_API_KEY && {
          mailTransport: createMailApiTransport({ apiKey: env.MAIL_API_KEY, url: env.MAIL_API_URL }),
        }),
        dispatcherOptions: { batchSize: WORKER_LIMITS.batchSize, concurrency: WORKER_LIMITS.concurrency },
        rulesLogLevel: 'debug',
      })),
    async close() {
      if (pipeline) await pipeline.then((p) => p.close()).catch(() => undefined);
      await store.close().catch((err: unknown) => {
        if (!isStreamCancelled(err)) logger.warn({ err: { message: (err as Error).message } }, 'database client did not close cleanly');
      });
    },
  };
}

/** Node's start-up warnings, plus what does not carry over to Workers. */
export function workerConfigWarnings(config: WorkerConfig): string[] {
  const { env, rawEnv } = config;
  const warnings = configWarnings(env);
  if (env.SMTP_URL && !env.MAIL_API_KEY) {
    warnings.push('SMTP_URL is set but SMTP is not available on Workers: email channels fail until MAIL_API_KEY is set');
  }
  if (rawEnv.RULES_FILE && !env.RULES) warnings.push('RULES_FILE cannot be read on Workers (no file system): put the rules in RULES');
  if (rawEnv.DATA_DIR) warnings.push('DATA_DIR is ignored on Workers: there is no embedded database');
  return warnings;
}
