/** The worker side on Node: enrich → route → deliver, woken by the receiver. */
import type { Env } from '../config/env.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { Store } from '../store/db.js';

export interface Pipeline {
  start(): void;
  /** A new event is waiting: process it now rather than at the next poll. */
  wake(): void;
  stop(): Promise<void>;
}

export interface PipelineDeps {
  env: Env;
  rawEnv: Record<string, string | undefined>;
  store: Store;
  logger: Logger;
  clock: Clock;
}

export async function createNodePipeline(_deps: PipelineDeps): Promise<Pipeline> {
  return { start() {}, wake() {}, async stop() {} };
}
