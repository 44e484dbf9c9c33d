/**
 * What a Worker isolate builds once and keeps across invocations: the parsed configuration,
 * the logger, the rules with their compiled matchers, the channels, the Colt client (and its
 * token), the Hono app, the sign-in throttle, the refusal counts and the silence list. None
 * of it holds I/O: the database is reached through the running invocation (invocation.ts).
 * Rebuilt when the bindings it came from change (docs/design.md#workers-lifecycle).
 */
import type { Hono } from 'hono';
import { createApp } from '../../app.js';
import { ConfigError } from '../../config/env.js';
import { createMailApiTransport } from '../../deliver/channels/email/mail-api.transport.js';
import { createSilenceIndex, type SilenceCache } from '../../deliver/silence-index.js';
import type { DeliverySide } from '../../http/deps.js';
import { createAuthThrottle } from '../../http/auth-throttle.js';
import { systemClock } from '../../lib/clock.js';
import { createLogger, type Logger } from '../../lib/logger.js';
import { secretValues } from '../../config/secrets.js';
import { createDeliveryConfig, type DeliveryConfig, type PipelineOptions } from '../../pipeline.js';
import { createCallbackWriter } from '../../store/ingest.js';
import { bindingsFingerprint, readWorkerConfig, type WorkerBindings, type WorkerConfig } from './env.js';
import { currentInvocation, invocationStore } from './invocation.js';
import { createIsolateRefusals, type IsolateRefusals } from './refusals.js';
import { WORKER_LIMITS, workerConfigWarnings } from './scope.js';
import { createWorkerWebhookFetch } from './webhook-fetch.js';

export interface IsolateState {
  readonly config: WorkerConfig;
  readonly logger: Logger;
  /** The rules in force, their channels and the Colt client; null when the rules are invalid. */
  readonly delivery: DeliveryConfig | null;
  /** Why `delivery` is null: the rules' problems, as /readyz and every sweep report them. */
  readonly rulesProblem: string | null;
  readonly app: Hono;
  readonly refusals: IsolateRefusals;
  /** What the dispatchers of this isolate's invocations are built from (all but the store). */
  readonly pipelineOptions: Omit<PipelineOptions, 'store'>;
}

/**
 * Failed admin sign-ins per address, for as long as the isolate lives, whatever the
 * configuration. Each isolate counts on its own (docs/security.md).
 */
const authThrottle = createAuthThrottle({ clock: systemClock });

let built: { fingerprint: string; state: IsolateState } | { fingerprint: string; error: ConfigError } | null = null;

/**
 * The isolate's state for these bindings: the one already built when their fingerprint is
 * the same, else a new one. Throws ConfigError (every time) when the configuration is invalid.
 * Two invocations that find no state build one each and the last one stays: building does no
 * I/O, and no promise is shared between invocations.
 */
export async function isolateState(bindings: WorkerBindings): Promise<IsolateState> {
  const fingerprint = bindingsFingerprint(bindings);
  if (built?.fingerprint !== fingerprint) {
    try {
      built = { fingerprint, state: await buildIsolateState(bindings) };
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      built = { fingerprint, error };
    }
  }
  if ('error' in built) throw built.error;
  return built.state;
}

async function buildIsolateState(bindings: WorkerBindings): Promise<IsolateState> {
  const config = readWorkerConfig(bindings);
  const { env } = config;
  // Workers Logs read console output: stdout, with every configured secret scrubbed from each line.
  const logger = createLogger({ level: env.LOG_LEVEL, stream: 'stdout', secrets: secretValues(env, null) });
  // Once per configuration, as Node logs them once at start.
  for (const warning of workerConfigWarnings(config)) logger.warn(warning);
  const store = invocationStore();
  // The silences every invocation's dispatcher checks, reloaded at most once a second (as on Node).
  const silenceCache: SilenceCache = { loaded: null };
  const pipelineOptions: Omit<PipelineOptions, 'store'> = {
    env,
    rawEnv: config.rawEnv,
    clock: systemClock,
    logger,
    webhookFetch: createWorkerWebhookFetch(env.WEBHOOK_ALLOW_PRIVATE),
    mailVariable: 'MAIL_API_KEY',
    ...(env.MAIL_API_KEY && { mailTransport: createMailApiTransport({ apiKey: env.MAIL_API_KEY, url: env.MAIL_API_URL }) }),
    dispatcherOptions: { batchSize: WORKER_LIMITS.batchSize, concurrency: WORKER_LIMITS.concurrency, silenceCache },
  };
  const { delivery, rulesProblem } = await loadDelivery({ ...pipelineOptions, store }, logger);
  const refusals = createIsolateRefusals(store, logger);
  const app = createApp({
    env,
    store,
    // One request, one callback: nothing to coalesce, and no batch may outlive the request.
    writer: createCallbackWriter(store, { groupCommit: false }),
    clock: systemClock,
    logger,
    // Cloudflare sets CF-Connecting-IP to the client's address; a client cannot forge it.
    socketAddress: (c) => c.req.header('cf-connecting-ip') ?? null,
    onStored: (eventId) => currentInvocation().freshEvents.push(eventId),
    authThrottle,
    refusals,
    ...(delivery && { pipeline: deliverySide(delivery, silenceCache) }),
  });
  return { config, logger, delivery, rulesProblem, app, refusals, pipelineOptions };
}

/** Rules and channels, or why not: a Worker with invalid rules still stores callbacks. */
async function loadDelivery(options: PipelineOptions, logger: Logger): Promise<Pick<IsolateState, 'delivery' | 'rulesProblem'>> {
  try {
    return { delivery: await createDeliveryConfig(options), rulesProblem: null };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const rulesProblem = error.problems.join('\n');
    logger.error({ problems: rulesProblem }, 'rules are invalid: callbacks are stored but not delivered until RULES is fixed');
    return { delivery: null, rulesProblem };
  }
}

/**
 * The admin API's and dashboard's view of the delivery side. There is no long-lived
 * dispatcher here: `wake` asks for a wake-up now (a queue message, when bound), and
 * `silences` reads and empties the isolate's silence list, which every dispatcher shares.
 */
function deliverySide(delivery: DeliveryConfig, silenceCache: SilenceCache): DeliverySide {
  // Over the running invocation's client, sharing the isolate's cached list with its dispatchers.
  const silences = createSilenceIndex({ db: invocationStore().db, clock: systemClock, cache: silenceCache });
  return {
    rules: delivery.rules,
    channels: delivery.channels,
    colt: delivery.colt,
    dispatcher: {
      wake: () => currentInvocation().wakeAt(new Date()),
      silences,
    },
  };
}
