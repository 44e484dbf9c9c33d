/**
 * The two contenders of bench/peer.bench.ts, each in its own process on its own fresh
 * database: the real `colt-relay serve` (bench/relay-process.ts, default flags, logging,
 * metrics and dispatcher) with one rule that sends every event to one webhook channel, and the
 * graphile-worker peer (bench/graphile-peer.ts). Both deliver to the same receiver with the
 * same secret.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type postgres from 'postgres';
import { BENCH_TOKEN, startRelay } from '../relay-process.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PEER = fileURLToPath(new URL('../graphile-peer.ts', import.meta.url));

export const CONTENDERS = ['relay', 'peer'] as const;
export type ContenderName = (typeof CONTENDERS)[number];

export interface Contender {
  pid: number;
  port: number;
  /**
   * One statement that counts the work still to write after the webhooks went out (delivery
   * outcomes, finished jobs); 0 when the contender is idle.
   */
  unfinishedQuery: string;
  stop(): Promise<unknown>;
}

export interface ContenderOptions {
  databaseUrl: string;
  hookUrl: string;
  hookSecret: string;
  /** GRAPHILE_BATCHING for the peer: graphile-worker's batching starting point, or its defaults. */
  peerBatching: boolean;
  /** Writes a V8 CPU profile of the contender's process into this folder at exit. */
  cpuProfileDir?: string;
}

export function startContender(name: ContenderName, options: ContenderOptions): Promise<Contender> {
  return name === 'relay' ? startRelayContender(options) : startPeer(options);
}

async function startRelayContender(options: ContenderOptions): Promise<Contender> {
  const rules = [
    'channels:',
    `  receiver: { type: webhook, url: ${options.hookUrl}, secret: \${BENCH_WEBHOOK_SECRET} }`,
    'rules:',
    '  - name: every event',
    '    notify: [receiver]',
    '',
  ].join('\n');
  const relay = await startRelay({
    env: {
      DATABASE_URL: options.databaseUrl,
      RULES: rules,
      BENCH_WEBHOOK_SECRET: options.hookSecret,
      WEBHOOK_ALLOW_PRIVATE: 'true',
    },
    cpuProfileDir: options.cpuProfileDir,
  });
  return {
    pid: relay.pid,
    port: relay.port,
    unfinishedQuery: `
      select (select count(*) from event_work)
           + (select count(*) from deliveries where status in ('pending', 'sending', 'retrying', 'grouped')) as n`,
    stop: relay.stop,
  };
}

async function startPeer(options: ContenderOptions): Promise<Contender> {
  const dir = mkdtempSync(join(tmpdir(), 'colt-peer-bench-'));
  // graphile-worker logs every finished job on stdout, as the relay logs every delivery: a file takes both.
  const out = openSync(join(dir, 'peer.log'), 'w');
  const profile = options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', PEER], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: options.databaseUrl,
      WEBHOOK_URL: options.hookUrl,
      WEBHOOK_SECRET: options.hookSecret,
      CALLBACK_TOKEN: BENCH_TOKEN,
      GRAPHILE_BATCHING: options.peerBatching ? 'on' : 'off',
    },
    stdio: ['ignore', out, 'inherit', 'ipc'],
  });
  closeSync(out);
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the graphile-worker peer exited with ${code}`)));
    child.once('message', (m: { port: number }) => resolve(m.port));
  });
  child.removeAllListeners('exit');
  const exited = new Promise((r) => child.once('exit', r));
  return {
    pid: child.pid!,
    port,
    unfinishedQuery: 'select count(*) as n from graphile_worker.jobs',
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Polls `unfinishedQuery` until it reads 0 or `timeoutMs` passes. Returns whether it did, and
 * how many statements it ran: one transaction each (the simple protocol), which the commit
 * count subtracts.
 */
export async function waitUntilFinished(
  sql: postgres.Sql,
  contender: Contender,
  timeoutMs: number,
): Promise<{ finished: boolean; statements: number }> {
  const deadline = performance.now() + timeoutMs;
  for (let statements = 1; ; statements++) {
    const [row] = await sql.unsafe<{ n: string }[]>(contender.unfinishedQuery).simple();
    if (Number(row!.n) === 0) return { finished: true, statements };
    if (performance.now() > deadline) return { finished: false, statements };
    await new Promise((r) => setTimeout(r, 50));
  }
}
