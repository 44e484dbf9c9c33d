import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request the peer received, with the outcome of verifying its signature. */
export interface WebhookPeerRequest {
  method: string;
  path: string;
  /** Lower-cased header names, as Node gives them. */
  headers: Record<string, string>;
  webhookId: string | null;
  body: string;
  /** True when `standardwebhooks` verified the signature (and timestamp tolerance). */
  verified: boolean;
  verifyError?: string;
  /** The parsed JSON body when it verified. */
  payload?: unknown;
}

/** A scripted answer; anything left out takes the default (200, empty JSON body). */
export interface WebhookPeerResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Wait this long before answering (provokes client timeouts). */
  delayMs?: number;
}

export interface WebhookPeer {
  /** `http://127.0.0.1:<port>/hook` */
  readonly url: string;
  readonly port: number;
  readonly requests: WebhookPeerRequest[];
  /** TCP connections accepted so far: proves a refused URL was never attempted. */
  readonly connections: number;
  /** Queues answers for the next requests, in order; after them the default applies. */
  respondWith(...responses: WebhookPeerResponse[]): void;
  /** Changes the answer used when the queue is empty. */
  setDefault(response: WebhookPeerResponse): void;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * A loopback webhook receiver that verifies every request with the `standardwebhooks`
 * package, as a real downstream system would, and answers as scripted.
 */
export async function startWebhookPeer(secret: string): Promise<WebhookPeer> {
  const verifier = new Webhook(secret);
  const requests: WebhookPeerRequest[] = [];
  const queue: WebhookPeerResponse[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let fallback: WebhookPeerResponse = { status: 200, body: '{"received":true}' };
  let connections = 0;

  function answer(res: ServerResponse, response: WebhookPeerResponse): void {
    if (res.destroyed) return;
    const body = response.body ?? '';
    res.writeHead(response.status ?? 200, { 'content-type': 'application/json', ...response.headers });
    res.end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const headers = flatHeaders(req);
    const record: WebhookPeerRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers,
      webhookId: headers['webhook-id'] ?? null,
      body,
      verified: false,
    };
    try {
      record.payload = verifier.verify(body, headers);
      record.verified = true;
    } catch (err) {
      record.verifyError = (err as Error).message;
    }
    requests.push(record);
    const response = queue.shift() ?? fallback;
    if (response.delayMs) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        answer(res, response);
      }, response.delayMs);
      timers.add(timer);
    } else {
      answer(res, response);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', () => {
    connections++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/hook`,
    port,
    requests,
    get connections() {
      return connections;
    },
    respondWith: (...responses) => {
      queue.push(...responses);
    },
    setDefault: (response) => {
      fallback = response;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
