/**
 * Refusal flood: a legitimate callback's latency while 50 connections post unauthenticated
 * callbacks as fast as they can, against the same latency with no flood, in the same run,
 * against the real relay (`colt-relay serve` on a throwaway Postgres database).
 *
 *   npm run bench:flood                  # BENCH_DATABASE_URL or TEST_DATABASE_URL, else local Postgres
 *   BENCH_SECONDS=10 npm run bench:flood
 *
 * The probe sends one authenticated callback (a new order each time) every PROBE_EVERY_MS,
 * one at a time; the table shows its p50/p99 in each phase and the ratio flood / quiet
 * (target ≤ 2). After the relay stops, the audit must hold every refusal: the sum of the
 * counts in callback_refusals equals the 401 answers the flood got, in a handful of rows.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { createBenchDatabase } from './support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const PROBE_EVERY_MS = Number(process.env.BENCH_PROBE_EVERY_MS ?? 20);
const TOKEN = 'bench-flood-token-0123456789abcdef';
const BIN = fileURLToPath(new URL('../bin/colt-relay.mjs', import.meta.url));

interface ProbeResult {
  requests: number;
  failures: number;
  p50: number;
  p99: number;
}

interface FloodResult {
  rps: number;
  requests: number;
  unauthorized: number;
  errors: number;
}

function startRelay(url: string): Promise<{ port: number; child: ChildProcess }> {
  const env = { ...process.env, DATABASE_URL: url, PORT: '0', HOST: '127.0.0.1', CALLBACK_TOKEN: TOKEN, LOG_LEVEL: 'info' };
  const child = spawn(process.execPath, [BIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`relay exited with ${code}`)));
    let seen = '';
    let found = false;
    child.stdout!.on('data', (data: Buffer) => {
      // Keep reading (the relay logs every flush and delivery); look for the port once.
      if (found) return;
      seen += data.toString();
      const match = /"port":(\d+)[^\n]*"msg":"listening"/.exec(seen);
      if (match) {
        found = true;
        resolve({ port: Number(match[1]), child });
      }
    });
  });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

let probeSequence = 0;
/** One authenticated callback at a time, every PROBE_EVERY_MS, for `seconds`. */
async function probe(port: number, seconds: number): Promise<ProbeResult> {
  const latencies: number[] = [];
  let failures = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const n = ++probeSequence;
    const started = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/callbacks/colt`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ eventId: `probe-${process.pid}-${n}`, orderId: `IN-ORD-PROBE-${n}`, orderType: 'Number Activation', status: 'raised' }),
    }).catch(() => null);
    if (res) await res.arrayBuffer();
    if (res?.status === 200) latencies.push(performance.now() - started);
    else failures++;
    const wait = started + PROBE_EVERY_MS - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  latencies.sort((a, b) => a - b);
  return { requests: latencies.length + failures, failures, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/** 50 connections of unauthenticated callbacks for `seconds`. */
function flood(port: number, seconds: number): Promise<FloodResult> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `http://127.0.0.1:${port}/callbacks/colt`,
        connections: CONNECTIONS,
        duration: seconds,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer guessed-wrong-token' },
        body: JSON.stringify({ orderId: 'IN-ORD-FLOOD', status: 'raised' }),
      },
      (error, r) => {
        if (error) return reject(error);
        resolve({ rps: r.requests.average, requests: r.requests.total, unauthorized: r.statusCodeStats?.['401']?.count ?? 0, errors: r.errors + r.timeouts });
      },
    );
  });
}

async function stopRelay(child: ChildProcess): Promise<void> {
  child.removeAllListeners('exit');
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function main(): Promise<void> {
  const db = await createBenchDatabase();
  const { port, child } = await startRelay(db.url);
  let quiet: ProbeResult;
  let loud: ProbeResult;
  let attack: FloodResult;
  try {
    await probe(port, 2); // warm-up: JIT, pool connections
    quiet = await probe(port, SECONDS);
    console.error(`quiet: p50 ${quiet.p50.toFixed(1)} ms p99 ${quiet.p99.toFixed(1)} ms (${quiet.requests} callbacks)`);
    // The probe starts once the flood is under way and stops before it ends.
    const attacking = flood(port, SECONDS + 2);
    await new Promise((r) => setTimeout(r, 1000));
    loud = await probe(port, SECONDS);
    attack = await attacking;
    console.error(`flood: p50 ${loud.p50.toFixed(1)} ms p99 ${loud.p99.toFixed(1)} ms (${loud.requests} callbacks), ${attack.rps.toFixed(0)} refused req/s`);
  } finally {
    await stopRelay(child); // flushes the refusal counts
  }
  const sql = postgres(db.url, { max: 1, onnotice: () => {} });
  const [audit] = await sql<{ rows: string; counted: string }[]>`select count(*)::text as rows, coalesce(sum(count), 0)::text as counted from callback_refusals`;
  await sql.end();
  await db.drop();

  console.log(`\nflood: ${CONNECTIONS} unauthenticated connections, probe every ${PROBE_EVERY_MS} ms for ${SECONDS} s per phase, Postgres`);
  console.table([
    { phase: 'no flood', 'probe p50 ms': quiet.p50.toFixed(1), 'probe p99 ms': quiet.p99.toFixed(1), probes: quiet.requests, 'probe failures': quiet.failures, 'flood req/s': 0 },
    { phase: 'flood', 'probe p50 ms': loud.p50.toFixed(1), 'probe p99 ms': loud.p99.toFixed(1), probes: loud.requests, 'probe failures': loud.failures, 'flood req/s': attack.rps.toFixed(0) },
  ]);
  console.log(`ratio p99 flood / no flood: ${(loud.p99 / quiet.p99).toFixed(2)} (target ≤ 2)`);
  console.log(
    `audit: ${attack.unauthorized} refused requests (${attack.errors} client errors) → ${audit!.rows} callback_refusals rows counting ${audit!.counted}`,
  );
}

await main();
