/**
 * Why an order failed (docs/design.md#failure-reason), for the views that list
 * orders rather than events (the order page, the overview, GET /api/orders/{id}): the
 * failure of the order's latest failed or cancelled event, read from that event's body and
 * the order's details as they are now. Derived on read, like the event's own `failure`, so
 * details fetched after the callback count and nothing extra is stored.
 */
import { and, desc, eq, inArray, isNull } from 'drizzle-orm';
import { eventFailure } from '../colt/failure-reason.js';
import type { EventFailure, EventSource, EventStatus } from '../event/event.js';
import type { DbOrTx } from './db.js';
import { callbackEvents } from './schema.js';

/** What orderFailures needs of an order. */
export interface FailedOrderRef {
  orderId: string;
  status: string;
  /** The GET /order body, when fetched. */
  details: unknown;
  detailsFetchedAt: Date | null;
}

const WITH_FAILURE = ['failed', 'cancelled'];

/**
 * The failure of each failed or cancelled order given, in one query (probes of the
 * (order_id, received_at) index; an order has one or two final events); orders without
 * one are absent from the map.
 */
export async function orderFailures(db: DbOrTx, refs: readonly FailedOrderRef[]): Promise<Map<string, EventFailure>> {
  const out = new Map<string, EventFailure>();
  const wanted = refs.filter((r) => WITH_FAILURE.includes(r.status));
  if (wanted.length === 0) return out;
  const rows = await db
    .select({
      orderId: callbackEvents.orderId,
      status: callbackEvents.status,
      source: callbackEvents.source,
      payload: callbackEvents.payload,
    })
    .from(callbackEvents)
    .where(
      and(
        inArray(callbackEvents.orderId, wanted.map((r) => r.orderId)),
        inArray(callbackEvents.status, WITH_FAILURE),
        // Order-state events only (order.overdue and relay events have a type of their own),
        // and not a late one: the event that made the order final is never stale.
        isNull(callbackEvents.type),
        eq(callbackEvents.stale, false),
      ),
    )
    .orderBy(callbackEvents.orderId, desc(callbackEvents.receivedAt), desc(callbackEvents.id));
  const byOrder = new Map(wanted.map((r) => [r.orderId, r]));
  const seen = new Set<string>();
  for (const row of rows) {
    // Newest first within an order: its first row is the one that made it final.
    if (seen.has(row.orderId)) continue;
    seen.add(row.orderId);
    const ref = byOrder.get(row.orderId)!;
    const failure = eventFailure({
      type: null,
      source: row.source as EventSource,
      status: row.status as EventStatus,
      payload: row.payload,
      details: ref.detailsFetchedAt ? ref.details : null,
    });
    if (failure) out.set(row.orderId, failure);
  }
  return out;
}
