/** The trouble ticket kept on an order: which one is open, and its last known status. */
import { and, eq, isNull, or } from 'drizzle-orm';
import type { Clock } from '../lib/clock.js';
import type { DbOrTx } from './db.js';
import { orders } from './schema.js';

export interface OrderTicket {
  ticketId: string;
  /** As Colt spells it, or null when not known yet. */
  status: string | null;
}

/** What the colt-ticket channel needs from the store. */
export interface TicketStore {
  get(orderId: string): Promise<OrderTicket | null>;
  /** Keeps `ticketId` as the order's ticket (a new ticket replaces a closed one). */
  save(orderId: string, ticket: OrderTicket): Promise<void>;
}

export async function getOrderTicket(db: DbOrTx, orderId: string): Promise<OrderTicket | null> {
  const [row] = await db.select({ ticketId: orders.ticketId, status: orders.ticketStatus }).from(orders).where(eq(orders.orderId, orderId));
  return row?.ticketId ? { ticketId: row.ticketId, status: row.status } : null;
}

export async function saveOrderTicket(db: DbOrTx, orderId: string, ticket: OrderTicket, at: Date): Promise<void> {
  await db
    .update(orders)
    .set({ ticketId: ticket.ticketId, ticketStatus: ticket.status, ticketUpdatedAt: at })
    .where(eq(orders.orderId, orderId));
}

/**
 * A notification's status for the order's ticket. Only the ticket the order holds (or, when
 * it holds none, any ticket naming the order) is updated, so an old ticket's late
 * notification cannot reopen or close the current one.
 */
export async function recordTicketStatus(db: DbOrTx, orderId: string, ticketId: string, status: string, at: Date): Promise<void> {
  await db
    .update(orders)
    .set({ ticketId, ticketStatus: status, ticketUpdatedAt: at })
    .where(and(eq(orders.orderId, orderId), or(isNull(orders.ticketId), eq(orders.ticketId, ticketId))));
}

export function createTicketStore(db: DbOrTx, clock: Clock): TicketStore {
  return {
    get: (orderId) => getOrderTicket(db, orderId),
    save: (orderId, ticket) => saveOrderTicket(db, orderId, ticket, new Date(clock.now())),
  };
}
