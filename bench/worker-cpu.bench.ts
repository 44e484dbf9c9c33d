/**
 * CPU time of one callback invocation of the Worker, against a migrated Postgres database and
 * a loopback webhook receiver. Each callback is the whole invocation: receive, store, then
 * route and deliver a signed webhook in waitUntil. After a warm-up, N callbacks are posted one
 * at a time; the CPU the Worker's process used (all threads, /proc/<pid>/task/<tid>/schedstat)
 * is divided by N once every webhook arrived. Beside it: an invocation that does nothing but
 * answer (GET /healthz: the runtime's own cost per request), and a cold isolate's start:
 * workerd's CPU until it listens (it compiles and evaluates the bundle then), the global
 * scope's CPU as `wrangler check startup` profiles it, and the first callback (it builds what
 * the isolate keeps). By default the bundle `wrangler deploy --dry-run` builds runs in plain workerd, as
 * on Cloudflare; BENCH_HARNESS=wrangler-dev measures under `wrangler dev` instead, whose
 * inspector and proxy add their own cost (bench/workerd.ts).
 *
 *   npm run bench:worker-cpu     # BENCH_DATABASE_URL or TEST_DATABASE_URL, else local Postgres; Linux only
 *   BENCH_RUNS=3 BENCH_BASELINE_DIR=../main npm run bench:worker-cpu   # alternate runs with another checkout
 *   BENCH_PROFILE=1 npm run bench:worker-cpu    # then profile 100 more callbacks per checkout (workerd inspector)
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { createBenchDatabase } from './support.js';
import { profileTables, startProfiling } from './worker-profile.js';
import { cpuMs, type Harness, median, sleep, startupActiveMs, startWorker } from './workerd.js';

const N = Number(process.env.BENCH_CALLBACKS ?? 200);
const RUNS = Number(process.env.BENCH_RUNS ?? 1);
const HARNESS = (process.env.BENCH_HARNESS ?? 'workerd') as Harness;
const PROFILE = process.env.BENCH_PROFILE === '1';
const WARM_UP = 30;
const PROFILED = 100;
const TOKEN = 'bench-token-0123456789abcdef';
const CHECKOUTS: { label: string; dir: string }[] = [
  ...(process.env.BENCH_BASELINE_DIR ? [{ label: 'baseline', dir: resolve(process.env.BENCH_BASELINE_DIR) }] : []),
  { label: 'this checkout', dir: resolve(import.meta.dirname, '..') },
];

interface RunResult {
  /** workerd's CPU until it listens (the bundle compiled and evaluated); NaN under wrangler dev. */
  startMs: number;
  coldMs: number;
  warmMs: number;
  floorMs: number;
  proxyMs: number;
  wallMs: number;
  load: string;
}

/** A webhook receiver that answers 204 and counts. */
async function startReceiver() {
  let received = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received: () => received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const loadAverage = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

async function waitFor(what: string, done: () => boolean, timeoutMs = 60_000): Promise<void> {
  for (const started = Date.now(); !done(); await sleep(50)) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
  }
}

async function runOnce(dir: string, profile: boolean): Promise<RunResult> {
  const db = await createBenchDatabase();
  const receiver = await startReceiver();
  const rules = { channels: { downstream: { type: 'webhook', url: receiver.url, secret: `whsec_${randomBytes(24).toString('base64')}` } }, rules: [{ name: 'all', notify: ['downstream'] }] };
  const vars = { DATABASE_URL: db.url, CALLBACK_TOKEN: TOKEN, LOG_LEVEL: 'warn', WEBHOOK_ALLOW_PRIVATE: 'true', RULES: JSON.stringify(rules) };
  const worker = await startWorker(HARNESS, dir, vars, { inspect: profile }).catch(async (err: unknown) => {
    await receiver.close();
    await db.drop();
    throw err;
  });
  try {
    let sent = 0;
    const post = async (orderId: string) => {
      const response = await fetch(`${worker.base}/callbacks/colt`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ orderId, orderStatus: 'Completed' }),
      });
      if (response.status !== 200) throw new Error(`callback answered ${response.status}: ${await response.text()}`);
      sent++;
    };
    const delivered = () => waitFor(`${sent} webhooks (got ${receiver.received()})`, () => receiver.received() >= sent);
    const cpu = () => cpuMs(worker.workerPid);

    const coldBefore = cpu();
    await post('IN-CPU-COLD');
    await delivered();
    const coldMs = cpu() - coldBefore;

    for (let i = 0; i < WARM_UP; i++) await post(`IN-CPU-WARM-${i}`);
    await delivered();
    await sleep(1000);
    const load = loadAverage();
    const before = { worker: cpu(), proxy: worker.proxyPid ? cpuMs(worker.proxyPid) : 0 };
    const started = performance.now();
    for (let i = 0; i < N; i++) await post(`IN-CPU-${i}`);
    await delivered();
    const wallMs = (performance.now() - started) / N;
    // Sockets closing after the last waitUntil.
    await sleep(500);
    const warmMs = (cpu() - before.worker) / N;
    const proxyMs = worker.proxyPid ? (cpuMs(worker.proxyPid) - before.proxy) / N : 0;

    const floorBefore = cpu();
    for (let i = 0; i < N; i++) await (await fetch(`${worker.base}/healthz`)).text();
    await sleep(500);
    const floorMs = (cpu() - floorBefore) / N;

    if (profile && worker.inspector) {
      const stop = await startProfiling(worker.inspector);
      for (let i = 0; i < PROFILED; i++) await post(`IN-CPU-PROF-${i}`);
      await delivered();
      await sleep(500);
      const cpuProfile = await stop();
      if (process.env.BENCH_PROFILE_OUT) writeFileSync(process.env.BENCH_PROFILE_OUT, JSON.stringify(cpuProfile));
      printProfile(dir, profileTables(cpuProfile, worker.sourceMap(), PROFILED));
    }
    return { startMs: worker.startupMs ?? Number.NaN, coldMs, warmMs, floorMs, proxyMs, wallMs, load };
  } finally {
    await worker.stop();
    await receiver.close();
    await db.drop();
  }
}

function printProfile(dir: string, { byPart, topFunctions }: ReturnType<typeof profileTables>): void {
  const total = byPart.reduce((n, r) => n + r.ms, 0);
  console.log(`\nwhere the Worker's JavaScript time went (${dir}, ${PROFILED} callbacks under the profiler, self time per callback):`);
  console.log('| part | ms per callback | share |\n|---|---|---|');
  for (const row of byPart.filter((r) => r.ms >= 0.01)) console.log(`| ${row.category} | ${row.ms.toFixed(2)} | ${((100 * row.ms) / total).toFixed(0)} % |`);
  console.log(`| total (sampled, idle excluded) | ${total.toFixed(2)} | |`);
  console.log('\n| function | part | ms per callback |\n|---|---|---|');
  for (const row of topFunctions) console.log(`| ${row.fn} | ${row.category} | ${row.ms.toFixed(2)} |`);
}

async function main(): Promise<void> {
  const results = new Map<string, RunResult[]>(CHECKOUTS.map((c) => [c.label, []]));
  console.log(`harness: ${HARNESS}; ${N} callbacks per run after ${WARM_UP} warm-up\n`);
  console.log('| run | checkout | CPU per callback | GET /healthz (floor) | cold isolate: first callback | entry proxy (local only) | wall per callback | load average |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (let run = 1; run <= RUNS; run++) {
    // Alternate which checkout goes first, so both see the same drift in background load.
    const order = run % 2 ? CHECKOUTS : [...CHECKOUTS].reverse();
    for (const checkout of order) {
      const r = await runOnce(checkout.dir, PROFILE && run === RUNS);
      results.get(checkout.label)!.push(r);
      const proxy = HARNESS === 'wrangler-dev' ? `${r.proxyMs.toFixed(2)} ms` : '—';
      console.log(
        `| ${run} | ${checkout.label} | ${r.warmMs.toFixed(2)} ms | ${r.floorMs.toFixed(2)} ms | ${r.coldMs.toFixed(1)} ms | ${proxy} | ${r.wallMs.toFixed(1)} ms | ${r.load} |`,
      );
    }
  }
  console.log(
    `\n| checkout | CPU per callback (median of ${RUNS}) | GET /healthz (median) | cold isolate: workerd start, bundle evaluated (median) | cold isolate: global scope (wrangler check startup, median of 3) | cold isolate: first callback (median) |`,
  );
  console.log('|---|---|---|---|---|---|');
  for (const checkout of CHECKOUTS) {
    const runs = results.get(checkout.label)!;
    const startup = [];
    for (let i = 0; i < 3; i++) startup.push(await startupActiveMs(checkout.dir));
    const m = (k: keyof Omit<RunResult, 'load'>) => median(runs.map((r) => r[k]));
    const start = HARNESS === 'workerd' ? `${m('startMs').toFixed(1)} ms` : '—';
    console.log(`| ${checkout.label} | ${m('warmMs').toFixed(2)} ms | ${m('floorMs').toFixed(2)} ms | ${start} | ${median(startup).toFixed(1)} ms | ${m('coldMs').toFixed(1)} ms |`);
  }
}

await main();
