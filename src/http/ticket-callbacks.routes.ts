/**
 * POST /callbacks/colt/tickets and /callbacks/colt/tickets/:token (docs/design.md#trouble-tickets): Colt's
 * TMF621 ticket notifications. Same authentication, limits and answers as the order
 * callback; each is stored once and routed as a `ticket.<status>` event for the order named
 * in `relatedEntity`, and the order's ticket status follows it.
 */
import type { Hono } from 'hono';
import { extractTicketNotification } from '../receive/ticket-notification.js';
import { recordTicketStatus } from '../store/tickets.repo.js';
import { createReceiveHandler, receiverRoutes, type CallbackKind, type CallbackRoutesDeps } from './callbacks.routes.js';

/** Register before the order callback routes: `/callbacks/colt/:token` would take "tickets" as a token. */
export function createTicketCallbackRoutes(deps: CallbackRoutesDeps): Hono {
  const kind: CallbackKind<ReturnType<typeof extractTicketNotification>> = {
    missingOrder: 'the ticket notification names no order',
    extract: extractTicketNotification,
    async afterStore({ ticket }) {
      if (!ticket?.ticketId || !ticket.rawStatus) return;
      await recordTicketStatus(deps.store.db, ticket.fields.orderId, ticket.ticketId, ticket.rawStatus, new Date(deps.clock.now()));
    },
  };
  return receiverRoutes(['/callbacks/colt/tickets'], createReceiveHandler(deps, kind));
}
