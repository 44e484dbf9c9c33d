/**
 * What the dispatcher needs from the rest of the app. The router, rules and enricher
 * are described structurally here so the dispatcher does not depend on how they are built:
 * `routeEvent` from src/route and the rules from src/config/rules/rules.ts plug in as they are.
 */
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { Metrics } from '../lib/metrics.js';
import type { Tracer } from '../lib/tracing.js';
import type { NormalisedEvent, NumberRange, NumberType, OrderType } from '../event/event.js';
import type { Store } from '../store/db.js';
import type { Channel } from './channel.js';
import type { SilenceCache, SilenceIndex } from './silence-index.js';
import type { ChannelPolicies, ChannelType } from '../config/channel-config.js';

/** The part of the router's answer the dispatcher acts on (src/route `RouteResult` fits). */
export interface RouteOutcome {
  /** One entry per channel: the router already merged rules naming the same channel. */
  deliveries: { channel: string; channelType: ChannelType; rules: string[]; group?: RouteGroupOutcome }[];
  /** The event is stale and no rule asked for stale events. */
  skippedStale?: boolean;
}

/** The group a delivery joins (src/route `RouteGroup` fits). */
export interface RouteGroupOutcome {
  rule: string;
  key: string;
  values: Record<string, string | null>;
  waitMs: number;
  intervalMs: number;
}

/** What an enrichment attempt (GET /order) came to. */
export type EnrichOutcome =
  | { kind: 'skipped' }
  | {
      kind: 'enriched';
      details: {
        orderType: OrderType;
        numberType: NumberType;
        numbers: NumberRange[];
        customerRef: string | null;
        /** The order status as Colt wrote it: a later one than the order's advances it. */
        status?: string | null;
      };
      /** The body of GET /order, stored as the order's details. */
      body: unknown;
    }
  | ({ kind: 'retry'; reason: string; retryAfterMs?: number } & EnrichFailureCause)
  | ({ kind: 'failed'; reason: string } & EnrichFailureCause);

/** Where an enrichment failed: for the first failure's warn line. */
export interface EnrichFailureCause {
  host?: string;
  status?: number;
  code?: string;
}

/** The logger methods the dispatcher uses (a pino Logger fits). */
export type DispatcherLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

export interface DispatcherDeps<Rules = unknown> {
  store: Store;
  /** Timestamps only; the idle wait uses a real timer. */
  clock: Clock;
  logger: DispatcherLogger;
  /** Uniform in [0, 1) for retry jitter. @default Math.random */
  random?: () => number;
  /** The rules in force now (read on every event, so a reload takes effect at once). */
  getRules(): Rules;
  route(rules: Rules, event: NormalisedEvent): RouteOutcome;
  /** Channels by rules-file name. A delivery whose channel is missing is suppressed. */
  getChannels(): Map<string, Channel>;
  /**
   * Each channel's `rateLimit` and `quietHours` (docs/design.md#quiet-hours), from the rules in force; read every
   * round, so a reload takes effect at once. @default none (only `sendIntervalMs` paces)
   */
  getChannelPolicies?(): ChannelPolicies;
  /** Fetches order details; absent → events are routed as received. */
  enrich?: (event: NormalisedEvent) => Promise<EnrichOutcome>;
  /** Seconds before each delivery attempt. @default RETRY_SCHEDULE_S */
  retrySchedule?: readonly number[];
  /** Seconds between enrichment tries, then the event goes on without details. @default ENRICH_RETRY_SCHEDULE_S */
  enrichRetrySchedule?: readonly number[];
  /** Minimum gap between sends on one channel, by type. @default { slack: 1000 } */
  sendIntervalMs?: Partial<Record<ChannelType, number>>;
  /**
   * How long a claim is owned before another dispatcher may take it over. A dispatcher renews
   * the leases of what it holds (see `leaseRenewMs`), so this only bounds how long the work
   * of a dispatcher waits. @default 20000
   */
  leaseMs?: number;
  /**
   * Renew held leases this often (real time); 0 never renews on its own (tests that play a
   * frozen dispatcher). Must be well under `leaseMs`. @default leaseMs / 4
   */
  leaseRenewMs?: number;
  /** Most events, and most deliveries, claimed per round (a tick is one round). @default 100 */
  batchSize?: number;
  /** Sends in flight at once; enrichments use up to 8 of it (Colt's API is one shared peer). @default 32 */
  concurrency?: number;
  /** Idle wait between polls when nobody calls wake(). @default 1000 */
  pollIntervalMs?: number;
  /** Attempts, delivery outcomes and store errors are reported here. @default none */
  metrics?: Metrics;
  /**
   * Spans for processing events and for delivery attempts, in each event's stored trace
   * (docs/operations.md#tracing). @default none
   */
  tracer?: Tracer;
  /**
   * One bounded reconciliation round (src/enrich/reconcile.ts): run first in every tick and
   * every `reconcileIntervalMs` by the loop; absent when RECONCILE=off.
   */
  reconcile?: () => Promise<{ checked: number; advanced: number; overdue: number }>;
  /**
   * One circuit-breaker round (src/deliver/breaker.ts): disables channels failing for
   * CHANNEL_DISABLE_AFTER; run with reconciliation. Absent when CHANNEL_DISABLE_AFTER=off.
   */
  breaker?: () => Promise<number>;
  /** Time between reconciliation (and circuit-breaker) rounds of the loop. @default 30000 */
  reconcileIntervalMs?: number;
  /** Longest an event waits for order details (ENRICH_MAX_WAIT) before it goes on without them. @default 120000 */
  enrichMaxWaitMs?: number;
  /**
   * Told each time a failed delivery (or group) is written to try again at `at`, so a runtime
   * without a polling loop can wake itself then (Workers: a queue message). @default none
   */
  onRetryScheduled?: (at: Date) => void;
  /**
   * Silences checked before each send (docs/design.md#silences): a matching delivery is recorded as suppressed.
   * @default an index over `store` on `clock`, reloaded at most once a second
   */
  silences?: SilenceIndex;
  /** Where that default index keeps its list: dispatchers given one cache share it (Workers: per isolate). @default its own */
  silenceCache?: SilenceCache;
}

/** DispatcherDeps with every default filled in. */
export type DispatcherContext<Rules = unknown> = DispatcherDeps<Rules> &
  Required<
    Pick<
      DispatcherDeps<Rules>,
      | 'random'
      | 'retrySchedule'
      | 'enrichRetrySchedule'
      | 'sendIntervalMs'
      | 'leaseMs'
      | 'leaseRenewMs'
      | 'batchSize'
      | 'concurrency'
      | 'pollIntervalMs'
      | 'reconcileIntervalMs'
      | 'enrichMaxWaitMs'
      | 'silences'
    >
  >;
