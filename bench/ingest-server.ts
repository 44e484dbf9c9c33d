/**
 * One receiver for bench/ingest.bench.ts, in its own process so the load generator does
 * not share its event loop. `naive`: one transaction per request (event row + outbox row
 * through postgres.js). `relay`: colt-relay's receiver with group commit.
 * Prints `PORT <n>` once listening.
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import postgres from 'postgres';
import { createApp } from '../src/app.js';
import { parseEnv } from '../src/config/env.js';
import { systemClock } from '../src/lib/clock.js';
import { newId } from '../src/lib/ids.js';
import { createSilentLogger } from '../src/lib/logger.js';
import { openPostgresStore } from '../src/store/db.js';
import { createCallbackWriter } from '../src/store/ingest.js';

const [variant, url] = process.argv.slice(2);
const TOKEN = 'bench-token-0123456789abcdef';
const POOL = 10;

async function naiveApp(): Promise<Hono> {
  const sql = postgres(url!, { max: POOL, onnotice: () => {} });
  const app = new Hono();
  app.post('/callbacks/colt', async (c) => {
    if (c.req.header('authorization') !== `Bearer ${TOKEN}`) return c.json({ error: 'unauthorized' }, 401);
    const text = await c.req.text();
    const body = JSON.parse(text) as { eventId: string; orderId: string; status: string };
    const id = newId();
    const now = new Date();
    const stored = await sql.begin(async (tx) => {
      const rows = await tx`
        insert into callback_events (id, dedupe_key, order_id, status, raw_status, order_type, number_type, numbers,
          occurred_at, received_at, raw_body, payload, headers)
        values (${id}, ${'event:' + body.eventId}, ${body.orderId}, 'raised', ${body.status}, 'unknown', 'unknown', '[]',
          ${now}, ${now}, ${text}, ${tx.json(body)}, '{}')
        on conflict (dedupe_key) do nothing returning id`;
      if (rows.length > 0) await tx`insert into event_work (event_id, due_at) values (${id}, ${now})`;
      return rows.length > 0;
    });
    return c.json({ status: 'accepted', id, duplicate: !stored });
  });
  return app;
}

let flushes = 0;
let items = 0;
let flushMs = 0;

async function relayApp(): Promise<Hono> {
  const store = await openPostgresStore({ url: url!, max: POOL });
  const env = parseEnv({ CALLBACK_TOKEN: TOKEN, LOG_LEVEL: 'silent' });
  return createApp({
    env,
    store,
    writer: createCallbackWriter(store, {
      ...(process.env.BENCH_FLUSHES && { maxConcurrent: Number(process.env.BENCH_FLUSHES) }),
      onFlush: (size, ms) => {
        flushes++;
        items += size;
        flushMs += ms;
      },
    }),
    clock: systemClock,
    logger: createSilentLogger(),
    socketAddress: () => '127.0.0.1',
  });
}

const app = variant === 'naive' ? await naiveApp() : await relayApp();
const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  process.stdout.write(`PORT ${info.port}\n`);
});
process.on('SIGTERM', () => {
  if (flushes > 0) {
    process.stderr.write(`  relay: ${flushes} batches, ${(items / flushes).toFixed(1)} callbacks/batch, ${(flushMs / flushes).toFixed(1)} ms/batch\n`);
  }
  server.close(() => process.exit(0));
});
