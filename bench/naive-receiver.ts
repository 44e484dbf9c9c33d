/**
 * The baseline of bench/ingest.bench.ts: the callback receiver a user writes in an afternoon.
 * Hono on @hono/node-server, postgres.js with a pool of 10, one transaction per request that
 * inserts an event row and an outbox row into its own minimal tables. No batching, no tricks.
 *
 *   node --import tsx bench/naive-receiver.ts <postgres-url>     # prints `PORT <n>`
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import postgres from 'postgres';

const url = process.argv[2];
if (!url) throw new Error('usage: naive-receiver.ts <postgres-url>');
const TOKEN = process.env.CALLBACK_TOKEN ?? '';

const sql = postgres(url, { max: 10, onnotice: () => {} });
await sql`
  create table if not exists naive_events (
    id bigserial primary key,
    event_id text not null unique,
    order_id text not null,
    status text not null,
    body jsonb not null,
    received_at timestamptz not null default now()
  )`;
await sql`
  create table if not exists naive_outbox (
    id bigserial primary key,
    event_id bigint not null references naive_events (id),
    created_at timestamptz not null default now(),
    sent_at timestamptz
  )`;

const app = new Hono();
app.post('/callbacks/colt', async (c) => {
  if (c.req.header('authorization') !== `Bearer ${TOKEN}`) return c.json({ error: 'unauthorized' }, 401);
  const body = await c.req.json<{ eventId?: string; orderId?: string; status?: string }>().catch(() => null);
  if (!body?.eventId || !body.orderId || !body.status) return c.json({ error: 'invalid payload' }, 400);
  const { eventId, orderId, status } = body;
  const duplicate = await sql.begin(async (tx) => {
    const [row] = await tx<{ id: string }[]>`
      insert into naive_events (event_id, order_id, status, body)
      values (${eventId}, ${orderId}, ${status}, ${tx.json(body)})
      on conflict (event_id) do nothing
      returning id`;
    if (row) await tx`insert into naive_outbox (event_id) values (${row.id})`;
    return !row;
  });
  return c.json({ status: 'accepted', duplicate });
});

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`PORT ${info.port}\n`);
});
process.on('SIGTERM', () => server.close(() => void sql.end().then(() => process.exit(0))));
