/**
 * Workers-side helpers: each test file gets its own migrated database (from the Node-side
 * control server), calls the Worker's own `fetch` and `scheduled` handlers with explicit
 * bindings, and reads what the peers received.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { inject } from 'vitest';
import worker from '../../../../src/runtime/workers/worker.js';
import type { WorkerBindings } from '../../../../src/runtime/workers/env.js';
import { isStreamCancelled } from '../../../../src/runtime/workers/scope.js';
import { openPostgresStore, type Store } from '../../../../src/store/db.js';
import type { MailApiRequest } from './peers.js';

export const peers = inject('workersPeers');
/** False when TEST_DATABASE_URL is not set: global-setup.ts has said why (and fails in CI). */
export const hasDatabase = inject('workersDatabase');

export const CALLBACK_TOKEN = 'workers-test-callback-token-0123';
export const RELAY_URL = 'https://colt-relay.example.workers.dev';

/**
 * Every failed order to Slack and email, everything to the signed webhook. JSON, as
 * `colt-relay rules compile` writes it: the Worker has no YAML parser.
 */
export const TEST_RULES = JSON.stringify({
  channels: {
    downstream: { type: 'webhook', url: '${WEBHOOK_URL}', secret: '${WEBHOOK_SECRET}' },
    'ops-slack': { type: 'slack', channel: 'C0WORKERS' },
    'noc-email': { type: 'email', to: ['noc@example.com'] },
  },
  rules: [
    { name: 'everything-downstream', notify: ['downstream'] },
    { name: 'failures-to-ops', match: { status: 'failed' }, notify: ['ops-slack', 'noc-email'] },
  ],
});

/** Bindings as wrangler would pass them: vars and secrets are strings. */
export function testBindings(databaseUrl: string, extra: Record<string, string> = {}): WorkerBindings {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    CALLBACK_TOKEN,
    // The peers listen on 127.0.0.1.
    WEBHOOK_ALLOW_PRIVATE: 'true',
    RULES: TEST_RULES,
    WEBHOOK_URL: peers.webhookUrl,
    WEBHOOK_SECRET: peers.webhookSecret,
    SLACK_BOT_TOKEN: peers.slackToken,
    SLACK_API_URL: peers.slackApiUrl,
    MAIL_API_KEY: peers.mailApiKey,
    MAIL_API_URL: peers.mailApiUrl,
    MAIL_FROM: 'colt-relay <relay@example.com>',
    LOG_LEVEL: 'error',
    ...extra,
  };
}

async function control(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${peers.controlUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`control ${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** A migrated, empty database for this test file, and a store to look into it. */
export async function createTestDatabase(): Promise<{ url: string; store: Store; drop(): Promise<void> }> {
  const { url } = (await control('POST', '/databases')) as { url: string };
  const store = await openPostgresStore({ url, max: 1, fetchTypes: false });
  return {
    url,
    store,
    drop: async () => {
      await store.close().catch((err: unknown) => {
        if (!isStreamCancelled(err)) throw err;
      });
      await control('DELETE', `/databases?url=${encodeURIComponent(url)}`);
    },
  };
}

export interface WebhookReceived {
  webhookId: string | null;
  verified: boolean;
  verifyError?: string;
  payload?: { type: string; data: { orderId: string; eventId: string; status: string } };
  headers: Record<string, string>;
}

export interface PeerState {
  webhook: WebhookReceived[];
  slack: { calls: { method: string; args: Record<string, unknown> }[]; messages: { text: string; channel: string }[] };
  mail: MailApiRequest[];
}

export const peerState = () => control('GET', '/state') as Promise<PeerState>;

/** Scripts the webhook receiver's next answers (e.g. a 503 before a 200). */
export const scriptWebhook = (...responses: { status?: number; headers?: Record<string, string>; body?: string }[]) =>
  control('POST', '/webhook/respond', responses);

/** Calls the Worker's fetch handler and waits for its waitUntil work (fresh-event processing, closing). */
export async function callWorker(bindings: WorkerBindings, path: string, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`${RELAY_URL}${path}`, init), bindings, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** POSTs a callback the way Colt does. */
export function postCallback(bindings: WorkerBindings, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return callWorker(bindings, '/callbacks/colt', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${CALLBACK_TOKEN}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Runs the Cron Trigger's handler once. */
export async function runCron(bindings: WorkerBindings): Promise<void> {
  await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '* * * * *' }), bindings);
}

/** A unique order id per test, so files can share the peers. */
export const orderId = (label: string) => `IN-W-${label}-${Math.random().toString(36).slice(2, 8)}`;
