/** GET /metrics: Prometheus text when the runtime provides metrics (Node), else 404. */
import { Hono } from 'hono';
import { ApiError } from './errors.js';

export interface MetricsRoutesDeps {
  /** The registry as Prometheus text; absent on runtimes without metrics (Workers). */
  renderMetrics?(): Promise<string>;
}

/** Prometheus text exposition format 0.0.4. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export function createMetricsRoutes(deps: MetricsRoutesDeps): Hono {
  const routes = new Hono();
  routes.get('/metrics', async (c) => {
    if (!deps.renderMetrics) throw new ApiError('not_found', 'metrics are not exposed by this runtime');
    return c.body(await deps.renderMetrics(), 200, { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' });
  });
  return routes;
}
