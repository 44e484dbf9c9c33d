/**
 * TMF621 trouble-ticket notifications (docs/colt.md#trouble-tickets): `{ eventId,
 * eventTime, eventType, event: { troubleTicket: { id, status, relatedEntity[] … } } }`.
 * They are stored like order callbacks (source `ticket`) and routed as `ticket.<status>`;
 * they never move the order's own status.
 */
import { pathSegmentProblem } from '../colt/resource-id.js';
import type { CallbackFields, ExtractResult } from './normalise.js';
import { isObject, own, type JsonObject } from './normalise.js';
import { storableText } from './storable-text.js';

/** The ticket inside a notification (TMF `event.troubleTicket`), or the body itself when it is a ticket. */
function ticketOf(body: JsonObject): JsonObject | null {
  const event = own(body, 'event');
  const nested = isObject(event) ? own(event, 'troubleTicket') : undefined;
  if (isObject(nested)) return nested;
  return own(body, '@type') === 'TroubleTicket' || isObject(own(body, 'relatedEntity')) || Array.isArray(own(body, 'relatedEntity')) ? body : null;
}

/** The order a ticket is about: the relatedEntity with role "order" or referred type *Order, else the first. */
function relatedOrderId(ticket: JsonObject): string | null {
  const entities = own(ticket, 'relatedEntity');
  const list = (Array.isArray(entities) ? entities : [entities]).filter(isObject);
  const isOrder = (e: JsonObject) => String(own(e, 'role') ?? '').toLowerCase() === 'order' || /order$/i.test(String(own(e, '@referredType') ?? ''));
  const chosen = list.find(isOrder) ?? list[0];
  const id = chosen ? own(chosen, 'id') : undefined;
  return typeof id === 'string' && id.trim() !== '' ? id : typeof id === 'number' ? String(id) : null;
}

export interface TicketNotification {
  fields: CallbackFields;
  ticketId: string | null;
  /** As sent (`inProgress`), or null. */
  rawStatus: string | null;
}

/**
 * The ticket's id, made storable, or null when it has none; `invalid` when it could never be
 * one path segment of `/troubleTicket/{id}` (`.`, `..`): such a ticket could only be PATCHed
 * at another path, so the notification is refused before anything is stored.
 */
function ticketIdOf(ticket: JsonObject): string | null | { invalid: string } {
  const id = own(ticket, 'id');
  if (typeof id !== 'string' && typeof id !== 'number') return null;
  const text = storableText(String(id));
  const problem = pathSegmentProblem(text);
  if (problem === 'empty') return null;
  return problem === null ? text : { invalid: text };
}

/**
 * The fields of a ticket notification, or why it cannot be routed (no order in relatedEntity,
 * an unusable ticket id). Every text is made storable here, before the commit, as an order
 * callback's are (normalise.ts): the store must never refuse what the receiver accepted.
 */
export function extractTicketNotification(body: JsonObject): ExtractResult & { ticket?: TicketNotification } {
  const ticket = ticketOf(body);
  const relatedOrder = ticket ? relatedOrderId(ticket) : null;
  if (!ticket || relatedOrder === null) {
    return {
      ok: false,
      issues: [{ path: 'event.troubleTicket.relatedEntity', message: 'no order: expected event.troubleTicket.relatedEntity[] with an entry of role "order"' }],
    };
  }
  const ticketId = ticketIdOf(ticket);
  if (ticketId !== null && typeof ticketId === 'object') {
    const message = `ticket id ${JSON.stringify(ticketId.invalid)} is not a ticket id (a path segment "${ticketId.invalid}" would leave /troubleTicket/)`;
    return { ok: false, message: 'the ticket notification carries an unusable ticket id', issues: [{ path: 'event.troubleTicket.id', message }] };
  }
  const orderId = storableText(relatedOrder);
  const status = own(ticket, 'status');
  const rawStatus = typeof status === 'string' ? storableText(status) : null;
  const time = own(body, 'eventTime') ?? own(ticket, 'lastUpdate');
  const occurredAt = typeof time === 'string' && !Number.isNaN(Date.parse(time)) ? new Date(time).toISOString() : null;
  const fields: CallbackFields = {
    orderId,
    // A ticket's status is not the order's: 'unknown' never moves the order (STATUS_RANK -1).
    status: 'unknown',
    rawStatus,
    orderType: 'unknown',
    numberType: 'unknown',
    customerRef: null,
    numbers: [],
    occurredAt,
    source: 'ticket',
  };
  return { ok: true, fields, ticket: { fields, ticketId, rawStatus } };
}
