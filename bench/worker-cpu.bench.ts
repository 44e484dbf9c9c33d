/**
 * CPU time of one callback invocation in workerd: `wrangler dev` (local workerd) against a
 * migrated Postgres database; N callbacks posted one at a time after a warm-up; the CPU the
 * workerd processes used (/proc/<pid>/stat, 10 ms ticks) divided by N. Each callback is the
 * whole invocation: receive, store, then route and deliver to the log channel in waitUntil.
 * The entry proxy workerd that wrangler puts in front is reported separately (not on Cloudflare).
 *
 *   npm run bench:worker-cpu     # BENCH_DATABASE_URL or TEST_DATABASE_URL, else local Postgres; Linux only
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import postgres from 'postgres';
import { openPostgresStore } from '../src/store/db.js';
import { migrateStore } from '../src/store/migrate.js';

const BASE_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const N = Number(process.env.BENCH_CALLBACKS ?? 200);
const WARM_UP = 30;
const TOKEN = 'bench-token-0123456789abcdef';

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Descendant workerd processes of `root`, with their command lines. */
function workerdUnder(root: number): { pid: number; entry: boolean }[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      parentOf.set(Number(name), Number(readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]));
    } catch {}
  }
  const isUnder = (pid: number): boolean => {
    for (let p = parentOf.get(pid); p !== undefined && p > 1; p = parentOf.get(p)) if (p === root) return true;
    return false;
  };
  return [...parentOf.keys()]
    .filter(isUnder)
    .map((pid) => ({ pid, cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8') }))
    .filter((p) => p.cmd.includes('workerd'))
    .map((p) => ({ pid: p.pid, entry: !p.cmd.includes('--inspector-addr') }));
}

const cpuMs = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
};

async function main(): Promise<void> {
  const name = `colt_worker_cpu_${Date.now().toString(36)}`;
  const admin = postgres(BASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(BASE_URL);
  url.pathname = `/${name}`;
  const store = await openPostgresStore({ url: url.toString(), max: 1 });
  await migrateStore(store);
  await store.close();

  const port = await freePort();
  const inspector = await freePort();
  const vars = [`DATABASE_URL:${url}`, `CALLBACK_TOKEN:${TOKEN}`, 'LOG_LEVEL:warn'].flatMap((v) => ['--var', v]);
  const wrangler = spawn('npx', ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspector), ...vars], {
    stdio: 'ignore',
    detached: true,
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; ; i++) {
      if ((await fetch(`${base}/readyz`).then((r) => r.status, () => 0)) === 200) break;
      if (i > 180) throw new Error('wrangler dev did not become ready in 180 s');
      await sleep(1000);
    }
    const post = async (orderId: string) => {
      const response = await fetch(`${base}/callbacks/colt`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ orderId, orderStatus: 'Completed' }),
      });
      if (response.status !== 200) throw new Error(`callback answered ${response.status}: ${await response.text()}`);
    };
    for (let i = 0; i < WARM_UP; i++) await post(`IN-CPU-WARM-${i}`);
    await sleep(3000);
    const processes = workerdUnder(wrangler.pid!);
    const before = processes.map((p) => cpuMs(p.pid));
    const started = performance.now();
    for (let i = 0; i < N; i++) await post(`IN-CPU-${i}`);
    const wallMs = performance.now() - started;
    // waitUntil work (route, deliver) finishes after the answers.
    await sleep(3000);
    console.log(`| workerd process | CPU per callback (${N} callbacks, after ${WARM_UP} warm-up) |`);
    console.log('|---|---|');
    processes.forEach((p, i) => {
      const perCallback = (cpuMs(p.pid) - before[i]!) / N;
      console.log(`| ${p.entry ? 'wrangler entry proxy (local only)' : 'the Worker'} | ${perCallback.toFixed(1)} ms |`);
    });
    console.log(`\nwall time per callback (sequential, includes the proxy): ${(wallMs / N).toFixed(1)} ms`);
  } finally {
    process.kill(-wrangler.pid!, 'SIGTERM');
    await sleep(2000);
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}

await main();
