import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One Web API call the peer received; `args` has JSON-encoded fields (blocks) parsed back. */
export interface SlackPeerCall {
  method: string;
  token: string | null;
  args: Record<string, unknown>;
}

/** A message as the peer holds it after posts and updates. */
export interface SlackPeerMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  replyBroadcast: boolean;
  text: string;
  blocks: unknown[];
  /** How many times chat.update changed it. */
  updates: number;
}

/** A scripted failure: a Slack platform error, or an HTTP status (429 with Retry-After). */
export type SlackPeerFailure =
  | { error: string }
  | { status: number; retryAfter?: string; body?: string }
  | { delayMs: number };

export interface SlackPeerOptions {
  /** The bearer token the peer accepts. @default "xoxb-test-token" */
  token?: string;
}

export interface SlackPeer {
  /** `http://127.0.0.1:<port>/api/`: pass as `slackApiUrl`. */
  readonly url: string;
  readonly token: string;
  readonly calls: SlackPeerCall[];
  /** Messages by ts, in posting order. */
  readonly messages: Map<string, SlackPeerMessage>;
  /** The next `times` calls of `method` (or of any method with "*") fail as scripted. */
  failNext(method: string, failure: SlackPeerFailure, times?: number): void;
  close(): Promise<void>;
}

function parseArgs(req: IncomingMessage, raw: string): Record<string, unknown> {
  const type = req.headers['content-type'] ?? '';
  const args: Record<string, unknown> = type.includes('application/json')
    ? (JSON.parse(raw || '{}') as Record<string, unknown>)
    : Object.fromEntries(new URLSearchParams(raw));
  // web-api sends objects and arrays as JSON strings inside the form.
  for (const key of ['blocks', 'attachments', 'metadata']) {
    if (typeof args[key] === 'string') args[key] = JSON.parse(args[key] as string);
  }
  return args;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * A local stand-in for Slack's Web API (`chat.postMessage`, `chat.update`) speaking the
 * same wire format as slack.com: form-encoded or JSON requests, bearer token, `{ ok }`
 * JSON answers, HTTP 429 with Retry-After for rate limits.
 */
export async function startSlackPeer(options: SlackPeerOptions = {}): Promise<SlackPeer> {
  const token = options.token ?? 'xoxb-test-token';
  const calls: SlackPeerCall[] = [];
  const messages = new Map<string, SlackPeerMessage>();
  const failures: Array<{ method: string; failure: SlackPeerFailure; times: number }> = [];
  const timers = new Set<NodeJS.Timeout>();
  let sequence = 0;

  const json = (res: ServerResponse, body: unknown, status = 200) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };

  function takeFailure(method: string): SlackPeerFailure | undefined {
    const index = failures.findIndex((f) => f.method === method || f.method === '*');
    if (index < 0) return undefined;
    const entry = failures[index]!;
    if (--entry.times <= 0) failures.splice(index, 1);
    return entry.failure;
  }

  function postMessage(args: Record<string, unknown>): unknown {
    if (!args.channel) return { ok: false, error: 'channel_not_found' };
    if (!args.text && !args.blocks) return { ok: false, error: 'no_text' };
    sequence++;
    const ts = `${1_764_150_000 + sequence}.${String(sequence).padStart(6, '0')}`;
    // Slack answers with the channel id even when a name was given; fake one from the name.
    const named = String(args.channel);
    const channel = named.startsWith('C') ? named : `C${named.replace(/\W/g, '').toUpperCase()}`;
    const message: SlackPeerMessage = {
      channel,
      ts,
      replyBroadcast: args.reply_broadcast === true || args.reply_broadcast === 'true',
      text: String(args.text ?? ''),
      blocks: (args.blocks as unknown[]) ?? [],
      updates: 0,
    };
    if (args.thread_ts) message.threadTs = String(args.thread_ts);
    messages.set(ts, message);
    return { ok: true, channel, ts, message: { text: message.text, ts } };
  }

  function update(args: Record<string, unknown>): unknown {
    const message = messages.get(String(args.ts));
    if (!message || message.channel !== args.channel) return { ok: false, error: 'message_not_found' };
    message.text = String(args.text ?? message.text);
    message.blocks = (args.blocks as unknown[]) ?? message.blocks;
    message.updates++;
    return { ok: true, channel: message.channel, ts: message.ts, text: message.text };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const method = (req.url ?? '').replace(/^\/api\//, '').replace(/\?.*$/, '');
    const auth = req.headers.authorization ?? null;
    const presented = auth?.startsWith('Bearer ') ? auth.slice(7) : null;
    const args = parseArgs(req, raw);
    calls.push({ method, token: presented, args });

    const failure = takeFailure(method);
    if (failure && 'delayMs' in failure) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) json(res, { ok: false, error: 'request_timeout' });
      }, failure.delayMs);
      timers.add(timer);
      return;
    }
    if (failure && 'status' in failure) {
      res.writeHead(failure.status, failure.retryAfter ? { 'retry-after': failure.retryAfter } : {});
      res.end(failure.body ?? '');
      return;
    }
    if (failure) return json(res, { ok: false, error: failure.error });
    if (presented !== token) return json(res, { ok: false, error: 'invalid_auth' });
    if (method === 'chat.postMessage') return json(res, postMessage(args));
    if (method === 'chat.update') return json(res, update(args));
    json(res, { ok: false, error: 'unknown_method' });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => json(res, { ok: false, error: `peer_error: ${err.message}` }, 500));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/api/`,
    token,
    calls,
    messages,
    failNext: (method, failure, times = 1) => {
      failures.push({ method, failure, times });
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
