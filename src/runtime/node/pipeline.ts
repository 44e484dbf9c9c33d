/** The dispatcher side on Node: rules from disk, SIGHUP reload, SSRF-checking webhook agent. */
import type { Env } from '../../config/env.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { Metrics } from '../../lib/metrics.js';
import type { Tracer } from '../../lib/tracing.js';
import { createPipeline, type LoadedRules, type Pipeline } from '../../pipeline.js';
import type { Store } from '../../store/db.js';
import { readIfExists } from './files.js';

export interface NodePipeline {
  pipeline: Pipeline;
  start(): void;
  /** A new event is waiting: process it now rather than at the next poll. */
  wake(): void;
  stop(): Promise<void>;
}

export interface NodePipelineDeps {
  env: Env;
  rawEnv: Record<string, string | undefined>;
  store: Store;
  logger: Logger;
  clock: Clock;
  /** Worker and Colt client metrics. @default none */
  metrics?: Metrics;
  /** Rules loaded before the store was opened. @default read now */
  rules?: LoadedRules;
  /** The process's tracer (src/runtime/node/tracing.ts). @default none */
  tracer?: Tracer;
}

/**
 * The SSRF-checking webhook agent, made at the first webhook send: undici (≈ 100 modules)
 * is not loaded by a relay without webhook traffic.
 */
function ssrfSafeAgent(): () => Promise<unknown> {
  let agent: Promise<unknown> | undefined;
  return () => (agent ??= import('./ssrf-agent.js').then((m) => m.createSsrfSafeAgent()));
}

export async function createNodePipeline(deps: NodePipelineDeps): Promise<NodePipeline> {
  const pipeline = await createPipeline({
    ...deps,
    readFile: readIfExists,
    ...(!deps.env.WEBHOOK_ALLOW_PRIVATE && { webhookAgent: ssrfSafeAgent() }),
  });
  const onHangup = () => {
    deps.logger.info('SIGHUP: reloading rules');
    void pipeline.reloadRules();
  };
  return {
    pipeline,
    start() {
      process.on('SIGHUP', onHangup);
      pipeline.dispatcher.start();
    },
    wake: () => pipeline.dispatcher.wake(),
    async stop() {
      process.off('SIGHUP', onHangup);
      await pipeline.close();
    },
  };
}
