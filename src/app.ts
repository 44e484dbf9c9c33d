/**
 * createApp(deps): the whole HTTP surface, runtime-free. src/runtime/ passes in the
 * store, the clock, the logger and how to learn the caller's address.
 */
import { Hono, type Context } from 'hono';
import type { Env } from './config/env.js';
import { createAdminRoutes } from './http/admin/admin.routes.js';
import { createCallbackRoutes } from './http/callbacks.routes.js';
import { createDashboardRoutes } from './http/dashboard/dashboard.routes.js';
import { createAuthThrottle } from './http/auth-throttle.js';
import type { AppDeps, RouteDeps } from './http/deps.js';
import { ApiError, createErrorHandler, errorResponse } from './http/errors.js';
import { createHealthRoutes } from './http/health.routes.js';
import { createTicketCallbackRoutes } from './http/ticket-callbacks.routes.js';
import { createMetricsRoutes } from './http/metrics.routes.js';
import { attemptAddresses, resolveClientAddress } from './lib/client-address.js';
import type { Logger } from './lib/logger.js';
import { createRefusalRecorder } from './store/refusal-recorder.js';
import { VERSION } from './lib/version.js';

export type { AppDeps, RouteDeps } from './http/deps.js';

/** The caller's address: the socket peer's, or read from X-Forwarded-For as TRUST_PROXY allows. */
export function clientAddressResolver(env: Env, socketAddress: (c: Context) => string | null) {
  return (c: Context): string | null => resolveClientAddress(env.TRUST_PROXY, socketAddress(c), c.req.header('x-forwarded-for'));
}

/** Who a failed sign-in counts against: the client, and the socket peer unless it is a proxy named by CIDR. */
export function attemptAddressesResolver(env: Env, socketAddress: (c: Context) => string | null) {
  return (c: Context): (string | null)[] => attemptAddresses(env.TRUST_PROXY, socketAddress(c), c.req.header('x-forwarded-for'));
}

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const routeDeps: RouteDeps = {
    ...deps,
    clientAddress: clientAddressResolver(deps.env, deps.socketAddress),
    attemptAddresses: attemptAddressesResolver(deps.env, deps.socketAddress),
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
export function createProbeApp(
  deps: Pick<AppDeps, 'env' | 'store' | 'logger' | 'renderMetrics' | 'isDraining' | 'clock' | 'socketAddress' | 'authThrottle'>,
): Hono {
  const app = new Hono();
  app.route('/', createHealthRoutes({ store: deps.store, version: VERSION, isDraining: deps.isDraining }));
  app.route(
    '/',
    createMetricsRoutes({
      ...deps,
      authThrottle: deps.authThrottle ?? createAuthThrottle({ clock: deps.clock }),
      attemptAddresses: attemptAddressesResolver(deps.env, deps.socketAddress),
    }),
  );
  return withErrorAnswers(app, deps.logger, ' (`colt-relay worker` serves /healthz, /readyz and /metrics)');
}
