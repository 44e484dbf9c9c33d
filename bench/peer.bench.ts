/**
 * colt-relay against the peer a skilled user would build for the same job from well-known parts
 * (bench/graphile-peer.ts: Hono, postgres.js, a transactional outbox through graphile-worker,
 * Standard Webhooks signatures), in the same run, on the same Postgres, delivering to the same
 * receiver (bench/webhook-receiver.ts, in its own process, verifying every signature).
 *
 *   npm run build && npm run bench:peer      # BENCH_DATABASE_URL or TEST_DATABASE_URL, else local Postgres
 *   BENCH_ROUNDS=1 BENCH_MODES=saturation npm run bench:peer
 *   BENCH_PEER_BATCHING=off npm run bench:peer   # the peer on graphile-worker's defaults (no batching)
 *   BENCH_CPU_PROF=profiles npm run bench:peer   # a V8 CPU profile of each contender process, in ./profiles
 *
 * Modes, each round running both contenders back to back (which goes first alternates):
 * - saturation: BENCH_CALLBACKS (4000) callbacks, BENCH_CONNECTIONS (50) in flight → delivered/s
 *   (first POST to last webhook) and latency;
 * - steady R/s for each R of BENCH_RATES (100,500), BENCH_STEADY_SECONDS (10) each, sent on
 *   schedule whatever the answers (open loop) → latency.
 * Latency is a callback's POST start to its webhook's arrival at the receiver.
 *
 * Every run starts the contender on a fresh database, sends an equal warm-up (BENCH_WARMUP
 * callbacks, thrown away), waits BENCH_SETTLE_MS so that Postgres has published the warm-up's
 * statistics, then measures: lost (accepted, never delivered within BENCH_DRAIN_TIMEOUT_MS) and
 * doubled callbacks, which must be 0; CPU per delivered callback of the contender's process and
 * of its database's Postgres backends; commits per callback (its database's xact_commit, read
 * after the contender stopped so that every backend has published its count).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import postgres from 'postgres';
import { CONTENDERS } from './peer/contenders.js';
import { closeLoadAgent } from './peer/load.js';
import { startReceiver } from './peer/receiver-client.js';
import { printMode } from './peer/report.js';
import { measureRun, type Mode, type RunSettings } from './peer/runs.js';
import type { RunResult } from './peer/summary.js';
import { assertBuilt } from './relay-process.js';
import { BENCH_BASE_URL } from './support.js';

const env = process.env;
const ROUNDS = Number(env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(env.BENCH_CONNECTIONS ?? 50);
const CALLBACKS = Number(env.BENCH_CALLBACKS ?? 4000);
const RATES = (env.BENCH_RATES ?? '100,500').split(',').map(Number);
const STEADY_SECONDS = Number(env.BENCH_STEADY_SECONDS ?? 10);
const SETTINGS: RunSettings = {
  warmup: Number(env.BENCH_WARMUP ?? 500),
  warmupConcurrency: CONNECTIONS,
  settleMs: Number(env.BENCH_SETTLE_MS ?? 11_000),
  drainTimeoutMs: Number(env.BENCH_DRAIN_TIMEOUT_MS ?? 60_000),
  peerBatching: env.BENCH_PEER_BATCHING !== 'off',
  // Absolute: each contender runs in a folder of its own.
  ...(env.BENCH_CPU_PROF && { cpuProfileDir: resolve(env.BENCH_CPU_PROF) }),
};

const ALL_MODES: Mode[] = [
  { kind: 'saturation', name: 'saturation', callbacks: CALLBACKS, concurrency: CONNECTIONS },
  ...RATES.map((rate): Mode => ({ kind: 'steady', name: `steady ${rate}/s`, rate, seconds: STEADY_SECONDS })),
];
/** BENCH_MODES: a comma-separated subset of saturation, steady (every rate), or `steady 100/s`-style names. */
const MODES = env.BENCH_MODES
  ? ALL_MODES.filter((m) => env.BENCH_MODES!.split(',').some((want) => want.trim() === m.kind || want.trim() === m.name))
  : ALL_MODES;

const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();

async function main(): Promise<void> {
  assertBuilt();
  const started = performance.now();
  const loadBefore = uptime();
  const hookSecret = `whsec_${randomBytes(32).toString('base64')}`;
  const receiver = await startReceiver(hookSecret);
  const monitor = postgres(BENCH_BASE_URL, { max: 1, onnotice: () => {} });
  const results: RunResult[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [index, mode] of MODES.entries()) {
        const order = (round + index) % 2 === 1 ? CONTENDERS : [...CONTENDERS].reverse();
        for (const contender of order) {
          const r = await measureRun(contender, mode, round, { receiver, hookSecret, monitor, settings: SETTINGS });
          results.push(r);
          console.error(`round ${round} ${mode.name} ${contender}: ${r.deliveredPerS.toFixed(0)}/s p50 ${r.p50.toFixed(1)} p99 ${r.p99.toFixed(1)} ms lost ${r.lost} doubled ${r.doubled}`);
        }
      }
    }
  } finally {
    await monitor.end();
    await receiver.close();
    await closeLoadAgent();
  }
  const minutes = (performance.now() - started) / 60_000;
  const batching = SETTINGS.peerBatching ? 'local queue 11, batched completions 25 ms' : 'no batching';
  console.log(`\npeer: ${ROUNDS} rounds; saturation ${CALLBACKS} callbacks at ${CONNECTIONS} connections; steady ${RATES.join(', ')}/s for ${STEADY_SECONDS} s`);
  console.log(`each run: fresh database, warm-up ${SETTINGS.warmup} callbacks (discarded), ${SETTINGS.settleMs / 1000} s quiet; peer: graphile-worker 10 jobs, pool 12, ${batching}`);
  console.log(`load before: ${loadBefore}`);
  console.log(`load after:  ${uptime()}`);
  console.log(`full run: ${minutes.toFixed(1)} min`);
  console.log('latency: POST start → webhook arrival; answered: POST start → the 2xx answer; CPU, PG CPU (its database\'s backends): ms per delivered callback');
  for (const mode of MODES) printMode(mode.name, results.filter((r) => r.mode === mode.name));
}

await main();
