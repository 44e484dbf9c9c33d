/**
 * The whole relay in one test: receiver on a real loopback listener, a real store and the
 * real pipeline (rules, channels, Colt client, worker) driven by `tick()`, not by time.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Hono } from 'hono';
import { createApp } from '../../src/app.js';
import { startMockColt, type RunningMockColt, type StartMockColtOptions } from '../../src/colt/mock/mock-colt.server.js';
import { parseEnv } from '../../src/config/env.js';
import { createManualClock, type ManualClock } from '../../src/lib/clock.js';
import { createSilentLogger, type Logger } from '../../src/lib/logger.js';
import { createPipeline, type Pipeline } from '../../src/pipeline.js';
import type { StoreKind } from '../../src/store/db.js';
import { createCallbackWriter } from '../../src/store/ingest.js';
import { createPromMetrics } from '../../src/runtime/node/prom-metrics.js';
import { storeGaugeReads } from '../../src/runtime/node/store-gauges.js';
import { createTestStore, type TestStore } from './store.js';

export const PIPELINE_TOKEN = 'pipeline-test-token-0123456789';

export interface TestPipeline {
  app: Hono;
  store: TestStore;
  pipeline: Pipeline;
  clock: ManualClock;
  /** `http://127.0.0.1:<port>` of the receiver. */
  url: string;
  post(body: unknown): Promise<{ http: number; id: string; duplicate: boolean }>;
  /** Ticks the dispatcher until a tick finds nothing to do; moves the clock past pacing gaps. */
  drain(options?: { advanceMs?: number; maxTicks?: number }): Promise<void>;
  close(): Promise<void>;
}

export async function createTestPipeline(
  kind: StoreKind,
  rawEnv: Record<string, string>,
  options: {
    logger?: Logger;
    fetch?: typeof fetch;
    coltTimeoutMs?: number;
    /** Serve GET /metrics as the Node server does: Prometheus metrics with every store gauge. */
    prometheus?: boolean;
  } = {},
): Promise<TestPipeline> {
  const env = { CALLBACK_TOKEN: PIPELINE_TOKEN, LOG_LEVEL: 'silent', WEBHOOK_ALLOW_PRIVATE: 'true', ...rawEnv };
  const parsed = parseEnv(env);
  const store = await createTestStore(kind);
  const clock = createManualClock(Date.now());
  const { logger = createSilentLogger(), prometheus = false, ...pipelineOptions } = options;
  let rules: Pipeline['rules'] | null = null;
  const prom = prometheus
    ? createPromMetrics({ defaultMetrics: false, ...storeGaugeReads({ db: store.db, clock, slaMs: parsed.ORDER_SLA, reconcile: parsed.RECONCILE, rules: () => rules?.() ?? null }) })
    : null;
  const pipeline = await createPipeline({ env: parsed, rawEnv: env, store, clock, logger, ...pipelineOptions, ...(prom && { metrics: prom.metrics }) });
  rules = pipeline.rules;
  const writer = createCallbackWriter(store);
  const app = createApp({
    env: parsed,
    store,
    writer,
    clock,
    logger,
    socketAddress: () => '127.0.0.1',
    pipeline,
    ...(prom && { metrics: prom.metrics, renderMetrics: () => prom.render() }),
  });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    app,
    store,
    pipeline,
    clock,
    url,
    async post(body) {
      const res = await app.request('/callbacks/colt', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${PIPELINE_TOKEN}` },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const json = (await res.json()) as { id: string; duplicate: boolean };
      return { http: res.status, id: json.id, duplicate: json.duplicate };
    },
    async drain({ advanceMs = 1100, maxTicks = 50 } = {}) {
      let idleInARow = 0;
      for (let i = 0; i < maxTicks && idleInARow < 2; i++) {
        const result = await pipeline.dispatcher.tick();
        if (result.idle) {
          idleInARow++;
          clock.advance(advanceMs);
        } else idleInARow = 0;
      }
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pipeline.close();
      await store.close();
    },
  };
}

/**
 * The relay and mock-colt wired to each other. Each side needs the other's address: the
 * simulator posts its callbacks to a placeholder host that its fetch resolves to the
 * relay's listener once that exists; the relay's Colt client signs in to mock-colt.
 */
export async function createTestPipelineWithMockColt(
  kind: StoreKind,
  rawEnv: Record<string, string>,
  mock: Pick<StartMockColtOptions, 'schedule' | 'dropCallbacks'>,
): Promise<{ relay: TestPipeline; colt: RunningMockColt }> {
  let relayUrl = '';
  const colt = await startMockColt({
    callbackUrl: 'http://relay.invalid/callbacks/colt',
    callbackToken: PIPELINE_TOKEN,
    callbackShape: 'tmf',
    ...mock,
    fetch: (url, init) => fetch(String(url).replace('http://relay.invalid', relayUrl), init),
  });
  const relay = await createTestPipeline(kind, {
    COLT_CLIENT_ID: 'mock-client-id',
    COLT_CLIENT_SECRET: 'mock-client-secret',
    COLT_API_BASE_URL: colt.apiBaseUrl,
    COLT_TOKEN_URL: colt.tokenUrl,
    ...rawEnv,
  }).catch(async (err: unknown) => {
    await colt.close();
    throw err;
  });
  relayUrl = relay.url;
  return { relay, colt };
}
