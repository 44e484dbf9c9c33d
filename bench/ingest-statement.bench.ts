/**
 * Time of the receiver's batch statement alone, by batch size (no HTTP): shows what a
 * group-committed batch costs Postgres. `tsx bench/ingest-statement.bench.ts`
 */
import postgres from 'postgres';
import { newId } from '../src/lib/ids.js';
import { openPostgresStore } from '../src/store/db.js';
import { insertCallbacks, type NewCallback } from '../src/store/events.repo.js';
import { migrateStore } from '../src/store/migrate.js';

const BASE_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
let seq = 0;
function callback(): NewCallback {
  const n = ++seq;
  const body = { eventId: `s-${n}`, orderId: `IN-ORD-${n % 500}`, status: 'raised', orderType: 'Number Activation' };
  return {
    id: newId(),
    dedupeKey: `event:s-${n}`,
    fields: { orderId: body.orderId, status: 'raised', rawStatus: 'raised', orderType: 'activation', numberType: 'unknown', customerRef: null, numbers: [], occurredAt: null },
    receivedAt: new Date(),
    rawBody: JSON.stringify(body),
    payload: body,
    headers: { 'content-type': 'application/json' },
    remoteAddr: '127.0.0.1',
  };
}

const name = `colt_bench_${Date.now().toString(36)}`;
const admin = postgres(BASE_URL, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database ${name}`);
const u = new URL(BASE_URL);
u.pathname = `/${name}`;
const store = await openPostgresStore({ url: u.toString(), max: 1 });
try {
  await migrateStore(store);
  const rows = [];
  for (const size of [1, 5, 20, 50, 100]) {
    const times: number[] = [];
    for (let i = 0; i < 60; i++) {
      const batch = Array.from({ length: size }, callback);
      const t = performance.now();
      await insertCallbacks(store.db, batch);
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const median = times[30]!;
    rows.push({ batch: size, 'median ms': median.toFixed(2), 'µs per callback': ((median * 1000) / size).toFixed(0) });
  }
  console.table(rows);
} finally {
  await store.close();
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.end();
}
