/**
 * Delivery throughput and latency on Postgres, with baselines from the same run.
 *
 *   npm run bench:deliver      # BENCH_DATABASE_URL or TEST_DATABASE_URL, else local Postgres
 *
 * 1. Throughput: N webhook deliveries drained from the outbox by one dispatcher to a local
 *    receiver, against N plain `fetch` POSTs from one process at concurrency 16; drained
 *    twice, by tick() until idle (the Workers cron) and by the start() loop (`serve`).
 * 2. Latency: callbacks posted to the receiver at a steady rate; time from the callback's
 *    POST to its webhook arriving downstream (the dispatcher is woken by the receiver).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import postgres from 'postgres';
import { createApp } from '../src/app.js';
import { parseEnv } from '../src/config/env.js';
import { systemClock } from '../src/lib/clock.js';
import { createSilentLogger } from '../src/lib/logger.js';
import { createPipeline } from '../src/pipeline.js';
import { openPostgresStore, type Store } from '../src/store/db.js';
import { createCallbackWriter } from '../src/store/ingest.js';
import { migrateStore } from '../src/store/migrate.js';

const BASE_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const N = Number(process.env.BENCH_DELIVERIES ?? 3000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 10);
const TOKEN = 'bench-token-0123456789abcdef';
const SECRET = `whsec_${Buffer.from('bench-secret-bench-secret-bench!').toString('base64')}`;

/** A downstream receiver that answers 200 at once and notes when each order arrived. */
async function startReceiver(): Promise<{ url: string; arrivals: Map<string, number>; count: () => number; close(): Promise<void> }> {
  const arrivals = new Map<string, number>();
  let count = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      count++;
      const match = /"orderId":"([^"]+)"/.exec(Buffer.concat(chunks).toString());
      if (match) arrivals.set(match[1]!, performance.now());
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    arrivals,
    count: () => count,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

async function createDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `colt_bench_${Date.now().toString(36)}`;
  const admin = postgres(BASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const u = new URL(BASE_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

async function relay(store: Store, hookUrl: string) {
  const rawEnv = {
    CALLBACK_TOKEN: TOKEN,
    LOG_LEVEL: 'silent',
    WEBHOOK_ALLOW_PRIVATE: 'true',
    BENCH_SECRET: SECRET,
    RULES: `channels:\n  oss: { type: webhook, url: ${hookUrl}, secret: \${BENCH_SECRET} }\nrules:\n  - name: all\n    notify: [oss]\n`,
  };
  const env = parseEnv(rawEnv);
  const logger = createSilentLogger();
  const pipeline = await createPipeline({ env, rawEnv, store, clock: systemClock, logger });
  const app = createApp({
    env,
    store,
    writer: createCallbackWriter(store),
    clock: systemClock,
    logger,
    socketAddress: () => '127.0.0.1',
    onStored: () => pipeline.dispatcher.wake(),
    pipeline,
  });
  return { pipeline, app };
}

const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function baselineFetch(url: string, n: number): Promise<number> {
  const body = JSON.stringify({ type: 'order.completed', timestamp: new Date().toISOString(), data: { orderId: 'BASE' } });
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < n) {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        await res.arrayBuffer();
      }
    }),
  );
  return n / ((performance.now() - started) / 1000);
}

async function enqueue(app: Awaited<ReturnType<typeof relay>>['app'], tag: string) {
  for (let i = 0; i < N; i += 500) {
    await Promise.all(
      Array.from({ length: Math.min(500, N - i) }, (_, j) =>
        app.request('/callbacks/colt', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
          body: JSON.stringify({ eventId: `${tag}-${i + j}`, orderId: `${tag.toUpperCase()}-${i + j}`, status: 'completed', orderType: 'Number Activation' }),
        }),
      ),
    );
  }
}

/**
 * Timed: one dispatcher drains N stored callbacks, routing each event and delivering its
 * webhook. `tick` drives tick() until idle (how the Workers cron sweeps); `loop` runs the
 * dispatcher as `serve` does (start(), woken once) until the receiver has them all.
 */
async function throughput(store: Store, hookUrl: string, receiver: { count: () => number }, mode: 'tick' | 'loop') {
  const { pipeline, app } = await relay(store, hookUrl);
  await enqueue(app, `thr-${mode}`);
  const before = receiver.count();
  const started = performance.now();
  if (mode === 'tick') {
    for (;;) {
      const r = await pipeline.dispatcher.tick();
      if (r.idle) break;
    }
  } else {
    pipeline.dispatcher.start();
    pipeline.dispatcher.wake();
    const deadline = started + 120_000;
    while (receiver.count() - before < N && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  }
  const seconds = (performance.now() - started) / 1000;
  await pipeline.close();
  return { rate: (receiver.count() - before) / seconds, delivered: receiver.count() - before };
}

async function latency(store: Store, receiver: { url: string; arrivals: Map<string, number> }) {
  const { pipeline, app } = await relay(store, receiver.url);
  pipeline.dispatcher.start();
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as AddressInfo).port;
  const sent = new Map<string, number>();
  const total = RATE * LATENCY_SECONDS;
  const started = performance.now();
  const posts: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const orderId = `LAT-${i}`;
    sent.set(orderId, performance.now());
    posts.push(
      fetch(`http://127.0.0.1:${port}/callbacks/colt`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ eventId: `lat-${i}`, orderId, status: 'completed', orderType: 'Number Activation' }),
      }).then((r) => r.arrayBuffer()),
    );
  }
  await Promise.all(posts);
  const deadline = performance.now() + 30_000;
  while ([...sent.keys()].some((id) => !receiver.arrivals.has(id)) && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise<void>((r) => server.close(() => r()));
  await pipeline.close();
  const latencies = [...sent].filter(([id]) => receiver.arrivals.has(id)).map(([id, t]) => receiver.arrivals.get(id)! - t);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), delivered: latencies.length, sent: total };
}

async function main() {
  const db = await createDatabase();
  const receiver = await startReceiver();
  const store = await openPostgresStore({ url: db.url, max: 10 });
  try {
    await migrateStore(store);
    const base = await baselineFetch(receiver.url, N);
    const thr = await throughput(store, receiver.url, receiver, 'tick');
    const loop = await throughput(store, receiver.url, receiver, 'loop');
    const lat = await latency(store, receiver);
    console.log(`\ndeliver: ${N} webhook deliveries, concurrency ${CONCURRENCY} (baseline) / dispatcher defaults; Postgres`);
    console.table([
      { measure: 'plain fetch POSTs/s (baseline)', value: base.toFixed(0) },
      { measure: 'outbox deliveries/s (one dispatcher: route + send, tick() drain)', value: thr.rate.toFixed(0) },
      { measure: 'ratio outbox (tick) / plain fetch', value: (thr.rate / base).toFixed(2) },
      { measure: 'outbox deliveries/s (one dispatcher: route + send, start() loop)', value: loop.rate.toFixed(0) },
      { measure: 'ratio outbox (loop) / plain fetch', value: (loop.rate / base).toFixed(2) },
      { measure: 'delivered tick / loop', value: `${thr.delivered} / ${loop.delivered} of ${N}` },
      { measure: `callback → webhook p50 ms @ ${RATE}/s`, value: lat.p50.toFixed(1) },
      { measure: `callback → webhook p99 ms @ ${RATE}/s`, value: lat.p99.toFixed(1) },
      { measure: 'latency run delivered / sent', value: `${lat.delivered} / ${lat.sent}` },
    ]);
  } finally {
    await store.close();
    await receiver.close();
    await db.drop();
  }
}

await main();
