/**
 * GET /metrics: Prometheus text when the runtime provides metrics (Node), else 404. With
 * METRICS_TOKEN set, only `Authorization: Bearer <METRICS_TOKEN>` may read it (queue
 * depths and failure counts tell an outsider how the relay is doing).
 */
import { Hono } from 'hono';
import { hasBearerToken } from './bearer-token.js';
import { ApiError } from './errors.js';

export interface MetricsRoutesDeps {
  env: { METRICS_TOKEN?: string | undefined };
  /** The registry as Prometheus text; absent on runtimes without metrics (Workers). */
  renderMetrics?(): Promise<string>;
}

/** Prometheus text exposition format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export function createMetricsRoutes(deps: MetricsRoutesDeps): Hono {
  const routes = new Hono();
  routes.get('/metrics', async (c) => {
    if (!deps.renderMetrics) throw new ApiError('not_found', 'metrics are not exposed by this runtime');
    const token = deps.env.METRICS_TOKEN;
    if (token !== undefined && !hasBearerToken(c, token)) {
      throw new ApiError('unauthorized', 'metrics need Authorization: Bearer <METRICS_TOKEN>', {
        headers: { 'WWW-Authenticate': 'Bearer realm="colt-relay-metrics"' },
      });
    }
    return c.body(await deps.renderMetrics(), 200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' });
  });
  return routes;
}
