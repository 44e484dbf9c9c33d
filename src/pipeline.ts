/**
 * The delivery side, composed: rules → router, channels, Colt client → enrichment, and the
 * dispatcher that runs them. Runtime-free: src/runtime/ adds file reading, the SSRF agent
 * (Node) or per-isolate clients (Workers).
 */
import type { MailTransport } from './deliver/channels/email/email.channel.js';
import { createColtClient, type ColtApi } from './colt/colt.client.js';
import { describeColtEnvironment } from './colt/environment.js';
import { parseCredentialPairs } from './config/colt-credentials.js';
import type { Env } from './config/env.js';
import { ConfigError } from './config/env.js';
import { formatProblems, type RuleProblem, type RulesConfig } from './config/rules/rules.js';
import { loadRules } from './config/rules/rules.js';
import { setupFacts, setupWarnings, type SetupFacts } from './config/setup-warnings.js';
import { channelPolicies, type ChannelPolicies } from './config/channel-config.js';
import { closeChannels, createChannels, type ChannelDeps, type ChannelSet } from './deliver/channels/index.js';
import { createBreaker } from './deliver/breaker.js';
import { createDispatcher, type Dispatcher, type DispatcherDeps } from './deliver/dispatcher.js';
import { enrichEvent } from './enrich/enrich.js';
import { createReconciler } from './enrich/reconcile.js';
import type { Clock } from './lib/clock.js';
import type { Logger } from './lib/logger.js';
import type { Metrics } from './lib/metrics.js';
import type { Tracer } from './lib/tracing.js';
import { routeEvent } from './route/router.js';
import type { Store } from './store/db.js';
import { createSlackThreadStore } from './store/slack-threads.repo.js';
import { createTicketStore } from './store/tickets.repo.js';
import { VERSION } from './lib/version.js';

/**
 * The stages a callback passes through, in order (docs/design.md#pipeline). Each has its
 * folder in src/, and the layer order (docs/design.md#layers, checked by
 * test/packaging/layers.test.ts) keeps them in this order: a stage imports only earlier ones.
 */
export const PIPELINE_STAGES = ['receive', 'store', 'enrich', 'route', 'deliver'] as const;
export type PipelineStage = (typeof PIPELINE_STAGES)[number];

export interface PipelineOptions {
  env: Env;
  /** The raw environment, for `${VAR}` in rules. */
  rawEnv: Record<string, string | undefined>;
  store: Store;
  clock: Clock;
  logger: Logger;
  /** Reads a rules file; null when missing. Absent on Workers (rules come from RULES). */
  readFile?: (path: string) => Promise<string | null>;
  /** Gives the webhook agent (the SSRF-checking agent on Node). */
  webhookAgent?: () => Promise<unknown>;
  fetch?: typeof fetch;
  /** Webhook-only fetch (Workers: refuses IP literals, since names cannot be resolved there). @default fetch */
  webhookFetch?: typeof fetch;
  /** A ready mail transport instead of SMTP_URL (Workers: the HTTP mail API). */
  mailTransport?: MailTransport;
  /** Worker tuning (Workers: small batches, few connections). @default DISPATCHER_DEFAULTS */
  dispatcherOptions?: Pick<DispatcherDeps, 'batchSize' | 'concurrency' | 'leaseMs' | 'leaseRenewMs' | 'silenceCache'>;
  /** Rules already loaded (and checked before the store was opened). @default read now */
  rules?: LoadedRules;
  /** What sends email here: SMTP_URL (Node) or MAIL_API_KEY (Workers), for the start-up warnings. @default "SMTP_URL" */
  mailVariable?: SetupFacts['mail']['variable'];
  /** Level of the "rules loaded" line: Workers build a pipeline per invocation. @default "info" */
  rulesLogLevel?: 'info' | 'debug';
  /** Worker and Colt client report here (Prometheus on Node). @default none */
  metrics?: Metrics;
  /** Per-call timeout of the Colt client. @default 10000 */
  coltTimeoutMs?: number;
  /** Told when a failed delivery is scheduled to try again (Workers: a queue message wakes it). @default none */
  onRetryScheduled?: DispatcherDeps['onRetryScheduled'];
  /** Spans of the dispatcher, the channels and the Colt client (docs/operations.md#tracing). @default none */
  tracer?: Tracer;
}

export interface Pipeline {
  dispatcher: Dispatcher;
  rules(): RulesConfig;
  channels(): ChannelSet;
  colt: ColtApi | null;
  /** Loads the rules again; keeps the old ones (and says why) when the new ones are invalid. */
  reloadRules(): Promise<{ ok: boolean; problems?: string }>;
  close(): Promise<void>;
}

/** Valid rules as loaded: where from, and the `${VAR}` references set but empty (a start-up warning). */
export interface LoadedRules {
  config: RulesConfig;
  source: string;
  emptyVariables: readonly RuleProblem[];
}

/** Loads and validates the rules; ConfigError with every problem. */
export async function readRules(options: Pick<PipelineOptions, 'rawEnv' | 'readFile' | 'logger' | 'rulesLogLevel'>): Promise<LoadedRules> {
  const load = await loadRules({ env: options.rawEnv, readFile: options.readFile ?? (async () => null) });
  if (!load.ok) throw new ConfigError([`rules (${load.source}):\n${formatProblems(load.problems, load.source)}`]);
  options.logger[options.rulesLogLevel ?? 'info']({ source: load.source, channels: Object.keys(load.rules.channels).length, rules: load.rules.rules.length }, 'rules loaded');
  return { config: load.rules, source: load.source, emptyVariables: load.emptyVariables ?? [] };
}

/**
 * The start-up warnings (src/config/setup-warnings.ts, the list `rules check` prints), then
 * any channel the built set could not make for another reason. A mail transport given by
 * the runtime counts as configured email.
 */
function logSetupWarnings(options: PipelineOptions, loaded: LoadedRules, built: ChannelSet): void {
  const facts = setupFacts(options.rawEnv, options.mailVariable);
  if (options.mailTransport) facts.mail.set = true;
  const warnings = setupWarnings(loaded.config, facts, loaded.emptyVariables, loaded.source);
  const named = (warning: string) => warnings.some((w) => w.startsWith(warning.slice(0, warning.indexOf(': ') + 1)));
  for (const warning of [...warnings, ...built.warnings.filter((w) => !named(w))]) options.logger.warn(warning);
}

export function createColtClientFromEnv(
  env: Env,
  deps: { clock: Clock; logger: Logger; fetch?: typeof fetch; metrics?: Metrics; timeoutMs?: number; maxRetryAfterWaitMs?: number; tracer?: Tracer },
): ColtApi | null {
  const pairs = parseCredentialPairs(env.COLT_CLIENT_ID, env.COLT_CLIENT_SECRET);
  if (!pairs.ok) throw new ConfigError(pairs.problems);
  if (pairs.pairs.length === 0) return null;
  return createColtClient({
    credentials: pairs.pairs,
    environment: env.COLT_ENV ?? 'sandbox',
    apiBaseUrl: env.COLT_API_BASE_URL,
    tokenUrl: env.COLT_TOKEN_URL,
    trackingHeader: env.COLT_TRACKING_HEADER,
    apiKey: env.COLT_API_KEY,
    apiKeyHeader: env.COLT_API_KEY_HEADER,
    rateLimitMaxWaitMs: env.COLT_RATE_LIMIT_MAX_WAIT,
    clock: deps.clock,
    logger: deps.logger,
    ...(deps.fetch && { fetch: deps.fetch }),
    ...(deps.metrics && { metrics: deps.metrics }),
    ...(deps.timeoutMs !== undefined && { timeoutMs: deps.timeoutMs }),
    ...(deps.maxRetryAfterWaitMs !== undefined && { maxRetryAfterWaitMs: deps.maxRetryAfterWaitMs }),
    ...(deps.tracer && { tracer: deps.tracer }),
  });
}

/** What colt-ticket channels need, or why they cannot send. */
function coltTicketDeps(env: Env, colt: ColtApi | null, store: Store, clock: Clock): ChannelDeps['coltTickets'] {
  if (!env.COLT_TICKET_API_BASE_URL) return { missing: 'COLT_TICKET_API_BASE_URL is not set' };
  if (!colt) return { missing: 'COLT_CLIENT_ID/COLT_CLIENT_SECRET are not set (tickets use the same OAuth token)' };
  return { colt, baseUrl: env.COLT_TICKET_API_BASE_URL.replace(/\/+$/, ''), tickets: createTicketStore(store.db, clock) };
}

/**
 * What a dispatcher reads, without the dispatcher: the rules in force, the channels built
 * from them, their policies and the Colt client. The Workers runtime keeps one per isolate
 * and makes a dispatcher per invocation over it (docs/design.md#workers-lifecycle).
 */
export interface DeliveryConfig {
  rules(): RulesConfig;
  channels(): ChannelSet;
  policies(): ChannelPolicies;
  colt: ColtApi | null;
  /** Loads the rules again; keeps the old ones (and says why) when the new ones are invalid. */
  reloadRules(): Promise<{ ok: boolean; problems?: string }>;
  /** Closes the channels. */
  close(): Promise<void>;
}

/** Loads the rules (unless given), builds their channels and the Colt client. Throws ConfigError. */
export async function createDeliveryConfig(options: PipelineOptions): Promise<DeliveryConfig> {
  const { env, store, clock, logger } = options;
  let loaded = options.rules ?? (await readRules(options));
  let rules = loaded.config;
  const slackThreads = createSlackThreadStore(store.db, clock);
  const { tracer } = options;
  const colt = createColtClientFromEnv(env, { clock, logger, fetch: options.fetch, metrics: options.metrics, timeoutMs: options.coltTimeoutMs, tracer });
  if (colt) {
    const described = describeColtEnvironment(env);
    logger[options.rulesLogLevel ?? 'info']({ host: described.apiHost, environment: described.kind, chosenBy: described.chosenBy }, `colt api: ${described.summary}`);
    for (const warning of described.warnings) logger.warn(`colt api: ${warning}`);
  }
  const coltTickets = coltTicketDeps(env, colt, store, clock);
  const buildChannels = (config: RulesConfig): ChannelSet => {
    const set = createChannels(config.channels, {
      logger,
      version: VERSION,
      allowPrivate: env.WEBHOOK_ALLOW_PRIVATE,
      webhookAgent: options.webhookAgent,
      fetch: options.webhookFetch ?? options.fetch,
      ...(options.mailTransport && { mailTransport: options.mailTransport }),
      smtpUrl: env.SMTP_URL,
      mailFrom: env.MAIL_FROM,
      slackToken: env.SLACK_BOT_TOKEN,
      slackApiUrl: env.SLACK_API_URL,
      slackThreads,
      clock,
      coltTickets,
      ...(env.PUBLIC_URL && { publicUrl: env.PUBLIC_URL }),
      ...(tracer && { tracer }),
    });
    logSetupWarnings(options, loaded, set);
    return set;
  };
  let channels = buildChannels(rules);
  let policies = channelPolicies(rules.channels);
  return {
    rules: () => rules,
    channels: () => channels,
    policies: () => policies,
    colt,
    async reloadRules() {
      try {
        const next = await readRules(options);
        const old = channels;
        loaded = next;
        rules = next.config;
        channels = buildChannels(next.config);
        policies = channelPolicies(next.config.channels);
        await closeChannels(old.values());
        return { ok: true };
      } catch (error) {
        const problems = error instanceof ConfigError ? error.problems.join('\n') : (error as Error).message;
        logger.error({ problems }, 'rules reload failed: keeping the previous rules');
        return { ok: false, problems };
      }
    },
    close: () => closeChannels(channels.values()),
  };
}

/** The dispatcher over a delivery configuration, on `options.store`. */
export function createConfiguredDispatcher(config: DeliveryConfig, options: PipelineOptions): Dispatcher {
  const { env, store, clock, logger } = options;
  const { colt } = config;
  return createDispatcher<RulesConfig>({
    ...options.dispatcherOptions,
    store,
    clock,
    logger,
    getRules: config.rules,
    route: routeEvent,
    getChannels: config.channels,
    getChannelPolicies: config.policies,
    ...(options.metrics && { metrics: options.metrics }),
    ...(options.onRetryScheduled && { onRetryScheduled: options.onRetryScheduled }),
    ...(options.tracer && { tracer: options.tracer }),
    ...(colt && env.ENRICH !== 'never' && { enrich: (event) => enrichEvent(colt, env.ENRICH, event) }),
    enrichMaxWaitMs: env.ENRICH_MAX_WAIT,
    ...(env.CHANNEL_DISABLE_AFTER !== null && {
      breaker: createBreaker({ db: store.db, clock, logger, afterMs: env.CHANNEL_DISABLE_AFTER }),
    }),
    ...(env.RECONCILE && { reconcile: createReconciler({
      db: store.db,
      colt,
      clock,
      logger,
      afterMs: env.RECONCILE_AFTER,
      maxIntervalMs: env.RECONCILE_MAX_INTERVAL,
      slaMs: env.ORDER_SLA,
      ...(options.metrics && { metrics: options.metrics }),
    }).run }),
  });
}

export async function createPipeline(options: PipelineOptions): Promise<Pipeline> {
  const config = await createDeliveryConfig(options);
  const dispatcher = createConfiguredDispatcher(config, options);
  return {
    dispatcher,
    rules: config.rules,
    channels: config.channels,
    colt: config.colt,
    reloadRules: config.reloadRules,
    async close() {
      await dispatcher.stop();
      await config.close();
    },
  };
}
