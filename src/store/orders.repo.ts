/** Orders: one row per Colt order, its status monotonic, its details from GET /order. */
import { eq, inArray } from 'drizzle-orm';
import { STATUS_RANK, type EventStatus, type NumberRange, type NumberType, type OrderType } from '../event/event.js';
import type { DbOrTx } from './db.js';
import { orders } from './schema.js';

export type OrderRow = typeof orders.$inferSelect;

export interface OrderState {
  status: EventStatus;
}

/**
 * A callback is stale when its order already moved past it: a lower status rank, or a
 * different terminal outcome (completed after failed). Unknown statuses are never stale.
 */
export function isStale(status: EventStatus, order: OrderState | undefined): boolean {
  if (!order || status === 'unknown' || order.status === 'unknown') return false;
  const rank = STATUS_RANK[status];
  const current = STATUS_RANK[order.status];
  return rank < current || (rank === current && rank === 2 && status !== order.status);
}

/** Order details from GET /order: they win over what callbacks said. */
export interface OrderDetailsUpdate {
  orderType: OrderType;
  numberType: NumberType;
  numbers: NumberRange[];
  customerRef: string | null;
}

export async function saveOrderDetails(
  db: DbOrTx,
  orderId: string,
  details: OrderDetailsUpdate,
  body: unknown,
  fetchedAt: Date,
): Promise<void> {
  await db
    .update(orders)
    .set({
      ...(details.orderType !== 'unknown' && { orderType: details.orderType }),
      ...(details.numberType !== 'unknown' && { numberType: details.numberType }),
      ...(details.numbers.length > 0 && { numbers: details.numbers }),
      ...(details.customerRef !== null && { customerRef: details.customerRef }),
      details: body,
      detailsFetchedAt: fetchedAt,
      enrichError: null,
      updatedAt: fetchedAt,
    })
    .where(eq(orders.orderId, orderId));
}

/** Why enrichment gave up on this order; the event goes on without details. */
export async function recordEnrichError(db: DbOrTx, orderId: string, reason: string, at: Date): Promise<void> {
  await db.update(orders).set({ enrichError: reason.slice(0, 1000), updatedAt: at }).where(eq(orders.orderId, orderId));
}

export async function getOrder(db: DbOrTx, orderId: string): Promise<OrderRow | null> {
  const [row] = await db.select().from(orders).where(eq(orders.orderId, orderId));
  return row ?? null;
}

/** The current status of each order (one query); orders not stored are absent. */
export async function getOrderStatuses(db: DbOrTx, orderIds: readonly string[]): Promise<Map<string, EventStatus>> {
  const statuses = new Map<string, EventStatus>();
  if (orderIds.length === 0) return statuses;
  const rows = await db
    .select({ orderId: orders.orderId, status: orders.status })
    .from(orders)
    .where(inArray(orders.orderId, [...new Set(orderIds)]));
  for (const r of rows) statuses.set(r.orderId, r.status as EventStatus);
  return statuses;
}
