/**
 * What createApp (src/app.ts) is given and what its routes receive. Kept apart from app.ts,
 * which imports every route module, so the routes can name their dependencies without an
 * import cycle.
 */
import type { Context } from 'hono';
import type { ColtApi } from '../colt/colt.client.js';
import type { Env } from '../config/env.js';
import type { RulesConfig } from '../config/rules/rules.js';
import type { ChannelSet } from '../deliver/channels/index.js';
import type { Dispatcher } from '../deliver/dispatcher.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { Metrics } from '../lib/metrics.js';
import type { Tracer } from '../lib/tracing.js';
import type { Store } from '../store/db.js';
import type { CallbackWriter } from '../store/ingest.js';
import type { RefusalRecorder } from '../store/refusal-recorder.js';
import type { AuthThrottle, RefusalPacer } from './auth-throttle.js';

/**
 * The delivery side of a process as the admin API and dashboard use it: the rules and
 * channels in force, the Colt client, and the dispatcher to wake. src/pipeline.ts makes one.
 */
export interface DeliverySide {
  rules(): RulesConfig;
  channels(): ChannelSet;
  colt: ColtApi | null;
  /** What the routes ask of the dispatcher: to look for due work now, the silences (dry runs) and to reload them. */
  dispatcher: Pick<Dispatcher, 'wake'> & { silences: Pick<Dispatcher['silences'], 'invalidate' | 'current'> };
}

export interface AppDeps {
  env: Env;
  store: Store;
  writer: CallbackWriter;
  clock: Clock;
  logger: Logger;
  /** The TCP peer's address as the runtime sees it. */
  socketAddress(c: Context): string | null;
  /** Called after a new callback is committed: wakes the dispatcher. */
  onStored?(eventId: string): void;
  /**
   * The dispatcher side (rules, channels, dispatcher), when this process has one: the admin API
   * and dashboard use it for replay, retry and the rules pages.
   */
  pipeline?: DeliverySide;
  /** Where the receiver reports outcomes and latency. @default noopMetrics */
  metrics?: Metrics;
  /** Callbacks are traced here (docs/operations.md#tracing). @default none */
  tracer?: Tracer;
  /** GET /metrics body (Prometheus text); absent → /metrics answers 404 (Workers). */
  renderMetrics?(): Promise<string>;
  /** True once shutdown began: /readyz answers 503. @default never */
  isDraining?(): boolean;
  /**
   * Failed sign-ins (admin token, dashboard, metrics token) per address. Pass one that outlives the app where apps are
   * short-lived (Workers build one per request). @default a new one on `clock`
   */
  authThrottle?: AuthThrottle;
  /**
   * The audit of refused callbacks. Node passes a coalescing recorder it flushes on
   * shutdown. @default one that writes each refusal as it comes
   */
  refusals?: RefusalRecorder;
  /**
   * Holds the answers to an address flooding refused callbacks (a tarpit). Node passes one;
   * absent, refusals are answered at once.
   */
  refusalPacer?: RefusalPacer;
}

/** What the routes receive: AppDeps with every default filled in. */
export interface RouteDeps extends AppDeps {
  /** The caller's address, as the receiver's IP allow-list and the sign-in throttle see it. */
  clientAddress(c: Context): string | null;
  /** Who a failed sign-in (admin token, dashboard, metrics token) counts against (lib/client-address.ts). */
  attemptAddresses(c: Context): (string | null)[];
  authThrottle: AuthThrottle;
  refusals: RefusalRecorder;
}
