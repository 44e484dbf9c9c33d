/**
 * The downstream system of bench/peer.bench.ts: one webhook receiver that every contender
 * delivers to. It verifies each request's signature with the `standardwebhooks` package (a bad
 * one is answered 400 and counted) and notes when the request arrived, which callback it
 * carries (`data.orderId`) and its `webhook-id`. It runs in its own process so that the load
 * generator's event loop cannot delay the arrival stamps.
 *
 *   WEBHOOK_SECRET=whsec_… node --import tsx bench/webhook-receiver.ts     # IPC: { port } once listening
 *
 * Arrival stamps are `process.hrtime` milliseconds: CLOCK_MONOTONIC, one clock for every process
 * on the machine, so the benchmark subtracts its own send stamps from them.
 * IPC requests `{ seq, type }`: `reset` forgets every arrival, `count` answers with the number of
 * distinct callbacks received, `collect` with every arrival (`ArrivalLog`).
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** Every verified request since the last reset, as parallel arrays (cheap to send over IPC). */
export interface ArrivalLog {
  callbackIds: string[];
  webhookIds: string[];
  atMs: number[];
  /** Requests whose signature did not verify (answered 400, so the sender retries). */
  unverified: number;
}

export type ReceiverRequest = { seq: number; type: 'reset' | 'count' | 'collect' };

const secret = process.env.WEBHOOK_SECRET;
if (!secret) throw new Error('webhook-receiver: WEBHOOK_SECRET is required');
const verifier = new Webhook(secret);
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

let log: ArrivalLog = { callbackIds: [], webhookIds: [], atMs: [], unverified: 0 };
let distinct = new Set<string>();

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const server = createServer((req, res) => {
  const at = nowMs();
  void readBody(req).then(
    (body) => {
      let orderId: unknown;
      try {
        const payload = verifier.verify(body, req.headers as Record<string, string>) as { data?: { orderId?: unknown } };
        orderId = payload.data?.orderId;
      } catch {
        log.unverified++;
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"bad signature"}');
        return;
      }
      const id = typeof orderId === 'string' ? orderId : '(none)';
      log.callbackIds.push(id);
      log.webhookIds.push(String(req.headers['webhook-id']));
      log.atMs.push(at);
      distinct.add(id);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    },
    () => res.destroy(),
  );
});
server.keepAliveTimeout = 60_000;

process.on('message', (message: ReceiverRequest) => {
  if (message.type === 'reset') {
    log = { callbackIds: [], webhookIds: [], atMs: [], unverified: 0 };
    distinct = new Set();
    process.send!({ seq: message.seq });
  } else if (message.type === 'count') {
    process.send!({ seq: message.seq, count: distinct.size });
  } else {
    process.send!({ seq: message.seq, log });
  }
});
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  process.send!({ port: (server.address() as AddressInfo).port });
});
