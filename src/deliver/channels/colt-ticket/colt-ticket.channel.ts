/**
 * `colt-ticket` channel (docs/design.md#trouble-tickets): opens a TMF621 trouble ticket with Colt for the
 * event's order, or adds a note to the order's open ticket. Colt publishes neither paths nor
 * required fields, so this follows TMF621 (v4 `externalId`, v5 `externalIdentifier`).
 *
 * Idempotent across retries: the delivery id is the ticket's external id and is quoted in
 * notes; a retry (attempt > 1) first looks for what an earlier try with an unknown outcome
 * (a timeout) may have created, and only then creates or patches.
 */
import type { ColtApi, ColtResult } from '../../../colt/colt.client.js';
import { ticketPath } from '../../../colt/resource-id.js';
import type { Logger } from '../../../lib/logger.js';
import type { NormalisedEvent } from '../../../event/event.js';
import { CLOSED_TICKET_STATUSES, normaliseTicketStatus } from '../../../event/ticket-status.js';
import type { TicketStore } from '../../../store/tickets.repo.js';
import type { Channel, DeliveryJob, RenderedMessage, SendResult } from '../../channel.js';
import { failureDetail, failureText } from '../event-summary.js';
import type { ColtTicketChannelConfig } from '../../../config/channel-config.js';

export interface ColtTicketDeps {
  /** The relay's Colt client: same token and tracking header as the numbers API. */
  colt: Pick<ColtApi, 'call'>;
  /** COLT_TICKET_API_BASE_URL, without a trailing slash. */
  baseUrl: string;
  tickets: TicketStore;
  logger: Logger;
}

const AUTHOR = 'colt-relay';

function numbersText(event: NormalisedEvent): string {
  return event.numbers.map((n) => (n.start === n.end ? n.start : `${n.start}–${n.end}`)).join(', ');
}

/** One paragraph about the event: order, status, Colt's reason (`Reason: E-7312 · Porting window rejected.`), numbers. */
export function describeEvent(event: NormalisedEvent): string {
  const detail = failureDetail(event);
  const parts = [
    `Colt order ${event.orderId} (${event.orderType}) is ${event.status}${event.rawStatus ? ` (Colt: "${event.rawStatus}")` : ''}.`,
    event.failure ? `${failureText(event)}.` : 'Colt gave no reason.',
    detail ? `Colt's message: ${detail}` : '',
    event.numbers.length > 0 ? `Numbers: ${numbersText(event)}.` : '',
    event.customerRef ? `Customer reference: ${event.customerRef}.` : '',
    `Event ${event.eventId} at ${event.occurredAt}.`,
  ];
  return parts.filter(Boolean).join(' ');
}

/** The TMF621 ticket a delivery opens. */
export function ticketBody(config: ColtTicketChannelConfig, event: NormalisedEvent, deliveryId: string): Record<string, unknown> {
  return {
    '@type': 'TroubleTicket',
    name: `Colt order ${event.orderId} ${event.status}`,
    description: describeEvent(event),
    severity: config.severity,
    ticketType: config.ticketType,
    externalId: deliveryId,
    externalIdentifier: [{ id: deliveryId, owner: AUTHOR, externalIdentifierType: 'deliveryId' }],
    relatedEntity: [{ id: event.orderId, role: 'order', '@referredType': 'ProductOrder', name: `Colt order ${event.orderId}` }],
  };
}

export function renderColtTicket(config: ColtTicketChannelConfig, event: NormalisedEvent): RenderedMessage {
  const body = ticketBody(config, event, '<delivery id>');
  return { subject: body.name as string, text: body.description as string, body };
}

/** A failed call as a delivery outcome: a timeout is retried (the retry looks before it creates). */
function failed(result: Extract<ColtResult, { ok: false }>): SendResult {
  return {
    ok: false,
    retryable: result.retryable,
    reason: result.reason,
    ...(result.status !== undefined && { code: String(result.status) }),
    ...(result.retryAfterMs !== undefined && { retryAfterMs: result.retryAfterMs }),
  };
}

const asObject = (value: unknown): Record<string, unknown> | null =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;

export function createColtTicketChannel(name: string, config: ColtTicketChannelConfig, deps: ColtTicketDeps): Channel {
  const url = (path: string) => deps.baseUrl + path;

  /** The ticket an earlier try of this delivery created, if any. */
  async function findCreated(deliveryId: string): Promise<{ id: string; status: string | null } | null | 'failed'> {
    const found = await deps.colt.call({ method: 'GET', path: url('/troubleTicket'), query: { externalId: deliveryId } });
    if (!found.ok) return 'failed';
    const list = Array.isArray(found.body) ? found.body : [];
    const ticket = list.map(asObject).find((t) => t && (t.id !== undefined));
    return ticket ? { id: String(ticket.id), status: typeof ticket.status === 'string' ? ticket.status : null } : null;
  }

  async function open(job: DeliveryJob): Promise<SendResult> {
    const orderId = job.event.orderId;
    if (job.attempt > 1) {
      const earlier = await findCreated(job.id);
      if (earlier === 'failed') return { ok: false, retryable: true, reason: `GET /troubleTicket?externalId=${job.id}: the lookup failed; not creating a second ticket` };
      if (earlier) {
        await deps.tickets.save(orderId, { ticketId: earlier.id, status: earlier.status });
        deps.logger.info({ orderId, ticketId: earlier.id, deliveryId: job.id }, 'colt ticket found from an earlier try');
        return { ok: true, code: 'found', response: `ticket ${earlier.id} (created by an earlier try)` };
      }
    }
    const result = await deps.colt.call({ method: 'POST', path: url('/troubleTicket'), body: ticketBody(config, job.event, job.id), creates: true });
    if (!result.ok) return failed(result);
    const ticket = asObject(result.body);
    const ticketId = ticket?.id === undefined ? null : String(ticket.id);
    if (ticketId === null) return { ok: false, retryable: false, reason: 'POST /troubleTicket: the answer carries no ticket id', response: JSON.stringify(result.body).slice(0, 4096) };
    await deps.tickets.save(orderId, { ticketId, status: typeof ticket?.status === 'string' ? ticket.status : null });
    deps.logger.info({ orderId, ticketId, deliveryId: job.id }, 'colt ticket opened');
    return { ok: true, code: String(result.status), response: `ticket ${ticketId} opened` };
  }

  async function addNote(job: DeliveryJob, ticketId: string): Promise<SendResult> {
    // Never a `..` that would PATCH the ticket API's root with the Colt token (colt/resource-id.ts).
    const ticket = ticketPath(ticketId);
    if (typeof ticket !== 'string') return ticket;
    const path = url(ticket);
    const marker = `[delivery ${job.id}]`;
    if (job.attempt > 1) {
      const current = await deps.colt.call({ method: 'GET', path });
      const notes = current.ok ? asObject(current.body)?.note : undefined;
      if (Array.isArray(notes) && notes.some((n) => String(asObject(n)?.text ?? '').includes(marker))) {
        return { ok: true, code: 'found', response: `note already on ticket ${ticketId}` };
      }
    }
    const note = { text: `${describeEvent(job.event)} ${marker}`, date: job.event.receivedAt, author: AUTHOR };
    const result = await deps.colt.call({ method: 'PATCH', path, body: { note: [note] }, creates: true });
    if (!result.ok) return failed(result);
    return { ok: true, code: String(result.status), response: `note added to ticket ${ticketId}` };
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
      const current = await deps.tickets.get(job.event.orderId);
      const stillOpen = current !== null && !CLOSED_TICKET_STATUSES.has(normaliseTicketStatus(current.status ?? 'acknowledged'));
      return stillOpen ? addNote(job, current.ticketId) : open(job);
    },
  };
}
