/**
 * Node side of the Workers tests: the real peers the Worker talks to (a signature-checking
 * webhook receiver, a Slack Web API stand-in, an HTTP mail API) and a small JSON control
 * server through which the tests, running inside workerd, read what the peers received,
 * script their answers and get a database of their own.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { startSlackPeer, type SlackPeer } from '../../../support/slack-peer.js';
import { startWebhookPeer, type WebhookPeer, type WebhookPeerResponse } from '../../../support/webhook-peer.js';

/** One request the mail API peer received. */
export interface MailApiRequest {
  authorization: string | null;
  idempotencyKey: string | null;
  body: Record<string, unknown>;
}

/** What the tests learn through `inject('workersPeers')`. */
export interface PeerUrls {
  controlUrl: string;
  webhookUrl: string;
  webhookSecret: string;
  slackApiUrl: string;
  slackToken: string;
  mailApiUrl: string;
  mailApiKey: string;
}

export interface Peers {
  urls: PeerUrls;
  close(): Promise<void>;
}

/** Creates and drops databases for test files; null when no Postgres is configured. */
export interface DatabaseFactory {
  create(): Promise<string>;
  drop(url: string): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : {};
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A Resend-shaped mail API: records each POST and answers `{"id": …}`. */
async function startMailApiPeer(apiKey: string): Promise<{ url: string; requests: MailApiRequest[]; close(): Promise<void> }> {
  const requests: MailApiRequest[] = [];
  const server = createServer((req, res) => {
    readJson(req).then(
      (body) => {
        const authorization = req.headers.authorization ?? null;
        requests.push({ authorization, idempotencyKey: (req.headers['idempotency-key'] as string | undefined) ?? null, body: body as Record<string, unknown> });
        if (authorization !== `Bearer ${apiKey}`) return send(res, 401, { name: 'missing_api_key', message: 'bad key' });
        send(res, 200, { id: `mail-${requests.length}` });
      },
      () => send(res, 400, { message: 'invalid JSON' }),
    );
  });
  const base = await listen(server);
  return {
    url: `${base}/emails`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A TCP proxy in front of a database that counts the connections made through it. */
interface CountingProxy {
  url: string;
  connections: number;
  server: TcpServer;
}

async function startCountingProxy(databaseUrl: string): Promise<CountingProxy> {
  const target = new URL(databaseUrl);
  const proxy: CountingProxy = { url: '', connections: 0, server: createTcpServer() };
  proxy.server.on('connection', (client) => {
    proxy.connections++;
    const upstream = connect(Number(target.port || 5432), target.hostname);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
  const via = new URL(databaseUrl);
  via.hostname = '127.0.0.1';
  via.port = String((proxy.server.address() as AddressInfo).port);
  proxy.url = via.toString();
  return proxy;
}

/**
 * The control API: GET /state, POST /webhook/respond, POST /databases, DELETE /databases?url=…,
 * POST /proxies {url} (a connection-counting proxy to a database) and GET /proxies?url=… (its count).
 */
function controlHandler(webhook: WebhookPeer, slack: SlackPeer, mail: { requests: MailApiRequest[] }, databases: DatabaseFactory | null, proxies: Map<string, CountingProxy>) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://control');
    if (url.pathname === '/proxies') {
      if (req.method === 'POST') {
        const proxy = await startCountingProxy(((await readJson(req)) as { url: string }).url);
        proxies.set(proxy.url, proxy);
        return send(res, 200, { url: proxy.url });
      }
      const proxy = proxies.get(url.searchParams.get('url') ?? '');
      return proxy ? send(res, 200, { connections: proxy.connections }) : send(res, 404, { error: 'no such proxy' });
    }
    if (req.method === 'GET' && url.pathname === '/state') {
      return send(res, 200, {
        webhook: webhook.requests.map(({ webhookId, verified, verifyError, payload, headers }) => ({ webhookId, verified, verifyError, payload, headers })),
        slack: { calls: slack.calls, messages: [...slack.messages.values()] },
        mail: mail.requests,
      });
    }
    if (req.method === 'POST' && url.pathname === '/webhook/respond') {
      webhook.respondWith(...((await readJson(req)) as WebhookPeerResponse[]));
      return send(res, 200, { ok: true });
    }
    if (url.pathname === '/databases' && databases) {
      if (req.method === 'POST') return send(res, 200, { url: await databases.create() });
      if (req.method === 'DELETE') {
        await databases.drop(url.searchParams.get('url') ?? '');
        return send(res, 200, { ok: true });
      }
    }
    send(res, 404, { error: `no control route ${req.method} ${url.pathname}` });
  };
}

/** Starts every peer and the control server on 127.0.0.1. */
export async function startPeers(databases: DatabaseFactory | null): Promise<Peers> {
  const webhookSecret = `whsec_${randomBytes(24).toString('base64')}`;
  const mailApiKey = `re_test_${randomBytes(8).toString('hex')}`;
  const webhook = await startWebhookPeer(webhookSecret);
  const slack = await startSlackPeer();
  const mail = await startMailApiPeer(mailApiKey);
  const proxies = new Map<string, CountingProxy>();
  const handle = controlHandler(webhook, slack, mail, databases, proxies);
  const control = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { error: (err as Error).message }));
  });
  const controlUrl = await listen(control);
  return {
    urls: {
      controlUrl,
      webhookUrl: webhook.url,
      webhookSecret,
      slackApiUrl: slack.url,
      slackToken: slack.token,
      mailApiUrl: mail.url,
      mailApiKey,
    },
    close: async () => {
      control.closeAllConnections();
      await new Promise<void>((resolve) => control.close(() => resolve()));
      for (const proxy of proxies.values()) proxy.server.close();
      await Promise.all([webhook.close(), slack.close(), mail.close()]);
    },
  };
}
