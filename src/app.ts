/**
 * createApp(deps): the whole HTTP surface, runtime-free. src/runtime/ passes in the
 * store, the clock, the logger and how to learn the caller's address.
 */
import { Hono, type Context } from 'hono';
import type { Env } from './config/env.js';
import { createAdminRoutes } from './http/admin/admin.routes.js';
import { createCallbackRoutes } from './http/callbacks.routes.js';
import { createDashboardRoutes } from './http/dashboard/dashboard.routes.js';
import { ApiError, createErrorHandler, errorResponse } from './http/errors.js';
import { createHealthRoutes } from './http/health.routes.js';
import { createTicketCallbackRoutes } from './http/ticket-callbacks.routes.js';
import { createMetricsRoutes } from './http/metrics.routes.js';
import type { Clock } from './lib/clock.js';
import type { Logger } from './lib/logger.js';
import type { Metrics } from './lib/metrics.js';
import type { Pipeline } from './pipeline.js';
import type { Store } from './store/db.js';
import type { CallbackWriter } from './store/ingest.js';
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
}

/** The caller's address: the first X-Forwarded-For hop when TRUST_PROXY, else the socket's. */
export function clientAddressResolver(env: Env, socketAddress: (c: Context) => string | null) {
  return (c: Context): string | null => {
    if (env.TRUST_PROXY) {
      const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
      if (forwarded) return forwarded;
    }
    return socketAddress(c);
  };
}

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const clientAddress = clientAddressResolver(deps.env, deps.socketAddress);
  app.route('/', createHealthRoutes({ store: deps.store, version: VERSION }));
  app.route('/', createTicketCallbackRoutes({ ...deps, clientAddress }));
  app.route('/', createCallbackRoutes({ ...deps, clientAddress }));
  app.route('/', createMetricsRoutes(deps));
  app.route('/', createAdminRoutes(deps));
  app.route('/', createDashboardRoutes(deps));
  app.notFound((c) => errorResponse(c, new ApiError('not_found', `no route for ${c.req.method} ${c.req.path}`)));
  app.onError(createErrorHandler(deps.logger));
  return app;
}
