/**
 * A local stand-in for Colt's numbers API as Colt's published text describes it
 * (docs/colt.md#what-colt-publishes): an OAuth2 client-credentials token endpoint that
 * takes the client id and secret as HTTP Basic only, a form body with
 * `grant_type=client_credentials` and the tracking header; and `GET /order/{orderId}`
 * behind the bearer token, answering the JSON order a test sets (404 for an unknown one).
 * Answers can be scripted (a 503 first) and every call is recorded.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { COLT_API_PATH, COLT_TOKEN_PATH } from '../../src/colt/endpoints.js';

export interface ColtApiPeerCall {
  method: string;
  path: string;
  status: number;
  trackingId: string | null;
}

export interface ColtApiPeer {
  /** COLT_API_BASE_URL: `http://127.0.0.1:<port>/numberManagement/inbound/v1`. */
  readonly apiBaseUrl: string;
  /** COLT_TOKEN_URL. */
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly calls: ColtApiPeerCall[];
  /** What GET /order/{orderId} answers for this order from now on. */
  setOrder(orderId: string, body: Record<string, unknown>): void;
  /** The next `times` GET /order calls answer this status (e.g. 503) before the order. */
  failNext(status: number, times?: number): void;
  close(): Promise<void>;
}

const TRACKING_HEADER = 'apigwtrackingid';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** TM Forum style error body: code, reason, message. */
function error(res: ServerResponse, status: number, code: string, reason: string, headers: Record<string, string> = {}): number {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ code, reason, message: reason, status: String(status) }));
  return status;
}

export async function startColtApiPeer(options: { clientId?: string; clientSecret?: string } = {}): Promise<ColtApiPeer> {
  const clientId = options.clientId ?? 'reseller-client-1';
  const clientSecret = options.clientSecret ?? 'reseller-secret-never-logged';
  const orders = new Map<string, Record<string, unknown>>();
  const tokens = new Set<string>();
  const calls: ColtApiPeerCall[] = [];
  const failures: number[] = [];

  async function token(req: IncomingMessage, res: ServerResponse): Promise<number> {
    const body = await readBody(req);
    const auth = req.headers.authorization ?? '';
    if (!auth) return error(res, 401, '001', 'no client authentication in the request');
    if (!auth.startsWith('Basic ')) return error(res, 401, '002', 'authentication method other than Basic');
    if (!req.headers[TRACKING_HEADER]) return error(res, 400, '004', 'missing tracking header APIGWTrackingId');
    if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return error(res, 415, '001', 'body must be form-urlencoded');
    if (new URLSearchParams(body).get('grant_type') !== 'client_credentials') return error(res, 400, '002', 'missing grant_type');
    const [id, secret] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
    if (id !== clientId || secret !== clientSecret) return error(res, 401, '001', 'invalid client credentials');
    const issued = `tok-${crypto.randomUUID()}`;
    tokens.add(issued);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ access_token: issued, token_type: 'Bearer', expires_in: 1800 }));
    return 200;
  }

  function order(req: IncomingMessage, res: ServerResponse, orderId: string): number {
    const bearer = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (!tokens.has(bearer)) return error(res, 401, '401', 'token invalid or expired');
    const failure = failures.shift();
    // Retry-After: 0 lets the client's own quick retries run without real waiting.
    if (failure !== undefined) return error(res, failure, String(failure), 'service unavailable', { 'retry-after': '0' });
    const body = orders.get(orderId);
    if (!body) return error(res, 404, '404', `order ${orderId} not found`);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
    return 200;
  }

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://peer').pathname;
    const orderPath = `${COLT_API_PATH}/order/`;
    const handled =
      req.method === 'POST' && path === COLT_TOKEN_PATH
        ? token(req, res)
        : req.method === 'GET' && path.startsWith(orderPath)
          ? Promise.resolve(order(req, res, decodeURIComponent(path.slice(orderPath.length))))
          : Promise.resolve(error(res, 404, '404', 'resource not found'));
    void handled.then((status) => calls.push({ method: req.method ?? '', path, status, trackingId: (req.headers[TRACKING_HEADER] as string) ?? null }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    apiBaseUrl: base + COLT_API_PATH,
    tokenUrl: base + COLT_TOKEN_PATH,
    clientId,
    clientSecret,
    calls,
    setOrder: (orderId, body) => void orders.set(orderId, body),
    failNext: (status, times = 1) => {
      for (let i = 0; i < times; i++) failures.push(status);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
