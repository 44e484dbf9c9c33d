/**
 * Ingest throughput: colt-relay's receiver (group commit) against a naive
 * one-transaction-per-request Hono receiver, on the same Postgres, in the same run.
 *
 *   npm run bench:ingest                 # BENCH_DATABASE_URL or TEST_DATABASE_URL, else local Postgres
 *   BENCH_SECONDS=10 BENCH_ROUNDS=3 npm run bench:ingest
 *
 * Each round runs both variants back to back (order alternating) at 50 connections;
 * the table shows medians over rounds, and the ratio relay / naive.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import postgres from 'postgres';
import { createBenchDatabase } from './support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const TOKEN = 'bench-token-0123456789abcdef';
const SERVER = fileURLToPath(new URL('./ingest-server.ts', import.meta.url));

type Variant = 'naive' | 'relay';
interface Result {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  requests: number;
  /** Postgres commits per request: 1 for the naive receiver, ≪ 1 with group commit. */
  commitsPerRequest: number;
}

function startServer(variant: Variant, url: string): Promise<{ port: number; child: ChildProcess }> {
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each server process there.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', SERVER, variant, url], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${variant} server exited with ${code}`)));
    child.stdout!.on('data', (data: Buffer) => {
      const match = /PORT (\d+)/.exec(data.toString());
      if (match) resolve({ port: Number(match[1]), child });
    });
  });
}

let sequence = 0;
function load(port: number, seconds: number): Promise<Result> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `http://127.0.0.1:${port}/callbacks/colt`,
        connections: CONNECTIONS,
        duration: seconds,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
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
          errors: r.errors + r.timeouts,
          non2xx: r.non2xx,
          requests: r.requests.total,
          commitsPerRequest: 0,
        });
      },
    );
  });
}

async function commits(url: string): Promise<number> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_stat_clear_snapshot()`;
    const [row] = await sql<{ n: string }[]>`select xact_commit::text as n from pg_stat_database where datname = current_database()`;
    return Number(row!.n);
  } finally {
    await sql.end();
  }
}

async function measure(variant: Variant, url: string): Promise<Result> {
  const { port, child } = await startServer(variant, url);
  try {
    await load(port, 2); // warm-up: JIT, pool connections
    const before = await commits(url);
    const result = await load(port, SECONDS);
    // Statistics reach pg_stat_database asynchronously; give them a moment.
    await new Promise((r) => setTimeout(r, 1000));
    return { ...result, commitsPerRequest: (await commits(url) - before) / Math.max(1, result.requests) };
  } finally {
    child.removeAllListeners('exit');
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const db = await createBenchDatabase();
  const results: Record<Variant, Result[]> = { naive: [], relay: [] };
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order: Variant[] = round % 2 === 0 ? ['naive', 'relay'] : ['relay', 'naive'];
      for (const variant of order) {
        const r = await measure(variant, db.url);
        results[variant].push(r);
        console.error(`round ${round + 1} ${variant}: ${r.rps.toFixed(0)} req/s p50 ${r.p50} ms p99 ${r.p99} ms errors ${r.errors + r.non2xx}`);
      }
    }
  } finally {
    await db.drop();
  }
  const row = (variant: Variant) => {
    const rs = results[variant];
    return {
      variant,
      'req/s (median)': median(rs.map((r) => r.rps)).toFixed(0),
      'p50 ms': median(rs.map((r) => r.p50)),
      'p99 ms': median(rs.map((r) => r.p99)),
      'commits/request': median(rs.map((r) => r.commitsPerRequest)).toFixed(3),
      errors: rs.reduce((n, r) => n + r.errors + r.non2xx, 0),
      requests: rs.reduce((n, r) => n + r.requests, 0),
    };
  };
  console.log(`\ningest: ${CONNECTIONS} connections, ${SECONDS} s × ${ROUNDS} rounds, Postgres, pool 10 each`);
  console.table([row('naive'), row('relay')]);
  const ratio = median(results.relay.map((r) => r.rps)) / median(results.naive.map((r) => r.rps));
  const perRound = results.relay.map((r, i) => (r.rps / results.naive[i]!.rps).toFixed(2)).join(', ');
  console.log(`ratio relay/naive (median req/s): ${ratio.toFixed(2)}  (per round: ${perRound})`);
}

await main();
