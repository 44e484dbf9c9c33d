/**
 * One measured run of bench/peer.bench.ts: a fresh database, one contender in its own process,
 * an equal warm-up that is thrown away, a quiet spell, then the load, the wait for every
 * webhook, and the costs.
 */
import { loadavg } from 'node:os';
import postgres from 'postgres';
import { cpuSecondsOf } from '../relay-process.js';
import { createBenchDatabase } from '../support.js';
import { type Contender, type ContenderName, startContender, waitUntilFinished } from './contenders.js';
import { commitsOf, startBackendCpuMeter, waitForNoBackends } from './database-cost.js';
import { type Send, sendClosedLoop, sendOpenLoop } from './load.js';
import type { Receiver } from './receiver-client.js';
import { summariseRun, type RunResult } from './summary.js';

export type Mode =
  | { kind: 'saturation'; name: string; callbacks: number; concurrency: number }
  | { kind: 'steady'; name: string; rate: number; seconds: number };

export interface RunSettings {
  /** Callbacks of the warm-up (closed loop at the saturation concurrency), not measured. */
  warmup: number;
  warmupConcurrency: number;
  /**
   * Quiet time between the warm-up and the measured load. Longer than Postgres 15's 10 s
   * statistics delay for idle backends, so that no warm-up commit lands in the measured count.
   */
  settleMs: number;
  /** Longest wait for the accepted callbacks' webhooks, and then for the contender to go idle. */
  drainTimeoutMs: number;
  peerBatching: boolean;
  /** BENCH_CPU_PROF: a folder for a V8 CPU profile of every contender process. */
  cpuProfileDir?: string;
}

export interface RunContext {
  receiver: Receiver;
  hookSecret: string;
  /** A connection to another database of the same server: reads statistics without adding to them. */
  monitor: postgres.Sql;
  settings: RunSettings;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isAccepted = (s: Send) => s.status >= 200 && s.status < 300;

/** Waits until `expected` distinct callbacks reached the receiver; false on timeout (the rest are lost). */
async function waitForArrivals(receiver: Receiver, expected: number, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while ((await receiver.count()) < expected) {
    if (performance.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

function load(port: number, mode: Mode, tag: string): Promise<{ sends: Send[]; maxLagMs: number }> {
  if (mode.kind === 'saturation') return sendClosedLoop(port, tag, mode.callbacks, mode.concurrency).then((sends) => ({ sends, maxLagMs: 0 }));
  return sendOpenLoop(port, tag, mode.rate, mode.seconds);
}

export async function measureRun(name: ContenderName, mode: Mode, round: number, ctx: RunContext): Promise<RunResult> {
  const { receiver, monitor, settings } = ctx;
  // The relay's schema comes from its own migrations; the peer makes its table and graphile-worker's schema at start.
  const db = await createBenchDatabase({ migrate: name === 'relay' });
  const database = new URL(db.url).pathname.slice(1);
  // The bench's own connection to the contender's database: its statements are counted and subtracted.
  const sql = postgres(db.url, { max: 1, onnotice: () => {}, fetch_types: false });
  let contender: Contender | undefined;
  try {
    contender = await startContender(name, {
      databaseUrl: db.url,
      hookUrl: receiver.url,
      hookSecret: ctx.hookSecret,
      peerBatching: settings.peerBatching,
      cpuProfileDir: settings.cpuProfileDir,
    });
    const tag = `${mode.kind}${mode.kind === 'steady' ? mode.rate : ''}-r${round}`;
    await receiver.reset();
    const warm = await sendClosedLoop(contender.port, `warm-${tag}`, settings.warmup, settings.warmupConcurrency);
    if (!(await waitForArrivals(receiver, warm.filter(isAccepted).length, settings.drainTimeoutMs))) throw new Error(`${name}: the warm-up was not delivered`);
    if (!(await waitUntilFinished(sql, contender, settings.drainTimeoutMs)).finished) throw new Error(`${name}: the warm-up left work unfinished`);
    const [own] = await sql.unsafe<{ pid: number }[]>('select pg_backend_pid() as pid').simple();
    await sleep(settings.settleMs);

    await receiver.reset();
    const load1 = loadavg()[0]!;
    const commitsBefore = await commitsOf(monitor, database);
    const cpuBefore = cpuSecondsOf(contender.pid);
    const meter = await startBackendCpuMeter(monitor, database, [own!.pid]);
    const { sends, maxLagMs } = await load(contender.port, mode, tag);
    const arrived = await waitForArrivals(receiver, sends.filter(isAccepted).length, settings.drainTimeoutMs);
    // After a timeout the missing callbacks count as lost; whatever the contender still holds is left unfinished.
    const idle = await waitUntilFinished(sql, contender, arrived ? settings.drainTimeoutMs : 0);
    const cpuS = cpuSecondsOf(contender.pid) - cpuBefore;
    const pgCpuS = await meter.stop();
    await sql.end(); // its backend exits and publishes its counts
    await contender.stop();
    contender = undefined;
    await waitForNoBackends(monitor, database);
    const commits = (await commitsOf(monitor, database)) - commitsBefore - idle.statements;
    const log = await receiver.collect();
    return summariseRun({ contender: name, mode: mode.name, round, sends, log, maxLagMs, cpuS, pgCpuS, commits, load1, finished: idle.finished });
  } finally {
    await sql.end();
    await contender?.stop();
    await db.drop();
  }
}
