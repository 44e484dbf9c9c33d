/** Liveness and readiness probes. */
import { Hono } from 'hono';
import type { Store } from '../store/db.js';
import { describeDatabaseFailure } from '../store/connection-errors.js';

/** Readiness gives up on a store that does not answer within this many ms. */
export const READY_TIMEOUT_MS = 2000;

export interface HealthRoutesDeps {
  store: Store;
  version: string;
  /** True once shutdown began: /readyz answers 503 so load balancers stop sending. @default never */
  isDraining?(): boolean;
}

/** Why the store did not answer, without secrets (no URL, no password). */
function notReadyReason(error: unknown): string {
  if (error instanceof ReadyTimeout) return `the database did not answer within ${READY_TIMEOUT_MS} ms`;
  return describeDatabaseFailure(error) ?? 'the database query failed';
}

class ReadyTimeout extends Error {}

export function createHealthRoutes(deps: HealthRoutesDeps): Hono {
  const routes = new Hono();
  const unavailable = { 'Retry-After': '5' };
  routes.get('/healthz', (c) => c.json({ status: 'ok', version: deps.version }));
  routes.get('/readyz', async (c) => {
    if (deps.isDraining?.()) {
      return c.json({ status: 'draining', store: deps.store.kind, reason: 'shutting down: finishing in-flight work' }, 503, unavailable);
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ReadyTimeout()), READY_TIMEOUT_MS);
    });
    try {
      await Promise.race([deps.store.ping(), timeout]);
      return c.json({ status: 'ready', store: deps.store.kind });
    } catch (error) {
      return c.json({ status: 'unavailable', store: deps.store.kind, reason: notReadyReason(error) }, 503, unavailable);
    } finally {
      clearTimeout(timer);
    }
  });
  return routes;
}
