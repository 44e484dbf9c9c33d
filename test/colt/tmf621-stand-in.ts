/**
 * A TMF621 Trouble Ticket API that behaves as the published text says, not as mock-colt
 * once did (docs/colt.md#trouble-tickets): the list honours no filter (Colt publishes none),
 * so `GET /troubleTicket?externalId=…` answers every ticket, another reseller's included; a
 * PATCH is a JSON Merge Patch (RFC 7386, written out here independently of the relay's
 * code), so `note: [one]` leaves one note. It can lose the answer to a request it has
 * carried out (the connection is cut after the change), the case retries must survive.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Ticket = Record<string, unknown> & { id: string; note?: { text: string; author?: string }[] };

export interface StandInRequest {
  method: string;
  path: string;
  query: string;
  contentType: string | null;
  /** The answer's status, or "lost" when the connection was cut after the change. */
  outcome: number | 'lost';
}

export interface Tmf621StandIn {
  /** COLT_TICKET_API_BASE_URL. */
  baseUrl: string;
  tickets: Map<string, Ticket>;
  requests: StandInRequest[];
  /** Carries out the next `count` requests of `method` and cuts the connection instead of answering. */
  loseAnswers(method: 'POST' | 'PATCH', count?: number): void;
  /** Answers every list request with this status (a server without the list operation). */
  listStatus: number;
  close(): Promise<void>;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** RFC 7386 section 2, as pseudo-code there. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [name, value] of Object.entries(patch)) {
    if (value === null) delete result[name];
    else result[name] = mergePatch(result[name], value);
  }
  return result;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

function send(res: ServerResponse, status: number, body: unknown): number {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  return status;
}

const error = (res: ServerResponse, status: number, message: string) => send(res, status, { code: String(status), reason: 'error', message });

/** Starts the stand-in with `seed` tickets already in it (another reseller's, say). */
export async function startTmf621StandIn(seed: Ticket[] = []): Promise<Tmf621StandIn> {
  const tickets = new Map(seed.map((t) => [t.id, structuredClone(t)]));
  const requests: StandInRequest[] = [];
  const lose = { POST: 0, PATCH: 0 };
  let seq = 1;
  const state = { listStatus: 200 };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<number | 'lost'> {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    // The same OAuth token and tracking header as the numbers API.
    if (!/^Bearer \S+/.test(req.headers.authorization ?? '')) return error(res, 401, 'no bearer token');
    if (!req.headers.apigwtrackingid) return error(res, 400, 'missing tracking header APIGWTrackingId');
    const cut = (method: 'POST' | 'PATCH') => {
      if (lose[method] === 0) return false;
      lose[method]--;
      res.socket?.destroy();
      return true;
    };
    const one = /^\/troubleTicket\/([^/]+)$/.exec(url.pathname);
    if (url.pathname === '/troubleTicket' && req.method === 'GET') {
      if (state.listStatus !== 200) return error(res, state.listStatus, 'no list operation here');
      return send(res, 200, [...tickets.values()]);
    }
    if (url.pathname === '/troubleTicket' && req.method === 'POST') {
      const body = await readJson(req);
      if (!isObject(body) || typeof body.description !== 'string') return error(res, 400, 'description is required');
      const id = `TT-${seq++}`;
      const ticket: Ticket = { ...body, id, href: `/troubleTicket/${id}`, status: 'acknowledged', note: (body.note as Ticket['note']) ?? [] };
      tickets.set(id, ticket);
      return cut('POST') ? 'lost' : send(res, 201, ticket);
    }
    if (one && req.method === 'GET') {
      const ticket = tickets.get(decodeURIComponent(one[1]!));
      return ticket ? send(res, 200, ticket) : error(res, 404, 'no such ticket');
    }
    if (one && req.method === 'PATCH') {
      const id = decodeURIComponent(one[1]!);
      const ticket = tickets.get(id);
      if (!ticket) return error(res, 404, 'no such ticket');
      if (!/^application\/merge-patch\+json\b/i.test(req.headers['content-type'] ?? '')) return error(res, 415, 'PATCH takes application/merge-patch+json');
      const patch = await readJson(req);
      if (!isObject(patch)) return error(res, 400, 'the patch must be a JSON object');
      const patched = { ...(mergePatch(ticket, patch) as Ticket), id };
      tickets.set(id, patched);
      return cut('PATCH') ? 'lost' : send(res, 200, patched);
    }
    return error(res, 405, `${req.method} ${url.pathname} is not offered`);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    void handle(req, res).then((outcome) =>
      requests.push({ method: req.method ?? '', path: url.pathname, query: url.search, contentType: req.headers['content-type'] ?? null, outcome }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tickets,
    requests,
    loseAnswers(method, count = 1) {
      lose[method] += count;
    },
    get listStatus() {
      return state.listStatus;
    },
    set listStatus(status: number) {
      state.listStatus = status;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
