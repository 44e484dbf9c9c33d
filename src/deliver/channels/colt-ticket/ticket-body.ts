/**
 * What the colt-ticket channel writes (docs/colt.md#trouble-tickets): the TMF621 ticket, its
 * notes, and the reference by which the relay finds its own ticket again.
 */
import { formatNumbers, type NormalisedEvent } from '../../../event/event.js';
import type { ColtTicketChannelConfig } from '../../../config/channel-config.js';
import type { RenderedMessage } from '../../channel.js';
import { failureDetail, failureText } from '../event-summary.js';

/** Author of notes and owner of the external identifier. */
export const TICKET_AUTHOR = 'colt-relay';

/**
 * Our reference on an order's ticket (TMF621 `externalId`): per order, the same for every
 * delivery and retry, so a ticket whose creation answer was lost is found again by it. After
 * the order's ticket closed, the next ticket's reference names the closed one, so the two
 * are never confused.
 */
export function ticketExternalId(orderId: string, closedTicketId: string | null): string {
  return closedTicketId === null ? `${TICKET_AUTHOR}:order:${orderId}` : `${TICKET_AUTHOR}:order:${orderId}:after:${closedTicketId}`;
}

/** The references a listed ticket carries: v4 `externalId` and v5 `externalIdentifier[].id`. */
export function externalIdsOf(ticket: Record<string, unknown>): string[] {
  const ids = Array.isArray(ticket.externalIdentifier)
    ? ticket.externalIdentifier.flatMap((e: unknown) =>
        e !== null && typeof e === 'object' && typeof (e as { id?: unknown }).id === 'string' ? [(e as { id: string }).id] : [],
      )
    : [];
  return typeof ticket.externalId === 'string' ? [ticket.externalId, ...ids] : ids;
}

/** One paragraph about the event: order, status, Colt's reason (`Reason: E-7312 · Porting window rejected.`), numbers. */
export function describeEvent(event: NormalisedEvent): string {
  const detail = failureDetail(event);
  const parts = [
    `Colt order ${event.orderId} (${event.orderType}) is ${event.status}${event.rawStatus ? ` (Colt: "${event.rawStatus}")` : ''}.`,
    event.failure ? `${failureText(event)}.` : 'Colt gave no reason.',
    detail ? `Colt's message: ${detail}` : '',
    event.numbers.length > 0 ? `Numbers: ${formatNumbers(event.numbers)}.` : '',
    event.customerRef ? `Customer reference: ${event.customerRef}.` : '',
    `Event ${event.eventId} at ${event.occurredAt}.`,
  ];
  return parts.filter(Boolean).join(' ');
}

/** The TMF621 ticket a delivery opens, carrying our reference (`externalId`) for the order. */
export function ticketBody(config: ColtTicketChannelConfig, event: NormalisedEvent, externalId: string): Record<string, unknown> {
  return {
    '@type': 'TroubleTicket',
    name: `Colt order ${event.orderId} ${event.status}`,
    description: describeEvent(event),
    severity: config.severity,
    ticketType: config.ticketType,
    externalId,
    externalIdentifier: [{ id: externalId, owner: TICKET_AUTHOR, externalIdentifierType: 'orderReference' }],
    relatedEntity: [{ id: event.orderId, role: 'order', '@referredType': 'ProductOrder', name: `Colt order ${event.orderId}` }],
  };
}

/** The note a delivery adds; the marker makes a retry find it instead of adding it twice. */
export function ticketNote(event: NormalisedEvent, deliveryId: string): { text: string; date: string; author: string } {
  return { text: `${describeEvent(event)} ${noteMarker(deliveryId)}`, date: event.receivedAt, author: TICKET_AUTHOR };
}

export const noteMarker = (deliveryId: string) => `[delivery ${deliveryId}]`;

export function renderColtTicket(config: ColtTicketChannelConfig, event: NormalisedEvent): RenderedMessage {
  const body = ticketBody(config, event, ticketExternalId(event.orderId, null));
  return { subject: body.name as string, text: body.description as string, body };
}
