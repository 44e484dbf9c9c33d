/**
 * `colt-ticket` channel (docs/colt.md#trouble-tickets): opens a TMF621 trouble ticket with Colt
 * for the event's order, or adds a note to the order's open ticket. Colt publishes neither
 * paths nor required fields, so this follows TMF621 (v4 `externalId`, v5 `externalIdentifier`).
 *
 * At most one ticket per order: every ticket carries the order's reference (ticket-body.ts),
 * and before creating one the channel looks for it, checking each listed ticket's reference
 * itself (Colt publishes no list filter, so a server may answer with every ticket it holds).
 * A note is appended by reading the ticket's notes and writing the whole list back as a JSON
 * Merge Patch (an array in a merge patch replaces the array): a partial list would wipe notes.
 */
import type { ColtApi, ColtResult } from '../../../colt/colt.client.js';
import { ticketPath } from '../../../colt/resource-id.js';
import type { Logger } from '../../../lib/logger.js';
import { CLOSED_TICKET_STATUSES, normaliseTicketStatus } from '../../../event/ticket-status.js';
import type { OrderTicket, TicketStore } from '../../../store/tickets.repo.js';
import type { Channel, DeliveryJob, SendResult } from '../../channel.js';
import type { ColtTicketChannelConfig } from '../../../config/channel-config.js';
import { externalIdsOf, noteMarker, renderColtTicket, ticketBody, ticketExternalId, ticketNote } from './ticket-body.js';

export { describeEvent, renderColtTicket, ticketBody } from './ticket-body.js';

export interface ColtTicketDeps {
  /** The relay's Colt client: same token and tracking header as the numbers API. */
  colt: Pick<ColtApi, 'call'>;
  /** COLT_TICKET_API_BASE_URL, without a trailing slash. */
  baseUrl: string;
  tickets: TicketStore;
  logger: Logger;
}

/** Names the setting in 404/405 advice: the ticket API's base URL is not published. */
const BASE_SETTING = 'COLT_TICKET_API_BASE_URL';
const MERGE_PATCH = 'application/merge-patch+json';

/** A failed call as a delivery outcome: a timeout is retried (the retry looks before it writes). */
function failed(result: Extract<ColtResult, { ok: false }>, retryable = result.retryable, reason = result.reason): SendResult {
  return {
    ok: false,
    retryable,
    reason,
    ...(result.status !== undefined && { code: String(result.status) }),
    ...(result.retryAfterMs !== undefined && { retryAfterMs: result.retryAfterMs }),
  };
}

const asObject = (value: unknown): Record<string, unknown> | null =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;

const statusOf = (ticket: Record<string, unknown> | null): string | null => (typeof ticket?.status === 'string' ? ticket.status : null);
const isClosed = (status: string | null) => status !== null && CLOSED_TICKET_STATUSES.has(normaliseTicketStatus(status));

type Lookup = { found: OrderTicket | null } | { unavailable: string } | { failure: Extract<ColtResult, { ok: false }> };

export function createColtTicketChannel(name: string, config: ColtTicketChannelConfig, deps: ColtTicketDeps): Channel {
  const url = (path: string) => deps.baseUrl + path;
  const call = (request: Parameters<ColtTicketDeps['colt']['call']>[0]) => deps.colt.call({ baseSetting: BASE_SETTING, ...request });

  /** Our ticket for `externalId`, whatever else the list holds; never a ticket without our reference. */
  async function lookUp(externalId: string): Promise<Lookup> {
    let listed = await call({ method: 'GET', path: url('/troubleTicket'), query: { externalId } });
    // A server strict about query parameters may refuse the filter (Colt publishes none): list everything.
    if (!listed.ok && listed.status === 400) listed = await call({ method: 'GET', path: url('/troubleTicket') });
    if (!listed.ok) {
      if (listed.status === 404 || listed.status === 405) return { unavailable: listed.reason };
      return { failure: listed };
    }
    if (!Array.isArray(listed.body)) return { unavailable: 'GET /troubleTicket: the answer is not a list of tickets' };
    const ours = listed.body.map(asObject).find((t) => t !== null && t.id !== undefined && externalIdsOf(t).includes(externalId));
    return { found: ours ? { ticketId: String(ours.id), status: statusOf(ours) } : null };
  }

  async function open(job: DeliveryJob, closed: OrderTicket | null): Promise<SendResult> {
    const orderId = job.event.orderId;
    const externalId = ticketExternalId(orderId, closed?.ticketId ?? null);
    const lookup = await lookUp(externalId);
    if ('failure' in lookup) {
      return failed(lookup.failure, true, `looking for ticket ${externalId} before creating one: ${lookup.failure.reason}; not creating a second ticket`);
    }
    if ('unavailable' in lookup && job.attempt > 1) {
      // An earlier try may have created the ticket and nothing can show it: creating again could make two.
      const reason =
        `an earlier try may have created ticket ${externalId}, and the ticket API cannot be searched (${lookup.unavailable}). ` +
        `Look for externalId ${externalId} at Colt; replay this delivery only if there is none`;
      return { ok: false, retryable: false, reason };
    }
    if ('found' in lookup && lookup.found) {
      await deps.tickets.save(orderId, lookup.found);
      deps.logger.info({ orderId, ticketId: lookup.found.ticketId, externalId, deliveryId: job.id }, 'colt ticket found by its external id');
      return { ok: true, code: 'found', response: `ticket ${lookup.found.ticketId} (${externalId}, created earlier)` };
    }
    const result = await call({ method: 'POST', path: url('/troubleTicket'), body: ticketBody(config, job.event, externalId), creates: true });
    if (!result.ok) return failed(result);
    const ticket = asObject(result.body);
    const ticketId = ticket?.id === undefined ? null : String(ticket.id);
    if (ticketId === null) return { ok: false, retryable: false, reason: 'POST /troubleTicket: the answer carries no ticket id', response: JSON.stringify(result.body).slice(0, 4096) };
    await deps.tickets.save(orderId, { ticketId, status: statusOf(ticket) });
    deps.logger.info({ orderId, ticketId, externalId, deliveryId: job.id }, 'colt ticket opened');
    return { ok: true, code: String(result.status), response: `ticket ${ticketId} opened` };
  }

  async function addNote(job: DeliveryJob, stored: OrderTicket): Promise<SendResult> {
    // Never a `..` that would PATCH the ticket API's root with the Colt token (colt/resource-id.ts).
    const ticketUrl = ticketPath(stored.ticketId);
    if (typeof ticketUrl !== 'string') return ticketUrl;
    const path = url(ticketUrl);
    const current = await call({ method: 'GET', path });
    if (!current.ok) return failed(current);
    const ticket = asObject(current.body);
    if (isClosed(statusOf(ticket))) {
      // Closed at Colt though no notification said so: a new problem needs a new ticket.
      const closed = { ticketId: stored.ticketId, status: statusOf(ticket) };
      await deps.tickets.save(job.event.orderId, closed);
      return open(job, closed);
    }
    const notes = Array.isArray(ticket?.note) ? ticket.note : [];
    if (notes.some((n) => String(asObject(n)?.text ?? '').includes(noteMarker(job.id)))) {
      return { ok: true, code: 'found', response: `note already on ticket ${stored.ticketId}` };
    }
    const result = await call({
      method: 'PATCH',
      path,
      body: { note: [...notes, ticketNote(job.event, job.id)] },
      contentType: MERGE_PATCH,
      ...(current.etag !== undefined && { headers: { 'if-match': current.etag } }),
      creates: true,
    });
    if (!result.ok) {
      // 412: someone changed the ticket between our read and write; the retry reads it again.
      return result.status === 412 ? failed(result, true, `ticket ${stored.ticketId} changed while the note was added; retrying`) : failed(result);
    }
    return { ok: true, code: String(result.status), response: `note added to ticket ${stored.ticketId} (${notes.length + 1} notes)` };
  }

  async function sendOne(job: DeliveryJob): Promise<SendResult> {
    const current = await deps.tickets.get(job.event.orderId);
    if (current === null) return open(job, null);
    return isClosed(current.status) ? open(job, current) : addNote(job, current);
  }

  // One send per order at a time in this process: two failures of one order sent together
  // would otherwise both look, find nothing, and both create a ticket.
  const busy = new Map<string, Promise<unknown>>();
  function oneAtATime(orderId: string, work: () => Promise<SendResult>): Promise<SendResult> {
    const previous = busy.get(orderId) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => {});
    busy.set(orderId, settled);
    void settled.then(() => {
      if (busy.get(orderId) === settled) busy.delete(orderId);
    });
    return next;
  }

  return {
    name,
    type: 'colt-ticket',
    render: (event) => renderColtTicket(config, event),
    async send(job) {
      if (job.event.orderId === '') {
        const reason = `a Colt ticket is about an order and ${job.event.type} events name none: route them to Slack, email, a webhook or the log`;
        return { ok: false, retryable: false, reason };
      }
      return oneAtATime(job.event.orderId, () => sendOne(job));
    },
  };
}
