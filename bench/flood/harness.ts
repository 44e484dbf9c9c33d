/**
 * What the flood benchmarks share: the real relay (`colt-relay serve`, the compiled build with
 * the product's Node flags) in its own process, a probe that sends one authenticated callback
 * at a time and times each answer, and a flood run by autocannon's CLI in another process so
 * that its load does not delay the probe's own event loop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { productNodeFlags } from '../relay-process.js';

export const TOKEN = 'bench-flood-token-0123456789abcdef';
const BIN = fileURLToPath(new URL('../../bin/colt-relay.mjs', import.meta.url));
const AUTOCANNON = fileURLToPath(new URL('../../node_modules/autocannon/autocannon.js', import.meta.url));

export interface ProbeResult {
  latencies: number[];
  failures: number;
}

export interface FloodResult {
  rps: number;
  requests: number;
  /** 4xx answers (the refusal flood's 401s). */
  refused: number;
  /** 2xx answers. */
  ok: number;
  errors: number;
}

export interface Relay {
  port: number;
  child: ChildProcess;
}

/**
 * `colt-relay serve` with `env` on top of the benchmark's own (PORT 0, the token, info logs);
 * `bin` runs another checkout's build instead (a baseline measured in the same run).
 */
export function startRelay(env: Record<string, string>, bin = BIN): Promise<Relay> {
  const full = { ...process.env, PORT: '0', HOST: '127.0.0.1', CALLBACK_TOKEN: TOKEN, LOG_LEVEL: 'info', ...env };
  const child = spawn(process.execPath, [...productNodeFlags(), bin, 'serve'], { env: full, stdio: ['ignore', 'pipe', 'inherit'] });
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

export async function stopRelay(relay: Relay): Promise<void> {
  relay.child.removeAllListeners('exit');
  const exited = new Promise((r) => relay.child.once('exit', r));
  relay.child.kill('SIGTERM');
  await exited;
}

export const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

let probeSequence = 0;
/** One authenticated callback at a time (a new order each), every `everyMs`, for `seconds`. */
export async function probe(port: number, seconds: number, everyMs: number): Promise<ProbeResult> {
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
    const wait = started + everyMs - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  return { latencies, failures };
}

export interface FloodRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** `connections` connections sending `request` as fast as answers come, for `seconds`, from another process. */
export function flood(port: number, seconds: number, connections: number, request: FloodRequest): Promise<FloodResult> {
  const args = [AUTOCANNON, '--json', '-c', String(connections), '-d', String(seconds), '-m', request.method];
  for (const [name, value] of Object.entries(request.headers)) args.push('-H', `${name}=${value}`);
  if (request.body !== undefined) args.push('-b', request.body);
  args.push(`http://127.0.0.1:${port}${request.path}`);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      try {
        const r = JSON.parse(out) as { requests: { average: number; total: number }; non2xx: number; errors: number; timeouts: number; '2xx'?: number; '4xx'?: number };
        resolve({ rps: r.requests.average, requests: r.requests.total, refused: r['4xx'] ?? r.non2xx, ok: r['2xx'] ?? 0, errors: r.errors + r.timeouts });
      } catch {
        reject(new Error(`autocannon exited with ${code} without a JSON report`));
      }
    });
  });
}

export interface PhaseSummary {
  probes: number;
  failures: number;
  p50: number;
  p99: number;
}

/** The pooled latencies of several probe runs. */
export function summary(results: ProbeResult[]): PhaseSummary {
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  return { probes: latencies.length, failures: results.reduce((n, r) => n + r.failures, 0), p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/** The median of the rounds' own p50s (each round measured alone); a round in which no probe got an answer counts as the slowest. */
export function medianOf(values: number[]): number {
  const sorted = values.map((v) => (Number.isNaN(v) ? Infinity : v)).sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted.length % 2 === 1 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
}

/**
 * Quiet and flood phases, alternating for `rounds`: the probe alone, then the probe while
 * `attack` runs (it starts a second before the probe and ends after it).
 */
export async function quietAndFlood(
  port: number,
  options: { rounds: number; seconds: number; probeEveryMs: number; label: string },
  attack: (seconds: number) => Promise<FloodResult>,
): Promise<{ quiet: ProbeResult[]; loud: ProbeResult[]; attacks: FloodResult[] }> {
  const quiet: ProbeResult[] = [];
  const loud: ProbeResult[] = [];
  const attacks: FloodResult[] = [];
  await probe(port, 2, options.probeEveryMs); // warm-up: JIT, pool connections
  for (let round = 1; round <= options.rounds; round++) {
    quiet.push(await probe(port, options.seconds, options.probeEveryMs));
    const attacking = attack(options.seconds + 2);
    await new Promise((r) => setTimeout(r, 1000));
    loud.push(await probe(port, options.seconds, options.probeEveryMs));
    attacks.push(await attacking);
    const q = summary([quiet.at(-1)!]);
    const l = summary([loud.at(-1)!]);
    console.error(
      `${options.label} round ${round}: quiet p50 ${q.p50.toFixed(1)} / p99 ${q.p99.toFixed(1)} ms, flood p50 ${l.p50.toFixed(1)} / p99 ${l.p99.toFixed(1)} ms, ${attacks.at(-1)!.rps.toFixed(0)} flood req/s`,
    );
  }
  return { quiet, loud, attacks };
}

/** The knobs every flood case takes (BENCH_SECONDS, BENCH_ROUNDS, BENCH_CONNECTIONS, BENCH_PROBE_EVERY_MS). */
export interface FloodOptions {
  seconds: number;
  rounds: number;
  connections: number;
  probeEveryMs: number;
}
