/**
 * The simulator's TMF621 Trouble Ticket API (docs/colt.md#trouble-tickets: Colt publishes
 * only its existence, so this follows TM Forum): POST, GET one, GET the list, and PATCH as a
 * JSON Merge Patch (an array in the patch replaces the array, as RFC 7386 says), with an
 * ETag honoured by If-Match; strict about the token and tracking header like the numbers
 * API. Colt publishes no list filter, so the list ignores `externalId` unless told to filter.
 * An opened ticket moves to inProgress, then resolved, and each change is posted to the
 * ticket callback URL as a TroubleTicketStateChangeEvent / ResolvedEvent.
 */
import type { Context, Hono } from 'hono';
import type { FetchFn } from '../colt-http.js';
import { authorization } from './mock-colt.callbacks.js';
import type { MockColtContext } from './mock-colt.context.js';
import { errorResponse } from './mock-colt.context.js';
import { authMiddleware } from './mock-colt.api.routes.js';
import { applyMergePatch } from '../../lib/merge-patch.js';

/** Where the ticket API lives below the simulator's URL (COLT_TICKET_API_BASE_URL = url + this). */
export const MOCK_TICKET_API_PATH = '/tmf-api/troubleTicket/v4';

export interface MockTicketOptions {
  fetch: FetchFn;
  callbackUrl: string | undefined;
  callbackToken: string | undefined;
  callbackBasic: string | undefined;
  progressAfterMs: number;
  resolveAfterMs: number;
  /** Filter the list by `externalId` (a convenience Colt does not publish). */
  listFilters: boolean;
}

export interface MockTickets {
  /** Resolves when every scheduled notification has been sent. */
  idle(): Promise<void>;
  /** Where notifications go from now on (a relay started after the simulator). */
  setCallbackUrl(url: string | undefined): void;
}

type Ticket = Record<string, unknown>;

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A version per change, for ETag / If-Match. */
const versions = new WeakMap<Ticket, number>();
const etagOf = (ticket: Ticket) => `"v${versions.get(ticket) ?? 1}"`;

function externalIds(ticket: Ticket): string[] {
  const ids = Array.isArray(ticket.externalIdentifier) ? ticket.externalIdentifier.filter(isObject).map((e) => String(e.id)) : [];
  return typeof ticket.externalId === 'string' ? [ticket.externalId, ...ids] : ids;
}

async function jsonObject(c: Context): Promise<Record<string, unknown> | null> {
  if (!/^application\/(merge-patch\+)?json\b/i.test(c.req.header('content-type') ?? '')) return null;
  const body: unknown = await c.req.json().catch(() => undefined);
  return isObject(body) ? body : null;
}

export function registerTicketRoutes(app: Hono, ctx: MockColtContext, options: MockTicketOptions): MockTickets {
  const { state } = ctx;
  const base = `${MOCK_TICKET_API_PATH}/troubleTicket`;
  const jobs = new Set<Promise<void>>();
  let seq = 7000;

  async function notify(ticket: Ticket, eventType: string): Promise<void> {
    if (!options.callbackUrl) return;
    const body = { eventId: crypto.randomUUID(), eventTime: ctx.nowIso(), eventType, event: { troubleTicket: ticket } };
    let httpStatus: number | null = null;
    try {
      const response = await options.fetch(options.callbackUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [ctx.trackingHeader]: crypto.randomUUID(), ...authorization(options) },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      httpStatus = response.status;
    } catch (error) {
      ctx.logger.warn({ err: error, ticketId: ticket.id }, 'mock-colt ticket notification failed');
    }
    state.ticketNotifications.push({ ticketId: String(ticket.id), eventType, httpStatus });
  }

  /** inProgress after a while, then resolved, each change notified. */
  function progress(ticket: Ticket): void {
    const step = (status: string, eventType: string, delayMs: number) =>
      new Promise<void>((resolve) => {
        ctx.schedule(() => {
          ticket.status = status;
          ticket.lastUpdate = ctx.nowIso();
          if (status === 'resolved') ticket.resolutionDate = ticket.lastUpdate;
          void notify({ ...ticket }, eventType).finally(resolve);
        }, delayMs);
      });
    const job = (async () => {
      await step('inProgress', 'TroubleTicketStateChangeEvent', options.progressAfterMs);
      await step('resolved', 'TroubleTicketResolvedEvent', options.resolveAfterMs);
    })();
    jobs.add(job);
    void job.finally(() => jobs.delete(job));
  }

  app.use(`${MOCK_TICKET_API_PATH}/*`, authMiddleware(ctx));

  app.post(base, async (c) => {
    const body = await jsonObject(c);
    if (!body) return errorResponse(c, 400, 'Bad Request', 'the body must be a JSON object (application/json)');
    const missing = ['description', 'relatedEntity'].filter((k) => body[k] === undefined);
    if (missing.length > 0) return errorResponse(c, 400, 'Bad Request', `missing ${missing.join(', ')}`);
    const id = `TT-${seq++}`;
    const now = ctx.nowIso();
    const ticket: Ticket = { note: [], ...body, id, href: `${base}/${id}`, status: 'acknowledged', creationDate: now, lastUpdate: now, '@type': 'TroubleTicket' };
    state.tickets.set(id, ticket);
    progress(ticket);
    return c.json(ticket, 201);
  });

  app.get(base, (c) => {
    const externalId = c.req.query('externalId');
    const all = [...state.tickets.values()];
    return c.json(externalId === undefined || !options.listFilters ? all : all.filter((t) => externalIds(t).includes(externalId)));
  });

  app.get(`${base}/:id`, (c) => {
    const ticket = state.tickets.get(c.req.param('id'));
    if (!ticket) return errorResponse(c, 404, 'Not Found', `trouble ticket ${c.req.param('id')} not found`);
    c.header('etag', etagOf(ticket));
    return c.json(ticket);
  });

  app.patch(`${base}/:id`, async (c) => {
    const id = c.req.param('id');
    const ticket = state.tickets.get(id);
    if (!ticket) return errorResponse(c, 404, 'Not Found', `trouble ticket ${id} not found`);
    const ifMatch = c.req.header('if-match');
    if (ifMatch !== undefined && ifMatch !== etagOf(ticket)) return errorResponse(c, 412, 'Precondition Failed', `trouble ticket ${id} changed (ETag ${etagOf(ticket)})`);
    const body = await jsonObject(c);
    if (!body) return errorResponse(c, 400, 'Bad Request', 'the body must be a JSON object (application/merge-patch+json)');
    // RFC 7386: `note: [one]` leaves one note. The server owns id, href and the dates.
    const patched = applyMergePatch(ticket, body) as Ticket;
    const merged = { ...patched, id: ticket.id, href: ticket.href, creationDate: ticket.creationDate, lastUpdate: ctx.nowIso() };
    for (const key of Object.keys(ticket)) delete ticket[key];
    Object.assign(ticket, merged);
    versions.set(ticket, (versions.get(ticket) ?? 1) + 1);
    c.header('etag', etagOf(ticket));
    return c.json(ticket);
  });

  for (const [path, allow] of [[base, 'GET, POST'], [`${base}/:id`, 'GET, PATCH']] as const) {
    app.all(path, (c) => {
      c.header('allow', allow);
      return errorResponse(c, 405, 'Method Not Allowed', `${c.req.method} is not allowed here; use ${allow}`);
    });
  }

  return {
    setCallbackUrl: (url) => {
      options.callbackUrl = url;
    },
    async idle() {
      while (jobs.size > 0) await Promise.allSettled([...jobs]);
    },
  };
}
