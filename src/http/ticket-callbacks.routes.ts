/**
 * POST /callbacks/colt/tickets and /callbacks/colt/tickets/:token (DESIGN.md §8.5): Colt's
 * TMF621 ticket notifications. Same authentication, limits and answers as the order
 * callback; each is stored once and routed as a `ticket.<status>` event for the order named
 * in `relatedEntity`, and the order's ticket status follows it.
 */
import { Hono, type Context } from 'hono';
import { extractTicketNotification } from '../receive/ticket-notification.js';
import { recordTicketStatus } from '../store/tickets.repo.js';
import { createReceiveHandler, type CallbackKind, type CallbackRoutesDeps } from './callbacks.routes.js';
import { ApiError, errorResponse } from './errors.js';

/** Register before the order callback routes: `/callbacks/colt/:token` would take "tickets" as a token. */
export function createTicketCallbackRoutes(deps: CallbackRoutesDeps): Hono {
  const kind: CallbackKind = {
    missingOrder: 'the ticket notification names no order',
    extract: extractTicketNotification,
    async afterStore(body) {
      const { ticket } = extractTicketNotification(body);
      if (!ticket?.ticketId || !ticket.rawStatus) return;
      await recordTicketStatus(deps.store.db, ticket.fields.orderId, ticket.ticketId, ticket.rawStatus, new Date(deps.clock.now()));
    },
  };
  const receive = createReceiveHandler(deps, kind);
  const routes = new Hono();
  const methodNotAllowed = (c: Context) => errorResponse(c, new ApiError('method_not_allowed', 'use POST', { headers: { Allow: 'POST' } }));
  routes.post('/callbacks/colt/tickets', receive);
  routes.post('/callbacks/colt/tickets/:token', receive);
  routes.all('/callbacks/colt/tickets', methodNotAllowed);
  routes.all('/callbacks/colt/tickets/:token', methodNotAllowed);
  return routes;
}
