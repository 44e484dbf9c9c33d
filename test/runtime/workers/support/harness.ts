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
import { CALLBACK_TOKEN, peerBindings } from './bindings.js';
import type { MailApiRequest } from './peers.js';

export const peers = inject('workersPeers');
/** False when TEST_DATABASE_URL is not set: global-setup.ts has said why (and fails in CI). */
export const hasDatabase = inject('workersDatabase');

export { CALLBACK_TOKEN, TEST_RULES } from './bindings.js';
export const RELAY_URL = 'https://colt-relay.example.workers.dev';

/** Bindings as wrangler would pass them (vars and secrets are strings), without a queue: the cron finds due work. */
export function testBindings(databaseUrl: string, extra: Record<string, string> = {}): WorkerBindings {
  return { ...peerBindings(peers, databaseUrl), ...extra };
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

/** A URL to `databaseUrl` through a proxy that counts connections, and how to read the count. */
export async function countingProxy(databaseUrl: string): Promise<{ url: string; connections(): Promise<number> }> {
  const { url } = (await control('POST', '/proxies', { url: databaseUrl })) as { url: string };
  return { url, connections: async () => ((await control('GET', `/proxies?url=${encodeURIComponent(url)}`)) as { connections: number }).connections };
}

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
