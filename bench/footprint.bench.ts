/**
 * Footprint of the compiled `colt-relay serve` process: time from spawn to `/readyz` 200, and
 * its resident memory (VmRSS) at ready and after 10,000 callbacks (all delivered by the
 * dispatcher), on Postgres and on PGlite (first start on an empty folder, then a restart on it).
 *
 *   npm run build && npm run bench:footprint   # BENCH_DATABASE_URL or TEST_DATABASE_URL, else local Postgres
 *   BENCH_CALLBACKS=2000 npm run bench:footprint
 *
 * Linux only (reads /proc/<pid>/status). Targets (docs/design.md#runtime-and-packaging): Postgres ≤ 100 MB at
 * ready, ≤ 130 MB after the load, ready ≤ 1 s; PGlite ≤ 300 MB, ready ≤ 2 s on an existing folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { assertBuilt, BENCH_TOKEN, memoryOf, startRelay, type RelayProcess } from './relay-process.js';
import { createBenchDatabase } from './support.js';

const CALLBACKS = Number(process.env.BENCH_CALLBACKS ?? 10_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
/** Longest wait for the dispatcher to log every notification after the load. */
const DRAIN_TIMEOUT_MS = 180_000;

interface Row {
  store: string;
  'ready ms': number;
  'RSS ready MB': number;
  [key: `RSS after ${string}`]: number;
  'peak RSS MB': number;
  'load s': number;
  errors: number;
}

let sequence = 0;
/** Sends CALLBACKS callbacks at CONNECTIONS in flight; errors (transport or non-2xx). */
async function sendCallbacks(port: number): Promise<{ seconds: number; errors: number }> {
  const started = performance.now();
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/callbacks/colt`,
    connections: CONNECTIONS,
    amount: CALLBACKS,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_TOKEN}` },
    requests: [
      {
        setupRequest: (req) => {
          const n = ++sequence;
          const body = { eventId: `footprint-${process.pid}-${n}`, eventTime: new Date().toISOString(), orderId: `IN-ORD-${n % 500}`, status: 'raised' };
          return { ...req, body: JSON.stringify({ ...body, orderType: 'Number Activation' }) };
        },
      },
    ],
  });
  return { seconds: (performance.now() - started) / 1000, errors: result.errors + result.timeouts + result.non2xx };
}

/** Waits until the relay's log holds `count` notification lines (the built-in log rule's deliveries). */
async function waitForNotifications(relay: RelayProcess, count: number): Promise<void> {
  const started = performance.now();
  for (;;) {
    const logged = relay.log().split('"msg":"notification"').length - 1;
    if (logged >= count) return;
    if (performance.now() - started > DRAIN_TIMEOUT_MS) throw new Error(`only ${logged} of ${count} callbacks were delivered`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** One start: ready time and RSS at ready; with `load`, RSS once 10,000 callbacks are delivered. */
async function measure(store: string, env: Record<string, string>, load: boolean): Promise<Row> {
  const relay = await startRelay({ env });
  try {
    const ready = memoryOf(relay.pid);
    const row: Row = { store, 'ready ms': Math.round(relay.readyMs), 'RSS ready MB': Math.round(ready.rssMb), 'peak RSS MB': 0, 'load s': 0, errors: 0 };
    if (load) {
      const sent = await sendCallbacks(relay.port);
      await waitForNotifications(relay, CALLBACKS - sent.errors);
      row[`RSS after ${CALLBACKS}`] = Math.round(memoryOf(relay.pid).rssMb);
      row['load s'] = Number(sent.seconds.toFixed(1));
      row.errors = sent.errors;
    }
    row['peak RSS MB'] = Math.round(memoryOf(relay.pid).peakMb);
    return row;
  } finally {
    await relay.stop();
  }
}

async function main(): Promise<void> {
  assertBuilt();
  const rows: Row[] = [];
  const db = await createBenchDatabase({ migrate: false });
  try {
    rows.push(await measure('postgres, empty database', { DATABASE_URL: db.url }, false));
    rows.push(await measure('postgres, restart', { DATABASE_URL: db.url }, true));
  } finally {
    await db.drop();
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'colt-relay-footprint-'));
  try {
    rows.push(await measure('pglite, empty folder', { DATA_DIR: dataDir }, true));
    rows.push(await measure('pglite, restart', { DATA_DIR: dataDir }, true));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`\nfootprint of \`colt-relay serve\` (compiled), ${CALLBACKS} callbacks at ${CONNECTIONS} connections, built-in log rule`);
  console.table(rows);
  console.log('targets: postgres ready ≤ 1000 ms, RSS ≤ 100 MB at ready, ≤ 130 MB after the load; pglite RSS ≤ 300 MB, ready ≤ 2000 ms on restart');
}

await main();
