/**
 * Finding 7 (metrics): with METRICS_TOKEN set, /metrics needs `Authorization: Bearer
 * <METRICS_TOKEN>` (401 JSON otherwise); without it, /metrics stays open as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPromMetrics } from '../../src/runtime/node/prom-metrics.js';
import { createTestStore, STORE_KINDS, type TestStore } from '../support/store.js';
import { startSecurityRelay } from './support.js';

const METRICS_TOKEN = 'metrics-scrape-token-91c3e0';

function promRender() {
  const prom = createPromMetrics({ defaultMetrics: false });
  return () => prom.render();
}

describe.each(STORE_KINDS)('/metrics on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
  });
  afterAll(async () => store?.close());

  it('with METRICS_TOKEN: 401 JSON without or with a wrong token, 200 with it', async () => {
    const relay = await startSecurityRelay(kind, { METRICS_TOKEN }, { store, renderMetrics: promRender() });
    try {
      // The right token first: five wrong ones use up the address's tries (short-tokens.security.test.ts).
      const ok = await fetch(`${relay.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('# TYPE');
      for (const authorization of [undefined, 'Bearer wrong-token', `Basic ${btoa(`x:${METRICS_TOKEN}`)}`, METRICS_TOKEN, `Bearer ${METRICS_TOKEN}x`]) {
        const res = await fetch(`${relay.url}/metrics`, { headers: authorization ? { authorization } : {} });
        expect(res.status, authorization).toBe(401);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
        expect(await res.json()).toEqual({ error: { code: 'unauthorized', message: expect.stringContaining('METRICS_TOKEN') } });
      }
    } finally {
      await relay.close();
    }
  });

  it('without METRICS_TOKEN: open, as before', async () => {
    const relay = await startSecurityRelay(kind, {}, { store, renderMetrics: promRender() });
    try {
      const res = await fetch(`${relay.url}/metrics`);
      expect(res.status).toBe(200);
    } finally {
      await relay.close();
    }
  });
});
