/**
 * The dashboard over a real store and the real pipeline, driven with `app.request()`: a
 * browser-like client (cookie jar, CSRF token read from the page), a webhook peer that
 * answers as scripted, and a manual clock the dispatcher's `tick()` runs on.
 */
import type { Hono } from 'hono';
import { createApp } from '../../../src/app.js';
import { parseEnv } from '../../../src/config/env.js';
import { createManualClock, type ManualClock } from '../../../src/lib/clock.js';
import { createSilentLogger } from '../../../src/lib/logger.js';
import { createPipeline, type Pipeline } from '../../../src/pipeline.js';
import type { StoreKind } from '../../../src/store/db.js';
import { createCallbackWriter, type CallbackWriter } from '../../../src/store/ingest.js';
import { startWebhookPeer, type WebhookPeer } from '../../support/webhook-peer.js';
import { createTestStore, type TestStore } from '../../support/store.js';

export const ADMIN_TOKEN = 'dashboard-admin-token-7f3a9c2e5b';
export const CALLBACK_TOKEN = 'dashboard-callback-token-0c9d8e';
export const WEBHOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** Every secret the harness configures: none may appear in any page. */
export const SECRETS = {
  ADMIN_TOKEN,
  CALLBACK_TOKEN,
  WEBHOOK_SECRET,
  SLACK_BOT_TOKEN: 'xoxb-dashboard-slack-secret-4411',
  SMTP_PASSWORD: 'smtp-pass-ZX81-secret',
  COLT_CLIENT_SECRET: 'colt-client-secret-9911aa',
  WEBHOOK_HEADER: 'Bearer downstream-header-secret-55',
  CREDENTIAL_URL_PASSWORD: 'url-pass-secret-77',
  URL_QUERY_TOKEN: 'query-token-secret-88',
};

/** oss (webhook to the peer) gets failures; every event goes to the log; the rest hold secrets. */
export function rulesYaml(peerUrl: string): string {
  return `
channels:
  oss: { type: webhook, url: "${peerUrl}", secret: ${WEBHOOK_SECRET}, headers: { Authorization: "${SECRETS.WEBHOOK_HEADER}" } }
  partner: { type: webhook, url: "https://bob:${SECRETS.CREDENTIAL_URL_PASSWORD}@partner.example.com/in?token=${SECRETS.URL_QUERY_TOKEN}", secret: ${WEBHOOK_SECRET} }
  ops-slack: { type: slack, channel: C0123456789 }
  noc-email: { type: email, to: [noc@example.com] }
  console: { type: log }
rules:
  - name: failures-to-oss
    match: { status: failed }
    notify: [oss]
  - name: address-updates
    match: { orderType: address_update }
    notify: [partner, ops-slack, noc-email]
  - name: everything-to-log
    notify: [console]
`;
}

export interface DashboardHarness {
  app: Hono;
  store: TestStore;
  pipeline: Pipeline;
  clock: ManualClock;
  peer: WebhookPeer;
  writer: CallbackWriter;
  /** Posts a callback as Colt would; returns the stored event id. */
  callback(body: unknown): Promise<string>;
  close(): Promise<void>;
}

export interface DashboardHarnessOptions {
  /** ADMIN_TOKEN; null leaves it unset. @default ADMIN_TOKEN */
  adminToken?: string | null;
  /** The rules, given the webhook peer's URL. @default rulesYaml */
  rules?: (peerUrl: string) => string;
  /** More environment, over the harness's (e.g. SLACK_API_URL of a Slack stand-in). */
  env?: Record<string, string>;
}

export async function createDashboardHarness(kind: StoreKind, options: DashboardHarnessOptions = {}): Promise<DashboardHarness> {
  const peer = await startWebhookPeer(WEBHOOK_SECRET);
  const rawEnv: Record<string, string> = {
    CALLBACK_TOKEN,
    LOG_LEVEL: 'silent',
    WEBHOOK_ALLOW_PRIVATE: 'true',
    RULES: (options.rules ?? rulesYaml)(peer.url),
    SLACK_BOT_TOKEN: SECRETS.SLACK_BOT_TOKEN,
    SMTP_URL: `smtp://relay:${SECRETS.SMTP_PASSWORD}@127.0.0.1:2525`,
    MAIL_FROM: 'relay@example.com',
    COLT_CLIENT_ID: 'colt-client',
    COLT_CLIENT_SECRET: SECRETS.COLT_CLIENT_SECRET,
    ENRICH: 'never',
    ...(options.adminToken !== null && { ADMIN_TOKEN: options.adminToken ?? ADMIN_TOKEN }),
    ...options.env,
  };
  const env = parseEnv(rawEnv);
  const store = await createTestStore(kind);
  // Real time at the start, so the peer's signature check (5 min tolerance) passes.
  const clock = createManualClock(Date.now());
  const logger = createSilentLogger();
  const pipeline = await createPipeline({ env, rawEnv, store, clock, logger });
  const writer = createCallbackWriter(store);
  const app = createApp({ env, store, writer, clock, logger, socketAddress: () => '127.0.0.1', pipeline });
  return {
    app,
    store,
    pipeline,
    clock,
    peer,
    writer,
    async callback(body) {
      const res = await app.request('/callbacks/colt', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${CALLBACK_TOKEN}` },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      if (res.status !== 200) throw new Error(`callback refused: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { id: string }).id;
    },
    async close() {
      await writer.drain();
      await pipeline.close();
      await store.close();
      await peer.close();
    },
  };
}

/** A browser stand-in: keeps cookies, reads the CSRF token from the last page. */
export interface Browser {
  cookies: Map<string, string>;
  get(path: string, headers?: Record<string, string>): Promise<Response>;
  /** Posts a form (pairs for a field given twice); `_csrf` is taken from the last page unless given. */
  post(path: string, form: Record<string, string> | [string, string][], headers?: Record<string, string>): Promise<Response>;
  /** GET and return the body (asserting 200). */
  page(path: string): Promise<string>;
  /** Logs in through the form with `token`. */
  login(token?: string): Promise<Response>;
  lastCsrf: string | undefined;
}

export function csrfOf(html: string): string | undefined {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
}

export function createBrowser(app: Hono, base = 'http://localhost'): Browser {
  const cookies = new Map<string, string>();
  const remember = (res: Response) => {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      if (/max-age=0/i.test(line) || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
  };
  const cookieHeader = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const browser: Browser = {
    cookies,
    lastCsrf: undefined,
    async get(path, headers = {}) {
      const res = await app.request(`${base}${path}`, { headers: { cookie: cookieHeader(), ...headers } });
      remember(res);
      return res;
    },
    async post(path, form, headers = {}) {
      const pairs = Array.isArray(form) ? form : Object.entries(form);
      const body = new URLSearchParams(pairs.some(([k]) => k === '_csrf') ? pairs : [['_csrf', browser.lastCsrf ?? ''], ...pairs]);
      const res = await app.request(`${base}${path}`, {
        method: 'POST',
        headers: { cookie: cookieHeader(), 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: body.toString(),
      });
      remember(res);
      return res;
    },
    async page(path) {
      const res = await browser.get(path);
      const html = await res.text();
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${html.slice(0, 300)}`);
      browser.lastCsrf = csrfOf(html) ?? browser.lastCsrf;
      return html;
    },
    async login(token = ADMIN_TOKEN) {
      const form = await browser.get('/login');
      browser.lastCsrf = csrfOf(await form.text());
      return browser.post('/login', { token, next: '/' });
    },
  };
  return browser;
}
