/**
 * GET /metrics: Prometheus text when the runtime provides metrics (Node), else 404. With
 * METRICS_TOKEN set, only `Authorization: Bearer <METRICS_TOKEN>` may read it (queue
 * depths and failure counts tell an outsider how the relay is doing); wrong tokens count
 * against the caller like wrong admin tokens (auth-throttle.ts): the sixth in a window is 429.
 */
import { Hono, type Context } from 'hono';
import { tooManyFailures } from './admin/admin-auth.js';
import type { AuthThrottle } from './auth-throttle.js';
import { hasBearerToken } from './bearer-token.js';
import { ApiError } from './errors.js';

export interface MetricsRoutesDeps {
  env: { METRICS_TOKEN?: string | undefined };
  /** The registry as Prometheus text; absent on runtimes without metrics (Workers). */
  renderMetrics?(): Promise<string>;
  /** Failed attempts per address, shared with the admin API and the dashboard sign-in. */
  authThrottle: AuthThrottle;
  attemptAddresses(c: Context): (string | null)[];
}

/** Prometheus text exposition format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export function createMetricsRoutes(deps: MetricsRoutesDeps): Hono {
  const routes = new Hono();
  routes.get('/metrics', async (c) => {
    if (!deps.renderMetrics) throw new ApiError('not_found', 'metrics are not exposed by this runtime');
    const token = deps.env.METRICS_TOKEN;
    if (token !== undefined) {
      const addresses = deps.attemptAddresses(c);
      const wait = deps.authThrottle.retryAfterS(addresses);
      if (wait > 0) throw tooManyFailures(wait);
      if (!hasBearerToken(c, token)) {
        await deps.authThrottle.failed(addresses);
        throw new ApiError('unauthorized', 'metrics need Authorization: Bearer <METRICS_TOKEN>', {
          headers: { 'WWW-Authenticate': 'Bearer realm="colt-relay-metrics"' },
        });
      }
    }
    return c.body(await deps.renderMetrics(), 200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' });
  });
  return routes;
}
