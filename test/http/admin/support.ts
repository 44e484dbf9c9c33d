/**
 * An operator's view of a real relay: createApp with a real pipeline (rules from RULES,
 * real channels, the dispatcher driven by tick()), a manual clock, Prometheus metrics and a
 * loopback webhook peer, all over a real store. Requests go through `app.request()`.
 */
import type { Hono } from 'hono';
import { createApp } from '../../../src/app.js';
import { parseEnv, type Env } from '../../../src/config/env.js';
import { createAuthThrottle } from '../../../src/http/auth-throttle.js';
import { createManualClock, type ManualClock } from '../../../src/lib/clock.js';
import { createSilentLogger } from '../../../src/lib/logger.js';
import { createPipeline, type Pipeline } from '../../../src/pipeline.js';
import { createPromMetrics, type PromMetrics } from '../../../src/runtime/node/prom-metrics.js';
import { storeGaugeReads } from '../../../src/runtime/node/store-gauges.js';
import type { StoreKind } from '../../../src/store/db.js';
import { createCallbackWriter } from '../../../src/store/ingest.js';
import { startWebhookPeer, type WebhookPeer } from '../../support/webhook-peer.js';
import { createTestStore, type TestStore } from '../../support/store.js';

export const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
export const CALLBACK_TOKEN = 'callback-token-for-tests-0123456789';

/** Every secret the harness configures: none may ever appear in an /api answer. */
export const SECRETS = {
  webhookSecret: `whsec_${Buffer.from('webhook-signing-key-of-tests!!').toString('base64')}`,
  webhookQuery: 'QUERYSECRET-4f1c9a',
  webhookHeader: 'HEADERSECRET-77e2b0',
  legacyPassword: 'URLPASSWORD-90ab1d',
  smtpPassword: 'SMTPPASSWORD-3c5e7f',
  slackToken: 'xoxb-0000000000-SLACKTOKEN-9d8c7b',
  coltSecret: 'COLTSECRET-1a2b3c',
};

/** oss: the loopback peer (query secret, header secret); legacy: a URL with credentials, never sent to. */
export function testRules(peerUrl: string): string {
  return `
channels:
  oss:
    type: webhook
    url: "${peerUrl}?key=${SECRETS.webhookQuery}"
    secret: \${OSS_SECRET}
    headers: { x-api-key: "${SECRETS.webhookHeader}" }
  legacy: { type: webhook, url: "https://relay:${SECRETS.legacyPassword}@legacy.example.com/in?token=${SECRETS.legacyPassword}", secret: \${OSS_SECRET} }
  console: { type: log }
  ops-slack: { type: slack, channel: C0123456789 }
  noc-email: { type: email, to: [noc@example.com], subject: "{{orderId}} {{status}}" }
rules:
  - name: failures-to-ops
    match: { status: failed }
    notify: [ops-slack, noc-email]
  - name: cancelled-to-legacy
    match: { status: cancelled }
    notify: [legacy]
  - name: completed-to-oss
    match: { status: completed }
    notify: [oss, console]
`;
}

export interface AdminHarness {
  app: Hono;
  store: TestStore;
  env: Env;
  clock: ManualClock;
  pipeline: Pipeline | null;
  peer: WebhookPeer;
  prom: PromMetrics;
  /** An admin request with the token (unless `token` says otherwise). */
  api(path: string, init?: { method?: string; body?: unknown; token?: string | null }): Promise<Response>;
  /** GET with the token; fails the test unless 200; the parsed body. */
  json<T = any>(path: string): Promise<T>;
  /** POST a callback as Colt would. */
  callback(body: unknown): Promise<Response>;
  close(): Promise<void>;
}

export interface AdminHarnessOptions {
  /** ADMIN_TOKEN; null leaves it unset. @default ADMIN_TOKEN */
  adminToken?: string | null;
  /** Build the app without the dispatcher. @default true */
  withPipeline?: boolean;
  /** Reuse a store (one per test file). */
  store?: TestStore;
  /** More environment (e.g. CHANNEL_DISABLE_AFTER), over the harness's. */
  env?: Record<string, string>;
  /** The rules, given the webhook peer's URL. @default testRules */
  rules?: (peerUrl: string) => string;
}

export async function createAdminHarness(kind: StoreKind, options: AdminHarnessOptions = {}): Promise<AdminHarness> {
  const peer = await startWebhookPeer(SECRETS.webhookSecret);
  const store = options.store ?? (await createTestStore(kind));
  const clock = createManualClock(Date.now());
  const rawEnv: Record<string, string | undefined> = {
    CALLBACK_TOKEN,
    ...(options.adminToken !== null && { ADMIN_TOKEN: options.adminToken ?? ADMIN_TOKEN }),
    LOG_LEVEL: 'silent',
    WEBHOOK_ALLOW_PRIVATE: 'true',
    RULES: (options.rules ?? testRules)(peer.url),
    OSS_SECRET: SECRETS.webhookSecret,
    SMTP_URL: `smtp://relay:${SECRETS.smtpPassword}@127.0.0.1:1`,
    MAIL_FROM: 'relay@example.com',
    SLACK_BOT_TOKEN: SECRETS.slackToken,
    SLACK_API_URL: 'http://127.0.0.1:1/api/',
    COLT_CLIENT_ID: 'colt-client',
    COLT_CLIENT_SECRET: SECRETS.coltSecret,
    ENRICH: 'never',
    ...options.env,
  };
  const env = parseEnv(rawEnv);
  const logger = createSilentLogger();
  let rules: Pipeline['rules'] | null = null;
  const prom = createPromMetrics(storeGaugeReads({ db: store.db, clock, slaMs: env.ORDER_SLA, reconcile: env.RECONCILE, rules: () => rules?.() ?? null }));
  const pipeline =
    options.withPipeline === false ? null : await createPipeline({ env, rawEnv, store, clock, logger, metrics: prom.metrics });
  rules = pipeline?.rules ?? null;
  const writer = createCallbackWriter(store, { groupCommit: false });
  const app = createApp({
    env,
    store,
    writer,
    clock,
    logger,
    socketAddress: () => '127.0.0.1',
    ...(pipeline && { pipeline }),
    metrics: prom.metrics,
    renderMetrics: () => prom.render(),
    // The auth suites send hundreds of wrong tokens from one address on purpose; the
    // throttle itself is tested in test/security/login-throttle.security.test.ts.
    authThrottle: createAuthThrottle({ clock, maxFailures: Number.MAX_SAFE_INTEGER, failureDelayMs: 0 }),
  });
  const api: AdminHarness['api'] = (path, init = {}) => {
    const token = init.token === undefined ? ADMIN_TOKEN : init.token;
    const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const body = init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    return Promise.resolve(app.request(path, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, body }));
  };
  return {
    app,
    store,
    env,
    clock,
    pipeline,
    peer,
    prom,
    api,
    async json(path) {
      const res = await api(path);
      const text = await res.text();
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${text}`);
      return JSON.parse(text);
    },
    callback: async (body) =>
      app.request('/callbacks/colt', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${CALLBACK_TOKEN}` },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    async close() {
      await pipeline?.close();
      await writer.drain();
      await peer.close();
      if (!options.store) await store.close();
    },
  };
}

/** A flat Colt-style callback. */
export function flatCallback(orderId: string, status: string, extra: Record<string, unknown> = {}) {
  return { orderId, orderStatus: status, orderType: 'Number Activation', ...extra };
}
