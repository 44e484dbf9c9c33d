/**
 * Running a checkout's Worker in local workerd (`wrangler dev`) for bench:worker-cpu: start it
 * with given vars, find its workerd processes and read their CPU time, profile it through
 * workerd's inspector, and measure the global scope with `wrangler check startup`. Linux only
 * (/proc).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

export interface WorkerdProcess {
  pid: number;
  /** wrangler's local entry proxy (not on Cloudflare) rather than the Worker. */
  entry: boolean;
}

/** Descendant workerd processes of `root`. */
export function workerdUnder(root: number): WorkerdProcess[] {
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

export interface WranglerDev {
  base: string;
  inspectorPort: number;
  child: ChildProcess;
  /** Everything wrangler printed (its logs and the Worker's console). */
  output(): string;
  stop(): Promise<void>;
}

/** `wrangler dev` in `dir` with `vars`; resolves once wrangler says it is ready (no request sent yet). */
export async function startWranglerDev(dir: string, vars: Record<string, string>): Promise<WranglerDev> {
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
  const stop = async () => {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {}
    await sleep(1500);
  };
  for (let i = 0; !/Ready on http/.test(output); i++) {
    if (child.exitCode !== null || i > 1800) {
      await stop();
      throw new Error(`wrangler dev did not start in ${dir}:\n${output.slice(-2000)}`);
    }
    await sleep(100);
  }
  // workerd has loaded the Worker; give the entry proxy a moment to settle.
  await sleep(1500);
  return { base: `http://127.0.0.1:${port}`, inspectorPort, child, output: () => output, stop };
}

/**
 * Global-scope CPU of the checkout's bundle (`wrangler check startup`'s "Active" time,
 * garbage collection included), in ms.
 */
export function startupActiveMs(dir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['wrangler', 'check', 'startup', '--outfile', '/dev/null'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    let output = '';
    const collect = (d: Buffer) => {
      output += d.toString();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('exit', () => {
      const match = /Active: ([\d.]+) ms/.exec(output);
      if (match) resolve(Number(match[1]));
      else reject(new Error(`wrangler check startup printed no Active time:\n${output.slice(-1500)}`));
    });
  });
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
