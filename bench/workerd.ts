/**
 * Running a checkout's Worker locally for bench:worker-cpu, two ways:
 *   workerd      the bundle `wrangler deploy --dry-run` builds (what is uploaded), served by the
 *                workerd binary wrangler ships, with the checkout's compatibility date and
 *                flags, its [vars] and the bench's, and nothing in front: what Cloudflare runs
 *   wrangler-dev `wrangler dev`: its entry proxy in front, and its inspector attached (it forwards
 *                the console through it), which slows every invocation (bench/README.md#worker-cpu)
 * Also: the Worker's process and its CPU time, a CPU profile through the inspector, the global
 * scope's CPU (`wrangler check startup`). Linux only (/proc).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { unstable_readConfig } from 'wrangler';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const freePort = () =>
  new Promise<number>((resolvePort) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });

/**
 * CPU time of a process in ms, all threads: the scheduler's nanosecond count per thread
 * (/proc/<pid>/task/<tid>/schedstat), which resolves a single request, unlike /proc/<pid>/stat's 10 ms ticks.
 */
export function cpuMs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {}
  }
  return ns / 1e6;
}

/** Descendant processes of `root` whose command line contains `name`. */
function descendants(root: number, name: string): { pid: number; cmd: string }[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      parentOf.set(Number(entry), Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]));
    } catch {}
  }
  const isUnder = (pid: number): boolean => {
    for (let p = parentOf.get(pid); p !== undefined && p > 1; p = parentOf.get(p)) if (p === root) return true;
    return false;
  };
  return [...parentOf.keys()]
    .filter(isUnder)
    .map((pid) => ({ pid, cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8') }))
    .filter((p) => p.cmd.includes(name));
}

export type Harness = 'workerd' | 'wrangler-dev';

export interface RunningWorker {
  base: string;
  /** The process that runs the Worker. */
  workerPid: number;
  /** wrangler dev's entry proxy (not on Cloudflare); absent in plain workerd. */
  proxyPid?: number;
  /** Where workerd's inspector listens, when asked for (workerd) or always (wrangler dev). */
  inspector?: { port: number; origin?: string };
  /** CPU the process took to start listening (workerd compiles and evaluates the bundle then); plain workerd only. */
  startupMs?: number;
  /** The bundle's source map, for profiles. */
  sourceMap(): string | null;
  stop(): Promise<void>;
}

const kill = async (child: ChildProcess) => {
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {}
  await sleep(1000);
};

/** The workerd binary wrangler runs (the version its compatibility dates are tested with). */
function workerdBinary(): string {
  const here = resolve(import.meta.dirname, '..', 'node_modules');
  for (const candidate of ['wrangler/node_modules/@cloudflare/workerd-linux-64/bin/workerd', '@cloudflare/workerd-linux-64/bin/workerd']) {
    if (existsSync(join(here, candidate))) return join(here, candidate);
  }
  throw new Error('no workerd binary under node_modules (Linux x64 only)');
}

/** Builds the checkout's Worker as it would be uploaded: worker.js and its source map in a new folder. */
function buildBundle(dir: string): string {
  const out = mkdtempSync(join(tmpdir(), 'colt-worker-bundle-'));
  const built = spawnSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', out], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  if (built.status !== 0 || !existsSync(join(out, 'worker.js'))) throw new Error(`wrangler deploy --dry-run failed in ${dir}:\n${built.stderr}${built.stdout}`);
  return out;
}

const capnpString = (s: string) => JSON.stringify(s);

/** A workerd configuration (beside the bundle: embed paths are relative) serving it on `port`, with text bindings and the network open. */
function workerdConfig(port: number, compatibilityDate: string, flags: string[], bindings: Record<string, string>): string {
  const list = Object.entries(bindings).map(([name, text]) => `(name = ${capnpString(name)}, text = ${capnpString(text)})`);
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = ${capnpString(compatibilityDate)},
  compatibilityFlags = [${flags.map(capnpString).join(', ')}],
  bindings = [${list.join(', ')}],
  globalOutbound = "internet",
);
`;
}

async function waitForPort(port: number, child: ChildProcess, output: () => string): Promise<void> {
  for (let i = 0; ; i++) {
    const open = await new Promise<boolean>((r) => {
      const socket = createConnection(port, '127.0.0.1', () => {
        socket.destroy();
        r(true);
      }).on('error', () => r(false));
    });
    if (open) return;
    if (child.exitCode !== null || i > 600) throw new Error(`workerd did not start:\n${output().slice(-2000)}`);
    await sleep(100);
  }
}

/**
 * The checkout's deployable bundle in plain workerd with `vars` over its [vars]; resolves once
 * the port accepts connections (no request sent: the isolate is cold).
 */
async function startWorkerd(dir: string, vars: Record<string, string>, options: { inspect: boolean }): Promise<RunningWorker> {
  const config = unstable_readConfig({ config: join(dir, 'wrangler.toml') });
  const bundle = buildBundle(dir);
  const port = await freePort();
  const inspectorPort = options.inspect ? await freePort() : undefined;
  const bindings = { ...Object.fromEntries(Object.entries(config.vars ?? {}).map(([k, v]) => [k, String(v)])), ...vars };
  const file = join(bundle, 'config.capnp');
  writeFileSync(file, workerdConfig(port, config.compatibility_date ?? '2026-04-01', config.compatibility_flags ?? [], bindings));
  const args = ['serve', file, ...(inspectorPort ? [`--inspector-addr=127.0.0.1:${inspectorPort}`] : [])];
  const child = spawn(workerdBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const collect = (d: Buffer) => {
    output += d.toString();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  await waitForPort(port, child, () => output);
  return {
    base: `http://127.0.0.1:${port}`,
    workerPid: child.pid!,
    startupMs: cpuMs(child.pid!),
    ...(inspectorPort && { inspector: { port: inspectorPort } }),
    sourceMap: () => (existsSync(join(bundle, 'worker.js.map')) ? readFileSync(join(bundle, 'worker.js.map'), 'utf8') : null),
    stop: async () => {
      await kill(child);
      rmSync(bundle, { recursive: true, force: true });
    },
  };
}

/** `wrangler dev` in `dir` with `vars`; resolves once wrangler says it is ready (no request sent yet). */
async function startWranglerDev(dir: string, vars: Record<string, string>): Promise<RunningWorker> {
  const port = await freePort();
  const inspectorPort = await freePort();
  const args = ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', String(port), '--inspector-port', String(inspectorPort)];
  for (const [name, value] of Object.entries(vars)) args.push('--var', `${name}:${value}`);
  const child = spawn('npx', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, NO_COLOR: '1' } });
  let output = '';
  const collect = (d: Buffer) => {
    output += d.toString();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  for (let i = 0; !/Ready on http/.test(output); i++) {
    if (child.exitCode !== null || i > 1800) {
      await kill(child);
      throw new Error(`wrangler dev did not start in ${dir}:\n${output.slice(-2000)}`);
    }
    await sleep(100);
  }
  // workerd has loaded the Worker; give the entry proxy a moment to settle.
  await sleep(1500);
  const processes = descendants(child.pid!, 'workerd');
  const worker = processes.find((p) => p.cmd.includes('--inspector-addr'))!;
  const proxy = processes.find((p) => !p.cmd.includes('--inspector-addr'));
  const devMap = () => {
    const tmp = join(dir, '.wrangler', 'tmp');
    for (const entry of readdirSync(tmp).filter((n) => n.startsWith('dev-'))) {
      const map = join(tmp, entry, 'worker.js.map');
      if (existsSync(map)) return readFileSync(map, 'utf8');
    }
    return null;
  };
  return {
    base: `http://127.0.0.1:${port}`,
    workerPid: worker.pid,
    ...(proxy && { proxyPid: proxy.pid }),
    // wrangler's inspector proxy refuses a connection without an Origin.
    inspector: { port: inspectorPort, origin: `http://127.0.0.1:${inspectorPort}` },
    sourceMap: devMap,
    stop: () => kill(child),
  };
}

/** Starts the checkout's Worker with the given harness. */
export function startWorker(harness: Harness, dir: string, vars: Record<string, string>, options: { inspect: boolean }): Promise<RunningWorker> {
  return harness === 'workerd' ? startWorkerd(dir, vars, options) : startWranglerDev(dir, vars);
}

/**
 * Global-scope CPU of the checkout's bundle (`wrangler check startup`'s "Active" time,
 * garbage collection included), in ms.
 */
export function startupActiveMs(dir: string): Promise<number> {
  return new Promise((resolveMs, reject) => {
    const child = spawn('npx', ['wrangler', 'check', 'startup', '--outfile', '/dev/null'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    const collect = (d: Buffer) => {
      output += d.toString();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('exit', () => {
      const match = /Active: ([\d.]+) ms/.exec(output);
      if (match) resolveMs(Number(match[1]));
      else reject(new Error(`wrangler check startup printed no Active time:\n${output.slice(-1500)}`));
    });
  });
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
