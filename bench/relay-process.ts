/**
 * The real product for the benchmarks: `node <flags> bin/colt-relay.mjs serve` (the compiled
 * build, as `npm start` runs it, with the Node flags of the bin's shebang) in its own process, with the default logging, metrics and dispatcher.
 * Build first (`npm run build`): the benchmarks refuse to run on a missing or stale dist/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'colt-relay.mjs');

/**
 * The Node flags the product starts with: those of the bin's `#!/usr/bin/env -S node <flags>`
 * line, which `npm start` and the Dockerfile's CMD repeat (test/packaging/node-flags.test.ts).
 * BENCH_NODE_FLAGS replaces them (`BENCH_NODE_FLAGS=` for none), to measure what they cost.
 */
export function productNodeFlags(): string[] {
  const override = process.env.BENCH_NODE_FLAGS;
  if (override !== undefined) return override.trim().split(/\s+/).filter(Boolean);
  const shebang = readFileSync(BIN, 'utf8').split('\n', 1)[0]!;
  const flags = /^#!\/usr\/bin\/env (?:-S )?node(.*)$/.exec(shebang);
  if (!flags) throw new Error(`bin/colt-relay.mjs: unexpected first line: ${shebang}`);
  return flags[1]!.trim().split(/\s+/).filter(Boolean);
}

/** The callback token every benchmark sends. */
export const BENCH_TOKEN = 'bench-token-0123456789abcdef';

export interface RelayProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  /** Milliseconds from spawn to the first `GET /readyz` answering 200. */
  readyMs: number;
  /** What the process wrote to stdout (its pino log), read now. */
  log(): string;
  /** SIGTERM, then waits for the exit (a CPU profile is written then). */
  stop(): Promise<number | null>;
}

export interface StartRelayOptions {
  /** Relay settings on top of PORT, HOST and CALLBACK_TOKEN (e.g. DATABASE_URL or DATA_DIR). */
  env: Record<string, string>;
  /** Writes a V8 CPU profile of the process into this folder at exit. */
  cpuProfileDir?: string;
  /** Longest wait for /readyz. @default 180 s */
  readyTimeoutMs?: number;
}

/** Fails unless dist/ is built from the current sources (a benchmark of old code misleads). */
export function assertBuilt(): void {
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `npm run build` first');
  const newest = (dir: string, keep: (name: string) => boolean) =>
    Math.max(
      0,
      ...readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
        .filter(keep)
        .map((name) => statSync(join(ROOT, dir, name)).mtimeMs),
    );
  const source = newest('src', (name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
  if (source > newest('dist', (name) => name.endsWith('.js'))) throw new Error('dist/ is older than src/: run `npm run build` first');
}

/** A port nobody listens on right now (the relay binds it a moment later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts the relay and resolves once /readyz answers 200. */
export async function startRelay(options: StartRelayOptions): Promise<RelayProcess> {
  const port = await freePort();
  const cwd = mkdtempSync(join(tmpdir(), 'colt-relay-bench-'));
  const logPath = join(cwd, 'relay.log');
  const out = openSync(logPath, 'w');
  const profile = options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : [];
  const started = performance.now();
  // A clean environment: nothing of the shell's (LOG_LEVEL, RULES…) changes the defaults measured.
  const child = spawn(process.execPath, [...productNodeFlags(), ...profile, BIN, 'serve'], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: String(port), CALLBACK_TOKEN: BENCH_TOKEN, ...options.env },
    stdio: ['ignore', out, 'inherit'],
  });
  closeSync(out);
  let exited: number | null | undefined;
  const exit = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      exited = code;
      resolve(code);
    }),
  );
  const deadline = started + (options.readyTimeoutMs ?? 180_000);
  const log = () => readFileSync(logPath, 'utf8');
  for (;;) {
    if (exited !== undefined) throw new Error(`the relay exited with ${exited} before it was ready:\n${log().slice(-2000)}`);
    if (performance.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the relay was not ready within ${options.readyTimeoutMs ?? 180_000} ms`);
    }
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const readyMs = performance.now() - started;
  return {
    child,
    pid: child.pid!,
    port,
    readyMs,
    log,
    stop: async () => {
      if (exited === undefined) child.kill('SIGTERM');
      const code = await exit;
      rmSync(cwd, { recursive: true, force: true });
      return code;
    },
  };
}

/** VmRSS and VmHWM (peak) of a process, in MB, from /proc/<pid>/status (Linux). */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (Linux). */
export function cpuSecondsOf(pid: number): number {
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15)
  return ticks / CLOCK_TICKS_PER_SECOND;
}

/**
 * CPU seconds used so far by one Postgres server: its postmaster and every child (backends,
 * WAL writer, checkpointer…). What the database costs a benchmark on a machine where the load,
 * the server and Postgres share the cores. Backends that exit between two readings drop out,
 * so read around a load with the connections open.
 */
export function postgresCpuSeconds(postmasterPid: number): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ');
      if (Number(entry) !== postmasterPid && Number(fields[1]) !== postmasterPid) continue; // field 4: ppid
      total += (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
    } catch {
      // exited between readdir and read
    }
  }
  return total;
}

/** The postmaster of the server `sql` is connected to (the parent of its checkpointer); Linux, same machine. */
export async function postmasterPidOf(sql: { unsafe(query: string): Promise<Record<string, unknown>[]> }): Promise<number> {
  const [row] = await sql.unsafe(`select pid from pg_stat_activity where backend_type = 'checkpointer'`);
  const checkpointer = Number(row?.pid);
  return Number(readFileSync(`/proc/${checkpointer}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
}

/** USER_HZ: 100 on every Linux that Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;
