/** Orders: one row per Colt order, its status monotonic, its details from GET /order. */
import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { EventStatus, NumberRange, NumberType, OrderType } from '../receive/event.js';
import { STATUS_RANK } from '../receive/event.js';
import type { DbOrTx } from './db.js';
import { orders } from './schema.js';

export type OrderRow = typeof orders.$inferSelect;

/** What one new callback says about its order. */
export interface OrderObservation {
  eventId: string;
  orderId: string;
  status: EventStatus;
  orderType: OrderType;
  numberType: NumberType;
  numbers: NumberRange[];
  customerRef: string | null;
}

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

/** Locks the existing rows of these orders (in id order, so concurrent batches cannot deadlock). */
export async function lockOrders(tx: DbOrTx, orderIds: string[]): Promise<Map<string, OrderState>> {
  if (orderIds.length === 0) return new Map();
  const rows = await tx
    .select({ orderId: orders.orderId, status: orders.status })
    .from(orders)
    .where(inArray(orders.orderId, orderIds))
    .orderBy(asc(orders.orderId))
    .for('update');
  return new Map(rows.map((r) => [r.orderId, { status: r.status as EventStatus }]));
}

/**
 * Folds new observations (in arrival order) into the orders table. The SQL keeps every
 * field monotonic by itself, so a concurrent writer can never move an order backwards.
 */
export async function applyObservations(tx: DbOrTx, observations: OrderObservation[], at: Date): Promise<void> {
  const merged = new Map<string, OrderObservation>();
  for (const o of observations) {
    const prev = merged.get(o.orderId);
    if (!prev) {
      merged.set(o.orderId, { ...o });
      continue;
    }
    if (STATUS_RANK[o.status] > STATUS_RANK[prev.status]) prev.status = o.status;
    if (prev.orderType === 'unknown') prev.orderType = o.orderType;
    if (prev.numberType === 'unknown') prev.numberType = o.numberType;
    if (prev.numbers.length === 0) prev.numbers = o.numbers;
    prev.customerRef ??= o.customerRef;
    prev.eventId = o.eventId;
  }
  if (merged.size === 0) return;
  const rows = [...merged.values()]
    .sort((a, b) => (a.orderId < b.orderId ? -1 : 1))
    .map((o) => ({
      orderId: o.orderId,
      status: o.status,
      statusRank: STATUS_RANK[o.status],
      orderType: o.orderType,
      numberType: o.numberType,
      numbers: o.numbers,
      customerRef: o.customerRef,
      firstSeenAt: at,
      updatedAt: at,
      lastEventId: o.eventId,
    }));
  await tx
    .insert(orders)
    .values(rows)
    .onConflictDoUpdate({
      target: orders.orderId,
      set: {
        status: sql`case when excluded.status_rank > ${orders.statusRank} then excluded.status else ${orders.status} end`,
        statusRank: sql`greatest(excluded.status_rank, ${orders.statusRank})`,
        orderType: sql`case when ${orders.orderType} = 'unknown' then excluded.order_type else ${orders.orderType} end`,
        numberType: sql`case when ${orders.numberType} = 'unknown' then excluded.number_type else ${orders.numberType} end`,
        numbers: sql`case when jsonb_array_length(${orders.numbers}) = 0 then excluded.numbers else ${orders.numbers} end`,
        customerRef: sql`coalesce(${orders.customerRef}, excluded.customer_ref)`,
        updatedAt: sql`excluded.updated_at`,
        lastEventId: sql`excluded.last_event_id`,
      },
    });
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
