/**
 * Refusal flood: a legitimate callback's latency while 50 connections post unauthenticated
 * callbacks as fast as they can, against the same latency with no flood, in the same run,
 * against the real relay (`colt-relay serve` on a throwaway Postgres database).
 *
 *   npm run bench:flood                  # BENCH_DATABASE_URL or TEST_DATABASE_URL, else local Postgres
 *   BENCH_SECONDS=5 BENCH_ROUNDS=2 npm run bench:flood
 *
 * The probe sends one authenticated callback (a new order each time) every PROBE_EVERY_MS,
 * one at a time, from this process; the flood runs in its own process (autocannon's CLI) so
 * that its load does not delay the probe's own event loop. Rounds alternate quiet and flood
 * phases, so both see the same background noise; the table pools each phase's latencies
 * and shows p50/p99 and the ratio flood / quiet (target ≤ 2). After the relay stops, the audit must hold every refusal: the sum of the
 * counts in callback_refusals equals the 401 answers the flood got, in a handful of rows.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { createBenchDatabase } from './support.js';
import { productNodeFlags } from './relay-process.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const PROBE_EVERY_MS = Number(process.env.BENCH_PROBE_EVERY_MS ?? 20);
const TOKEN = 'bench-flood-token-0123456789abcdef';
const BIN = fileURLToPath(new URL('../bin/colt-relay.mjs', import.meta.url));
const AUTOCANNON = fileURLToPath(new URL('../node_modules/autocannon/autocannon.js', import.meta.url));

interface ProbeResult {
  latencies: number[];
  failures: number;
}

interface FloodResult {
  rps: number;
  requests: number;
  unauthorized: number;
  errors: number;
}

function startRelay(url: string): Promise<{ port: number; child: ChildProcess }> {
  const env = { ...process.env, DATABASE_URL: url, PORT: '0', HOST: '127.0.0.1', CALLBACK_TOKEN: TOKEN, LOG_LEVEL: 'info' };
  const child = spawn(process.execPath, [...productNodeFlags(), BIN, 'serve'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
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
  return { latencies, failures };
}

/** CONNECTIONS connections of unauthenticated callbacks for `seconds`, from another process. */
function flood(port: number, seconds: number): Promise<FloodResult> {
  const args = [
    AUTOCANNON, '--json', '-c', String(CONNECTIONS), '-d', String(seconds), '-m', 'POST',
    '-H', 'content-type=application/json', '-H', 'authorization=Bearer guessed-wrong-token',
    '-b', JSON.stringify({ orderId: 'IN-ORD-FLOOD', status: 'raised' }),
    `http://127.0.0.1:${port}/callbacks/colt`,
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      try {
        const r = JSON.parse(out) as { requests: { average: number; total: number }; non2xx: number; errors: number; timeouts: number; '4xx'?: number };
        resolve({ rps: r.requests.average, requests: r.requests.total, unauthorized: r['4xx'] ?? r.non2xx, errors: r.errors + r.timeouts });
      } catch {
        reject(new Error(`autocannon exited with ${code} without a JSON report`));
      }
    });
  });
}

async function stopRelay(child: ChildProcess): Promise<void> {
  child.removeAllListeners('exit');
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

const summary = (results: ProbeResult[]) => {
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  return { probes: latencies.length, failures: results.reduce((n, r) => n + r.failures, 0), p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
};

async function main(): Promise<void> {
  const db = await createBenchDatabase();
  const { port, child } = await startRelay(db.url);
  const quiet: ProbeResult[] = [];
  const loud: ProbeResult[] = [];
  const attacks: FloodResult[] = [];
  try {
    await probe(port, 2); // warm-up: JIT, pool connections
    for (let round = 1; round <= ROUNDS; round++) {
      quiet.push(await probe(port, SECONDS));
      // The probe starts once the flood is under way and stops before it ends.
      const attacking = flood(port, SECONDS + 2);
      await new Promise((r) => setTimeout(r, 1000));
      loud.push(await probe(port, SECONDS));
      attacks.push(await attacking);
      const q = summary([quiet.at(-1)!]);
      const l = summary([loud.at(-1)!]);
      console.error(`round ${round}: quiet p99 ${q.p99.toFixed(1)} ms, flood p99 ${l.p99.toFixed(1)} ms, ${attacks.at(-1)!.rps.toFixed(0)} refused req/s`);
    }
  } finally {
    await stopRelay(child); // flushes the refusal counts
  }
  const sql = postgres(db.url, { max: 1, onnotice: () => {} });
  const [audit] = await sql<{ rows: string; counted: string }[]>`select count(*)::text as rows, coalesce(sum(count), 0)::text as counted from callback_refusals`;
  await sql.end();
  await db.drop();

  const q = summary(quiet);
  const l = summary(loud);
  const rps = attacks.reduce((n, a) => n + a.rps, 0) / attacks.length;
  console.log(`\nflood: ${CONNECTIONS} unauthenticated connections; probe every ${PROBE_EVERY_MS} ms; ${ROUNDS} rounds × ${SECONDS} s per phase; Postgres`);
  console.table([
    { phase: 'no flood', 'probe p50 ms': q.p50.toFixed(1), 'probe p99 ms': q.p99.toFixed(1), probes: q.probes, 'probe failures': q.failures, 'flood req/s': 0 },
    { phase: 'flood', 'probe p50 ms': l.p50.toFixed(1), 'probe p99 ms': l.p99.toFixed(1), probes: l.probes, 'probe failures': l.failures, 'flood req/s': rps.toFixed(0) },
  ]);
  console.log(`ratio p99 flood / no flood: ${(l.p99 / q.p99).toFixed(2)} (target ≤ 2)`);
  const refused = attacks.reduce((n, a) => n + a.unauthorized, 0);
  const errors = attacks.reduce((n, a) => n + a.errors, 0);
  console.log(`audit: ${refused} refused requests (${errors} client errors) → ${audit!.rows} callback_refusals rows counting ${audit!.counted}`);
}

await main();
