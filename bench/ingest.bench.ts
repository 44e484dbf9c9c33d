/**
 * Ingest throughput as users run it: the compiled `colt-relay serve` process (default logging,
 * metrics and dispatcher: the built-in rule writes one log line per callback) against the naive
 * receiver a user would write (bench/naive-receiver.ts), on the same Postgres, in the same run.
 *
 *   npm run build && npm run bench:ingest      # BENCH_DATABASE_URL or TEST_DATABASE_URL, else local Postgres
 *   BENCH_SECONDS=5 BENCH_ROUNDS=3 npm run bench:ingest
 *   BENCH_CPU_PROF=/tmp/prof npm run bench:ingest   # a V8 CPU profile of each server process
 *   BENCH_RULES='{"channels":{},"rules":[]}' npm run bench:ingest   # other rules (here: notify nobody)
 *   BENCH_TRACING=1 npm run bench:ingest     # adds the relay with tracing on (every trace exported)
 *   BENCH_TRACING=1 BENCH_TRACING_RATIO=0.1 npm run bench:ingest   # … keeping one trace in ten
 *
 * Each round runs both variants back to back (order alternating) at 50 connections; the table
 * shows medians over rounds and the ratio relay / naive. After each relay round the bench waits
 * until the dispatcher has processed every stored callback and sent its deliveries ("drain"): the
 * relay is not allowed to win by leaving its work behind. CPU columns are per request, for
 * the server process and for the benchmark's own Postgres server (all its processes).
 *
 * With BENCH_TRACING=1 a third variant runs in each round: the same relay with
 * OTEL_EXPORTER_OTLP_ENDPOINT set, OTEL_TRACES_SAMPLER=always_on (or BENCH_TRACING_RATIO), exporting (http/protobuf) to a
 * local OTLP endpoint in its own process (bench/otlp-sink.ts); the order of the three rotates.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { assertBuilt, BENCH_TOKEN, cpuSecondsOf, postgresCpuSeconds, postmasterPidOf, startRelay } from './relay-process.js';
import { createBenchDatabase } from './support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const CPU_PROF = process.env.BENCH_CPU_PROF;
/** The relay's rules (RULES, YAML or JSON); unset: the built-in rule, one log line per callback. */
const RULES = process.env.BENCH_RULES;
const NAIVE = fileURLToPath(new URL('./naive-receiver.ts', import.meta.url));
const SINK = fileURLToPath(new URL('./otlp-sink.ts', import.meta.url));
/** Adds the relay with tracing on (docs/operations.md#tracing). */
const TRACING = process.env.BENCH_TRACING === '1';
/** Share of the traces the traced relay keeps: 1 is always_on, less is parentbased_traceidratio. */
const TRACING_RATIO = Number(process.env.BENCH_TRACING_RATIO ?? 1);
const SAMPLER: Record<string, string> =
  TRACING_RATIO >= 1 ? { OTEL_TRACES_SAMPLER: 'always_on' } : { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: String(TRACING_RATIO) };
/** Longest wait for the dispatcher to deliver what a round stored. */
const DRAIN_TIMEOUT_MS = 120_000;

type Variant = 'naive' | 'relay' | 'traced';
interface Result {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  requests: number;
  /** Postgres commits per request: 1 for the naive receiver, ≪ 1 with group commit. */
  commitsPerRequest: number;
  /** Relay: seconds after the load until every stored callback was delivered. */
  drainS?: number;
  /** CPU time of the server process per request (load and drain), in ms: cost regardless of machine load. */
  cpuMsPerRequest: number;
  /** CPU time of the Postgres server (all its processes) per request (load and drain), in ms. */
  pgCpuMsPerRequest: number;
  /** CPU time of this process (autocannon, the load generator) per request, in ms. */
  loadCpuMsPerRequest: number;
  /** Traced: export requests and KB the OTLP endpoint received (warm-up included). */
  exports?: { requests: number; kb: number };
}

interface Server {
  pid: number;
  port: number;
  stop(): Promise<unknown>;
}

function startNaive(url: string): Promise<Server> {
  const profile = CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', CPU_PROF] : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, '--import', 'tsx', NAIVE, url], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, CALLBACK_TOKEN: BENCH_TOKEN },
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`naive receiver exited with ${code}`)));
    child.stdout!.on('data', (data: Buffer) => {
      const match = /PORT (\d+)/.exec(data.toString());
      if (!match) return;
      child.removeAllListeners('exit');
      const exited = new Promise((r) => child.once('exit', r));
      resolve({ pid: child.pid!, port: Number(match[1]), stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
  });
}

/** The OTLP endpoint of the traced variant, in its own process. */
function startSink(): Promise<{ endpoint: string; stop(): Promise<{ requests: number; kb: number }> }> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', SINK], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  let started = false;
  return new Promise((resolve, reject) => {
    const failed = (code: number | null) => reject(new Error(`OTLP sink exited with ${code}`));
    child.once('exit', failed);
    child.stdout!.on('data', (data: Buffer) => {
      output += data.toString();
      const match = /PORT (\d+)/.exec(output);
      if (!match || started) return;
      started = true;
      child.off('exit', failed);
      const exited = new Promise((r) => child.once('exit', r));
      resolve({
        endpoint: `http://127.0.0.1:${match[1]}`,
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
          const counts = /EXPORTS (\d+) (\d+)/.exec(output);
          return { requests: Number(counts?.[1] ?? 0), kb: Number(counts?.[2] ?? 0) / 1024 };
        },
      });
    });
  });
}

let sequence = 0;
function load(port: number, seconds: number): Promise<Omit<Result, 'commitsPerRequest' | 'cpuMsPerRequest' | 'pgCpuMsPerRequest' | 'loadCpuMsPerRequest'>> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `http://127.0.0.1:${port}/callbacks/colt`,
        connections: CONNECTIONS,
        duration: seconds,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_TOKEN}` },
        requests: [
          {
            setupRequest: (req) => {
              const n = ++sequence;
              return {
                ...req,
                body: JSON.stringify({
                  eventId: `bench-${process.pid}-${n}`,
                  eventTime: new Date().toISOString(),
                  orderId: `IN-ORD-${n % 500}`,
                  orderType: 'Number Activation',
                  status: 'raised',
                }),
              };
            },
          },
        ],
      },
      (error, r) => {
        if (error) return reject(error);
        resolve({
          rps: r.requests.average,
          p50: r.latency.p50,
          p99: r.latency.p99,
          errors: r.errors + r.timeouts + r.non2xx,
          requests: r.requests.total,
        });
      },
    );
  });
}

async function commits(sql: postgres.Sql): Promise<number> {
  await sql`select pg_stat_clear_snapshot()`;
  const [row] = await sql<{ n: string }[]>`select xact_commit::text as n from pg_stat_database where datname = current_database()`;
  return Number(row!.n);
}

/** Waits until the dispatcher has processed every stored callback and sent every delivery; seconds waited. */
async function drain(sql: postgres.Sql): Promise<number> {
  const started = performance.now();
  for (;;) {
    const [row] = await sql<{ events: string; deliveries: string }[]>`
      select (select count(*) from event_work)::text as events,
             (select count(*) from deliveries where status in ('pending', 'sending', 'retrying', 'grouped'))::text as deliveries`;
    if (row!.events === '0' && row!.deliveries === '0') return (performance.now() - started) / 1000;
    if (performance.now() - started > DRAIN_TIMEOUT_MS) {
      throw new Error(`the relay's dispatcher left ${row!.events} callbacks unprocessed and ${row!.deliveries} deliveries unsent`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function measure(variant: Variant, url: string, sql: postgres.Sql, postmaster: number): Promise<Result> {
  const sink = variant === 'traced' ? await startSink() : null;
  const tracing: Record<string, string> = sink ? { OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint, ...SAMPLER } : {};
  let result: Result;
  try {
    const server: Server =
      variant === 'naive'
        ? await startNaive(url)
        : await startRelay({ env: { DATABASE_URL: url, ...(RULES && { RULES }), ...tracing }, cpuProfileDir: CPU_PROF });
    try {
      result = await measureServer(variant, server, sql, postmaster);
    } finally {
      await server.stop();
    }
  } finally {
    // After the relay's stop, which exports its last spans.
    const exports = await sink?.stop();
    if (exports) result!.exports = exports;
  }
  return result;
}

async function measureServer(variant: Variant, server: Server, sql: postgres.Sql, postmaster: number): Promise<Result> {
  await load(server.port, 2); // warm-up: JIT, pool connections
  if (variant !== 'naive') await drain(sql);
  const before = await commits(sql);
  const cpuBefore = cpuSecondsOf(server.pid);
  const pgBefore = postgresCpuSeconds(postmaster);
  const loadBefore = process.cpuUsage();
  const result = await load(server.port, SECONDS);
  const loadCpu = process.cpuUsage(loadBefore);
  const drainS = variant !== 'naive' ? await drain(sql) : undefined;
  const perRequest = (seconds: number) => (seconds * 1000) / Math.max(1, result.requests);
  const cpuMsPerRequest = perRequest(cpuSecondsOf(server.pid) - cpuBefore);
  const pgCpuMsPerRequest = perRequest(postgresCpuSeconds(postmaster) - pgBefore);
  const loadCpuMsPerRequest = perRequest((loadCpu.user + loadCpu.system) / 1e6);
  // Statistics reach pg_stat_database asynchronously; give them a moment.
  await new Promise((r) => setTimeout(r, 1000));
  const commitsPerRequest = ((await commits(sql)) - before) / Math.max(1, result.requests);
  return { ...result, commitsPerRequest, cpuMsPerRequest, pgCpuMsPerRequest, loadCpuMsPerRequest, ...(drainS !== undefined && { drainS }) };
}

const VARIANT_NAMES: Record<Variant, string> = {
  naive: 'naive (Hono + postgres.js)',
  relay: 'colt-relay serve',
  traced: `colt-relay serve, tracing on (${TRACING_RATIO >= 1 ? 'always_on' : `ratio ${TRACING_RATIO}`})`,
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  assertBuilt();
  const db = await createBenchDatabase();
  const sql = postgres(db.url, { max: 1, onnotice: () => {} });
  const results: Record<Variant, Result[]> = { naive: [], relay: [], traced: [] };
  const variants: Variant[] = TRACING ? ['naive', 'relay', 'traced'] : ['naive', 'relay'];
  try {
    const postmaster = await postmasterPidOf(sql);
    for (let round = 0; round < ROUNDS; round++) {
      // Each round starts with the next variant: every variant runs first, middle and last.
      const order = variants.map((_, i) => variants[(round + i) % variants.length]!);
      for (const variant of order) {
        const r = await measure(variant, db.url, sql, postmaster);
        results[variant].push(r);
        const drained = r.drainS === undefined ? '' : ` drain ${r.drainS.toFixed(1)} s`;
        const exported = r.exports ? ` exported ${r.exports.requests} requests ${r.exports.kb.toFixed(0)} KB` : '';
        const loadAverage = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
        console.error(`round ${round + 1} ${variant}: ${r.rps.toFixed(0)} req/s p50 ${r.p50} ms p99 ${r.p99} ms errors ${r.errors} CPU ${r.cpuMsPerRequest.toFixed(3)} ms/req, Postgres ${r.pgCpuMsPerRequest.toFixed(3)}, load ${r.loadCpuMsPerRequest.toFixed(3)}${drained}${exported} (load average ${loadAverage})`);
      }
    }
  } finally {
    await sql.end();
    await db.drop();
  }
  const row = (variant: Variant) => {
    const rs = results[variant];
    return {
      variant: VARIANT_NAMES[variant],
      'req/s (median)': median(rs.map((r) => r.rps)).toFixed(0),
      'p50 ms': median(rs.map((r) => r.p50)),
      'p99 ms': median(rs.map((r) => r.p99)),
      'commits/request': median(rs.map((r) => r.commitsPerRequest)).toFixed(3),
      'CPU ms/request': median(rs.map((r) => r.cpuMsPerRequest)).toFixed(3),
      'Postgres CPU ms/request': median(rs.map((r) => r.pgCpuMsPerRequest)).toFixed(3),
      errors: rs.reduce((n, r) => n + r.errors, 0),
      requests: rs.reduce((n, r) => n + r.requests, 0),
      'drain s': variant !== 'naive' ? median(rs.map((r) => r.drainS ?? 0)).toFixed(1) : '-',
    };
  };
  console.log(`\ningest: ${CONNECTIONS} connections, ${SECONDS} s × ${ROUNDS} rounds, Postgres, pool 10 each`);
  console.table(variants.map(row));
  const ratio = (a: Variant, b: Variant) => {
    const overall = median(results[a].map((r) => r.rps)) / median(results[b].map((r) => r.rps));
    const perRound = results[a].map((r, i) => (r.rps / results[b][i]!.rps).toFixed(2)).join(', ');
    return `${overall.toFixed(2)}  (per round: ${perRound})`;
  };
  console.log(`ratio relay/naive (median req/s): ${ratio('relay', 'naive')}`);
  if (TRACING) {
    console.log(`ratio traced/relay (median req/s): ${ratio('traced', 'relay')}`);
    const cpu = (v: Variant) => median(results[v].map((r) => r.cpuMsPerRequest));
    console.log(`tracing's CPU per callback (median, server): +${(cpu('traced') - cpu('relay')).toFixed(3)} ms`);
  }
}

await main();
