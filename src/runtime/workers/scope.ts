/**
 * One Worker invocation's own dependencies (docs/design.md#workers-lifecycle): its Postgres
 * client (workerd does not let a socket outlive the invocation that opened it), made on
 * first use so an invocation that never touches the database opens nothing; its dispatcher
 * over the isolate's rules and channels; the wake-ups it queues. Closed when its work is done.
 */
import type { Sql } from 'postgres';
import { configWarnings } from '../../config/env.js';
import type { Dispatcher } from '../../deliver/dispatcher.js';
import { systemClock } from '../../lib/clock.js';
import { createConfiguredDispatcher } from '../../pipeline.js';
import { databaseUrlOf, type WorkerBindings, type WorkerConfig } from './env.js';
import { createInvocationClient, invocationStore, type Invocation } from './invocation.js';
import type { IsolateState } from './isolate.js';
import { createWakeSender } from './wake-queue.js';

/** Sizes for one invocation. Workers allow six open connections at once (sockets and fetches together). */
export const WORKER_LIMITS = {
  /** Postgres connections of a request's invocation: one, so a callback pays for one connection. */
  dbConnections: 1,
  /** Postgres connections of a cron or queue invocation, which claims and writes while it sends. */
  sweepDbConnections: 2,
  /** Sends and enrichments in flight per invocation: with the connections, within the six. */
  concurrency: 4,
  /** Events, and deliveries, claimed per tick: a tick stays well inside the cron's wall time. */
  batchSize: 10,
  /** Seconds to wait for a database connection before the receiver answers 503. */
  connectTimeoutS: 5,
} as const;

export interface WorkerScope extends Invocation {
  readonly state: IsolateState;
  /** This invocation's dispatcher over the isolate's rules (made on first use); null when the rules are invalid. */
  dispatcher(): Dispatcher | null;
  /** Writes due refusal counts, waits for the wake-ups, closes the dispatcher and the database client; never throws. */
  close(): Promise<void>;
}

/**
 * postgres.js's `end()` raises this in workerd once the socket is gone (a known upstream
 * bug; docs/design.md#platform-notes). Only this exact message is ignored.
 */
export function isStreamCancelled(err: unknown): boolean {
  return (err as Error | undefined)?.message === 'Stream was cancelled.';
}

/** Opens an invocation over the isolate's state; nothing is connected yet. */
export function openWorkerScope(state: IsolateState, bindings: WorkerBindings, dbConnections: number = WORKER_LIMITS.dbConnections): WorkerScope {
  const { logger } = state;
  // Present: the isolate's configuration would not have been built without one.
  const url = databaseUrlOf(bindings) ?? state.config.databaseUrl;
  let client: Sql | null = null;
  let dispatcher: Dispatcher | null | undefined;
  const wakes = createWakeSender(bindings.WAKE_QUEUE, logger, systemClock);
  return {
    state,
    freshEvents: [],
    sql: () => (client ??= createInvocationClient({ url, max: dbConnections, connectTimeoutS: WORKER_LIMITS.connectTimeoutS })),
    wakeAt: wakes.wakeAt,
    dispatcher: () =>
      (dispatcher ??= state.delivery
        ? createConfiguredDispatcher(state.delivery, { ...state.pipelineOptions, store: invocationStore(), onRetryScheduled: wakes.wakeAt })
        : null),
    async close() {
      await state.refusals.settle();
      await wakes.settle();
      if (dispatcher) await dispatcher.stop().catch(() => undefined);
      await client?.end({ timeout: 5 }).catch((err: unknown) => {
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
