/** Liveness and readiness probes. */
import { Hono } from 'hono';
import type { Store } from '../store/db.js';

/** Readiness gives up on a store that does not answer within this many ms. */
export const READY_TIMEOUT_MS = 2000;

export function createHealthRoutes(deps: { store: Store; version: string }): Hono {
  const routes = new Hono();
  routes.get('/healthz', (c) => c.json({ status: 'ok', version: deps.version }));
  routes.get('/readyz', async (c) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), READY_TIMEOUT_MS);
    });
    try {
      await Promise.race([deps.store.ping(), timeout]);
      return c.json({ status: 'ready', store: deps.store.kind });
    } catch {
      return c.json({ status: 'unavailable', store: deps.store.kind }, 503, { 'Retry-After': '5' });
    } finally {
      clearTimeout(timer);
    }
  });
  return routes;
}
