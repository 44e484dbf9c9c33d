/** What `colt … --wait` reads: an order's status and the body of the event that set it. */
import { eq } from 'drizzle-orm';
import type { DbOrTx } from './db.js';
import { callbackEvents, orders } from './schema.js';

export interface OrderOutcomeRow {
  status: string;
  /** GET /order's body when enrichment fetched it. */
  details: unknown;
  /** The raw body of the order's latest event (a callback or a reconciliation). */
  lastEventRawBody: string | null;
}

/** The order's current status and what Colt said last; null while the relay has not seen the order. */
export async function readOrderOutcome(db: DbOrTx, orderId: string): Promise<OrderOutcomeRow | null> {
  const [row] = await db
    .select({ status: orders.status, details: orders.details, lastEventRawBody: callbackEvents.rawBody })
    .from(orders)
    .leftJoin(callbackEvents, eq(callbackEvents.id, orders.lastEventId))
    .where(eq(orders.orderId, orderId));
  return row ?? null;
}
