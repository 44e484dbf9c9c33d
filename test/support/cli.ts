/**
 * The command line as a user runs it: real processes. When dist/ is built from the current
 * sources (as after `npm install` or `npm ci`, which build it), they run the installed command,
 * bin/colt-relay.mjs, on the compiled JavaScript users run: a process starts in a fraction of
 * the time tsx needs. When any source file is newer than dist/ (a change not yet built), they
 * run bin/colt-relay-dev.mjs, which runs the sources through tsx: the tests never run stale code.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LockHolder } from '../../src/runtime/node/data-dir-lock.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Newest modification time of the files under `dir` that `keep` accepts. */
function newest(dir: string, keep: (name: string) => boolean): number {
  const names = readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' }).filter(keep);
  return Math.max(0, ...names.map((name) => statSync(join(ROOT, dir, name)).mtimeMs));
}

/** dist/ holds the compiled form of every source file as it is now. */
export function distIsCurrent(): boolean {
  if (!existsSync(join(ROOT, 'dist', 'cli.js'))) return false;
  const sources = newest('src', (name) => /\.tsx?$/.test(name) && !name.endsWith('.test.ts'));
  return sources <= newest('dist', (name) => name.endsWith('.js'));
}

/** The command the tests run: bin/colt-relay.mjs (compiled) or bin/colt-relay-dev.mjs (sources). */
export const BIN = fileURLToPath(new URL(distIsCurrent() ? '../../bin/colt-relay.mjs' : '../../bin/colt-relay-dev.mjs', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Wall time of the process. */
  ms: number;
}

/**
 * Where the commands run unless a test says otherwise: an empty folder, so a checkout's own
 * ./rules.yaml, ./data or .env never reaches a test (they are the user's files).
 */
export const EMPTY_CWD = mkdtempSync(join(tmpdir(), 'colt-relay-cwd-'));

/** Runs `colt-relay <args>` to its end, in EMPTY_CWD (or `cwd`), with only PATH and `env` in its environment. */
export function runCli(args: string[], env: Record<string, string> = {}, options: { cwd?: string } = {}): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { PATH: process.env.PATH!, ...env }, timeout: 120_000, cwd: options.cwd ?? EMPTY_CWD },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr, ms: Date.now() - started });
      },
    );
  });
}

export interface RunningCli {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts a long-running command (`serve`, `worker`) in EMPTY_CWD. */
export function startCli(args: string[], env: Record<string, string>): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH!, ...env }, cwd: EMPTY_CWD, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Waits until the relay on `dataDir` has written its lock and answers /readyz 200; its lock. */
export async function waitForRelay(dataDir: string, running: RunningCli, timeoutMs = 120_000): Promise<LockHolder> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (running.child.exitCode !== null) throw new Error(`relay exited ${running.child.exitCode}:\n${running.output()}`);
    const holder = await readFile(join(dataDir, 'colt-relay.lock'), 'utf8').then((t) => JSON.parse(t) as LockHolder, () => null);
    if (holder?.api && holder.pid === running.child.pid) {
      const ready = await fetch(`${holder.api.url}/readyz`).then((r) => r.status, () => 0);
      if (ready === 200) return holder;
    }
    await new Promise((r) => setTimeout(r, 100)); // polling another process: no clock to drive
  }
  throw new Error(`relay not ready after ${timeoutMs} ms:\n${running.output()}`);
}
