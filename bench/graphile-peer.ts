/**
 * The peer of bench/peer.bench.ts: colt-relay's job as a skilled user would build it from
 * well-known parts. Hono on @hono/node-server receives `POST /callbacks/colt`; postgres.js
 * (a pool of 10) stores the raw callback once in the peer's own table and, in the same
 * transaction, queues its delivery with graphile-worker's `add_job` (a transactional
 * outbox: the job exists exactly when the callback does). A graphile-worker runner in the
 * same process (10 jobs at once, woken by LISTEN/NOTIFY, claiming with SKIP LOCKED) loads the
 * callback and POSTs a Standard Webhooks-signed webhook; a failed POST throws, and
 * graphile-worker retries it with its exponential backoff.
 *
 *   DATABASE_URL=… WEBHOOK_URL=… WEBHOOK_SECRET=whsec_… CALLBACK_TOKEN=… node --import tsx bench/graphile-peer.ts
 *   GRAPHILE_BATCHING=off …      # graphile-worker's defaults: no local queue, no batched completions
 *
 * Sends `{ port }` over IPC once it listens and graphile-worker LISTENs; SIGTERM stops it.
 */
import { createHash } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { serve } from '@hono/node-server';
import { run, type Task, type WorkerEvents } from 'graphile-worker';
import { Hono } from 'hono';
import postgres from 'postgres';
import { Webhook } from 'standardwebhooks';

const env = process.env;
const DATABASE_URL = env.DATABASE_URL ?? '';
const WEBHOOK_URL = env.WEBHOOK_URL ?? '';
const WEBHOOK_SECRET = env.WEBHOOK_SECRET ?? '';
const TOKEN = env.CALLBACK_TOKEN ?? '';
if (!DATABASE_URL || !WEBHOOK_URL || !WEBHOOK_SECRET || !TOKEN) {
  throw new Error('graphile-peer: DATABASE_URL, WEBHOOK_URL, WEBHOOK_SECRET and CALLBACK_TOKEN are required');
}
const BATCHING = env.GRAPHILE_BATCHING !== 'off';

/** Jobs run at once. graphile-worker advises a pool of max(10, concurrency + 2). */
const CONCURRENT_JOBS = 10;
/** The timeout a careful user sets on a downstream POST (the relay's default too). */
const WEBHOOK_TIMEOUT_MS = 15_000;

const sql = postgres(DATABASE_URL, { max: 10, onnotice: () => {} });
await sql`
  create table if not exists peer_callbacks (
    id bigserial primary key,
    dedupe_key text not null unique,
    order_id text not null,
    status text not null,
    body jsonb not null,
    received_at timestamptz not null default now()
  )`;

interface StoredCallback {
  id: string;
  order_id: string;
  status: string;
  body: unknown;
  received_at: Date;
}

const signer = new Webhook(WEBHOOK_SECRET);

/** Loads the stored callback, signs its webhook and POSTs it; throws to have the job retried. */
const deliver: Task = async (payload, helpers) => {
  const { eventId } = payload as { eventId: number };
  const { rows } = await helpers.query<StoredCallback>(
    'select id::text, order_id, status, body, received_at from peer_callbacks where id = $1',
    [eventId],
  );
  const event = rows[0];
  if (!event) throw new Error(`callback ${eventId} is not stored`);
  const now = new Date();
  const body = JSON.stringify({
    type: `order.${event.status}`,
    timestamp: now.toISOString(),
    data: {
      eventId: event.id,
      orderId: event.order_id,
      status: event.status,
      receivedAt: event.received_at.toISOString(),
      payload: event.body,
    },
  });
  // The same id on every attempt, so the receiver can drop a retry it already processed.
  const id = `msg_${event.id}`;
  const response = await fetch(WEBHOOK_URL, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signer.sign(id, now, body),
    },
    body,
    signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
  });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`webhook answered HTTP ${response.status}`);
};

const events: WorkerEvents = new EventEmitter() as WorkerEvents;
const listening = once(events, 'pool:listen:success');
// graphile-worker's documented settings: prepared statements on, the default poll (it only
// finds retries; new jobs arrive by NOTIFY), and its starting point for busy queues.
const runner = await run({
  taskList: { deliver },
  noHandleSignals: true,
  preset: {
    worker: {
      connectionString: DATABASE_URL,
      concurrentJobs: CONCURRENT_JOBS,
      maxPoolSize: Math.max(10, CONCURRENT_JOBS + 2),
      pollInterval: 2000,
      preparedStatements: true,
      events,
      ...(BATCHING && { localQueue: { size: CONCURRENT_JOBS + 1 }, completeJobBatchDelay: 25, failJobBatchDelay: 25 }),
    },
  },
});
await listening;

/** The sender's event id when there is one, else a hash of the body: a re-sent callback is stored once. */
function dedupeKey(body: Record<string, unknown>, raw: string): string {
  const eventId = body.eventId;
  if (typeof eventId === 'string' && eventId !== '') return `event:${eventId}`;
  return `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

const app = new Hono();
app.post('/callbacks/colt', async (c) => {
  if (c.req.header('authorization') !== `Bearer ${TOKEN}`) return c.json({ error: 'unauthorized' }, 401);
  const raw = await c.req.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return c.json({ error: 'invalid JSON' }, 400);
  }
  const orderId = body.orderId ?? body.orderID;
  if (typeof orderId !== 'string' || orderId === '') return c.json({ error: 'orderId missing' }, 400);
  const status = String(body.status ?? body.orderStatus ?? 'unknown').toLowerCase().replace(/\s+/g, '_');
  const stored = await sql.begin(async (tx) => {
    const [row] = await tx<{ id: string }[]>`
      insert into peer_callbacks (dedupe_key, order_id, status, body)
      values (${dedupeKey(body, raw)}, ${orderId}, ${status}, ${tx.json(body as postgres.JSONValue)})
      on conflict (dedupe_key) do nothing
      returning id`;
    if (row) await tx`select graphile_worker.add_job('deliver', json_build_object('eventId', ${row.id}::bigint))`;
    return row;
  });
  return c.json({ status: 'accepted', duplicate: !stored });
});

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.send?.({ port: info.port });
});
process.on('SIGTERM', () => {
  server.close();
  void runner
    .stop()
    .then(() => sql.end())
    .then(() => process.exit(0));
});
