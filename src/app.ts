/**
 * createApp(deps): the whole HTTP surface, runtime-free. src/runtime/ passes in the
 * store, the clock, the logger and how to learn the caller's address.
 */
import { Hono, type Context } from 'hono';
import type { Env } from './config/env.js';
import { createAdminRoutes } from './http/admin/admin.routes.js';
import { createCallbackRoutes } from './http/callbacks.routes.js';
import { createDashboardRoutes } from './http/dashboard/dashboard.routes.js';
import { createAuthThrottle, type AuthThrottle, type RefusalPacer } from './http/auth-throttle.js';
import { ApiError, createErrorHandler, errorResponse } from './http/errors.js';
import { createHealthRoutes } from './http/health.routes.js';
import { createTicketCallbackRoutes } from './http/ticket-callbacks.routes.js';
import { createMetricsRoutes } from './http/metrics.routes.js';
import { resolveClientAddress } from './lib/client-address.js';
import type { Clock } from './lib/clock.js';
import type { Logger } from './lib/logger.js';
import type { Metrics } from './lib/metrics.js';
import type { Pipeline } from './pipeline.js';
import type { Store } from './store/db.js';
import type { CallbackWriter } from './store/ingest.js';
import { createRefusalRecorder, type RefusalRecorder } from './store/refusal-recorder.js';
import { VERSION } from './version.js';

export interface AppDeps {
  env: Env;
  store: Store;
  writer: CallbackWriter;
  clock: Clock;
  logger: Logger;
  /** The TCP peer's address as the runtime sees it. */
  socketAddress(c: Context): string | null;
  /** Called after a new callback is committed: wakes the worker. */
  onStored?(eventId: string): void;
  /**
   * The worker side (rules, channels, worker), when this process has one: the admin API
   * and dashboard use it for replay, retry and the rules pages.
   */
  pipeline?: Pipeline;
  /** Where the receiver reports outcomes and latency. @default noopMetrics */
  metrics?: Metrics;
  /** GET /metrics body (Prometheus text); absent → /metrics answers 404 (Workers). */
  renderMetrics?(): Promise<string>;
  /** True once shutdown began: /readyz answers 503. @default never */
  isDraining?(): boolean;
  /**
   * Failed admin sign-ins per address. Pass one that outlives the app where apps are
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
  authThrottle: AuthThrottle;
  refusals: RefusalRecorder;
}

/** The caller's address: the socket peer's, or read from X-Forwarded-For as TRUST_PROXY allows. */
export function clientAddressResolver(env: Env, socketAddress: (c: Context) => string | null) {
  return (c: Context): string | null => resolveClientAddress(env.TRUST_PROXY, socketAddress(c), c.req.header('x-forwarded-for'));
}

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const routeDeps: RouteDeps = {
    ...deps,
    clientAddress: clientAddressResolver(deps.env, deps.socketAddress),
    authThrottle: deps.authThrottle ?? createAuthThrottle({ clock: deps.clock }),
    refusals: deps.refusals ?? createRefusalRecorder(deps.store, { logger: deps.logger, flushIntervalMs: 0 }),
  };
  app.route('/', createHealthRoutes({ store: deps.store, version: VERSION, isDraining: deps.isDraining }));
  // Before the callback routes: /callbacks/colt/tickets is not a path token.
  app.route('/', createTicketCallbackRoutes(routeDeps));
  app.route('/', createCallbackRoutes(routeDeps));
  app.route('/', createMetricsRoutes(routeDeps));
  app.route('/', createAdminRoutes(routeDeps));
  app.route('/', createDashboardRoutes(routeDeps));
  return withErrorAnswers(app, deps.logger);
}

/** Unknown routes and thrown errors answer in the JSON error shape. */
function withErrorAnswers(app: Hono, logger: Logger, routesHint = ''): Hono {
  app.notFound((c) => errorResponse(c, new ApiError('not_found', `no route for ${c.req.method} ${c.req.path}${routesHint}`)));
  app.onError(createErrorHandler(logger));
  return app;
}

/** A `worker` process's HTTP surface: /healthz, /readyz and /metrics, nothing else. */
export function createWorkerApp(deps: Pick<AppDeps, 'env' | 'store' | 'logger' | 'renderMetrics' | 'isDraining'>): Hono {
  const app = new Hono();
  app.route('/', createHealthRoutes({ store: deps.store, version: VERSION, isDraining: deps.isDraining }));
  app.route('/', createMetricsRoutes(deps));
  return withErrorAnswers(app, deps.logger, ' (a worker serves /healthz, /readyz and /metrics)');
}
