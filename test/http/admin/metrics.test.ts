/** GET /metrics on Node: Prometheus text with the relay's families, counting real callbacks and deliveries. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/app.js';
import { parseEnv } from '../../../src/config/env.js';
import { createColtClient } from '../../../src/colt/colt.client.js';
import { createManualClock } from '../../../src/lib/clock.js';
import { createSilentLogger } from '../../../src/lib/logger.js';
import { createPromMetrics } from '../../../src/runtime/node/prom-metrics.js';
import { createCallbackWriter } from '../../../src/store/ingest.js';
import { STORE_KINDS, createTestStore } from '../../support/store.js';
import { createAdminHarness, flatCallback, type AdminHarness } from './support.js';

/** `name{labels} value` lines → value of the exact series, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe.each(STORE_KINDS)('Prometheus metrics (%s)', (kind) => {
  let h: AdminHarness;
  beforeAll(async () => {
    h = await createAdminHarness(kind);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('counts callbacks, deliveries, attempts and shows the queue after a callback and a delivery', async () => {
    h.peer.respondWith({ status: 503, headers: { 'retry-after': '30' } });
    expect((await h.callback(flatCallback('IN-ORD-1', 'Completed'))).status).toBe(200);
    expect((await h.callback(flatCallback('IN-ORD-1', 'Completed'))).status).toBe(200); // duplicate
    await h.app.request('/callbacks/colt', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    await h.callback('{broken');
    await h.pipeline!.dispatcher.tick(); // console delivered, oss retrying (503), channel paused 30 s
    h.clock.advance(90_000); // past the pause and the retry: the oss delivery is due and waiting

    const res = await h.app.request('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    for (const family of [
      'callbacks_total',
      'ingest_duration_seconds',
      'deliveries_total',
      'delivery_attempts_total',
      'delivery_attempt_duration_seconds',
      'queue_depth',
      'oldest_due_delivery_age_seconds',
      'colt_api_calls_total',
      'colt_api_call_duration_seconds',
      'colt_token_refreshes_total',
      'store_errors_total',
    ]) {
      expect(text, family).toContain(`# TYPE colt_relay_${family} `);
    }
    expect(text).toContain('# TYPE colt_relay_ingest_duration_seconds histogram');
    expect(text).toContain('# TYPE colt_relay_queue_depth gauge');
    expect(text).toContain('process_cpu_user_seconds_total'); // default process metrics
    expect(sample(text, 'colt_relay_callbacks_total{outcome="accepted",reason="none"}')).toBe(1);
    expect(sample(text, 'colt_relay_callbacks_total{outcome="duplicate",reason="none"}')).toBe(1);
    expect(sample(text, 'colt_relay_callbacks_total{outcome="refused",reason="unauthorized"}')).toBe(1);
    expect(sample(text, 'colt_relay_callbacks_total{outcome="refused",reason="invalid_payload"}')).toBe(1);
    expect(sample(text, 'colt_relay_ingest_duration_seconds_count')).toBe(2);
    expect(sample(text, 'colt_relay_deliveries_total{channel_type="log",status="delivered"}')).toBe(1);
    expect(sample(text, 'colt_relay_deliveries_total{channel_type="webhook",status="retrying"}')).toBe(1);
    expect(sample(text, 'colt_relay_delivery_attempts_total{channel_type="webhook",channel="oss",outcome="retry"}')).toBe(1);
    expect(sample(text, 'colt_relay_delivery_attempts_total{channel_type="log",channel="console",outcome="delivered"}')).toBe(1);
    expect(sample(text, 'colt_relay_delivery_attempt_duration_seconds_count{channel_type="webhook"}')).toBe(1);
    expect(sample(text, 'colt_relay_queue_depth{status="retrying"}')).toBe(1);
    expect(sample(text, 'colt_relay_queue_depth{status="pending"}')).toBe(0);
    expect(sample(text, 'colt_relay_queue_depth{status="dead"}')).toBe(0);
    const age = sample(text, 'colt_relay_oldest_due_delivery_age_seconds')!;
    expect(age).toBeGreaterThan(0);
    expect(age).toBeLessThanOrEqual(90);
    expect(sample(text, 'colt_relay_store_errors_total')).toBe(0);

    // The retry goes through: the gauges follow the store on the next scrape.
    await h.pipeline!.dispatcher.tick();
    const after = await (await h.app.request('/metrics')).text();
    expect(sample(after, 'colt_relay_queue_depth{status="retrying"}')).toBe(0);
    expect(sample(after, 'colt_relay_oldest_due_delivery_age_seconds')).toBe(0);
    expect(sample(after, 'colt_relay_deliveries_total{channel_type="webhook",status="delivered"}')).toBe(1);
  });
});

describe('metrics wiring', () => {
  it('answers 404 JSON when the runtime has no metrics', async () => {
    const store = await createTestStore('pglite');
    const app = createApp({
      env: parseEnv({ LOG_LEVEL: 'silent' }),
      store,
      writer: createCallbackWriter(store),
      clock: createManualClock(),
      logger: createSilentLogger(),
      socketAddress: () => null,
    });
    const res = await app.request('/metrics');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    await store.close();
  });

  it('counts Colt calls and token refreshes through the client', async () => {
    const prom = createPromMetrics({ defaultMetrics: false });
    const answers = [
      new Response(JSON.stringify({ access_token: 't1', expires_in: 3600 }), { status: 200 }),
      new Response('{}', { status: 404 }),
    ];
    const colt = createColtClient({
      clientId: 'id',
      clientSecret: 'secret',
      apiBaseUrl: 'https://colt.test/api',
      tokenUrl: 'https://colt.test/token',
      fetch: async () => answers.shift() ?? Promise.reject(new TypeError('fetch failed')),
      sleep: async () => {},
      maxAttempts: 1,
      metrics: prom.metrics,
    });
    await colt.getOrder('IN-1');
    await colt.getOrder('IN-2'); // token cached; the network fails
    const text = await prom.render();
    expect(sample(text, 'colt_relay_colt_token_refreshes_total')).toBe(1);
    expect(sample(text, 'colt_relay_colt_api_calls_total{outcome="ok"}')).toBe(1);
    expect(sample(text, 'colt_relay_colt_api_calls_total{outcome="http_4xx"}')).toBe(1);
    expect(sample(text, 'colt_relay_colt_api_calls_total{outcome="network_error"}')).toBe(1);
    expect(sample(text, 'colt_relay_colt_api_call_duration_seconds_count')).toBe(3);
  });

  it('keeps the scrape working and counts a store error when the queue read fails', async () => {
    const prom = createPromMetrics({ defaultMetrics: false, queueStats: () => Promise.reject(new Error('db down')) });
    const text = await prom.render();
    expect(sample(text, 'colt_relay_store_errors_total')).toBe(1);
  });
});
