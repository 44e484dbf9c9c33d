/** Starts bench/webhook-receiver.ts in its own process and talks to it over IPC. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ArrivalLog, ReceiverRequest } from '../webhook-receiver.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RECEIVER = fileURLToPath(new URL('../webhook-receiver.ts', import.meta.url));

export interface Receiver {
  /** `http://127.0.0.1:<port>/hook` */
  url: string;
  pid: number;
  reset(): Promise<void>;
  /** Distinct callbacks received since the last reset. */
  count(): Promise<number>;
  collect(): Promise<ArrivalLog>;
  close(): Promise<void>;
}

export async function startReceiver(secret: string): Promise<Receiver> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', RECEIVER], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', WEBHOOK_SECRET: secret },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the webhook receiver exited with ${code}`)));
    child.once('message', (m: { port: number }) => resolve(m.port));
  });
  child.removeAllListeners('exit');
  const waiting = new Map<number, { resolve(reply: Record<string, unknown>): void; reject(error: Error): void }>();
  child.on('message', (reply: { seq?: number }) => {
    if (reply.seq === undefined) return;
    waiting.get(reply.seq)?.resolve(reply);
    waiting.delete(reply.seq);
  });
  child.on('exit', (code) => {
    for (const { reject } of waiting.values()) reject(new Error(`the webhook receiver exited with ${code}`));
  });
  let seq = 0;
  const ask = (type: ReceiverRequest['type']) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const request: ReceiverRequest = { seq: ++seq, type };
      waiting.set(request.seq, { resolve, reject });
      child.send(request);
    });
  return {
    url: `http://127.0.0.1:${port}/hook`,
    pid: child.pid!,
    reset: async () => {
      await ask('reset');
    },
    count: async () => (await ask('count')).count as number,
    collect: async () => (await ask('collect')).log as ArrivalLog,
    close: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.disconnect();
      await exited;
    },
  };
}
