/**
 * Time of the receiver's batch statement alone, by batch size (no HTTP): shows what a
 * group-committed batch costs Postgres. `tsx bench/ingest-statement.bench.ts`
 */
import { newId } from '../src/lib/ids.js';
import { openPostgresStore } from '../src/store/db.js';
import { insertCallbacks, type NewCallback } from '../src/store/events.repo.js';
import { createBenchDatabase } from './support.js';

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

const db = await createBenchDatabase();
const store = await openPostgresStore({ url: db.url, max: 1 });
try {
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
  await db.drop();
}
