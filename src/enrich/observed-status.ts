/**
 * GET /order is authoritative (docs/colt.md#what-colt-publishes): when it reports a later status than the
 * order has, that status becomes an event with `source: reconciliation`, written through
 * the same statement as callbacks — so dedupe (one event per order and status) and the
 * monotonic order status apply, and the real callback arriving later is stale.
 */
import { newId } from '../lib/ids.js';
import type { OrderDetails } from '../colt/order-details.js';
import { STATUS_RANK, type EventStatus } from '../event/event.js';
import { mapStatus } from '../event/vocabulary.js';
import type { Db } from '../store/db.js';
import { insertCallbacks } from '../store/events.repo.js';
import { getOrder } from '../store/orders.repo.js';

export interface ObservedOrder {
  orderId: string;
  details: Pick<OrderDetails, 'status' | 'orderType' | 'numberType' | 'customerRef' | 'numbers'>;
  /** The body of GET /order: the event's payload and raw body. */
  body: unknown;
  at: Date;
}

export interface ObservedOutcome {
  /** The status Colt reports, mapped. */
  status: EventStatus;
  /** The reconciliation event written for it, or null when the order already had it (or later). */
  eventId: string | null;
}

/** The dedupe key of a reconciliation event: at most one per order and status. */
export function reconciliationKey(orderId: string, status: EventStatus): string {
  return `reconciliation:${orderId}:${status}`;
}

/** Writes a `source: reconciliation` event when Colt reports a later status than the order's. */
export async function recordObservedStatus(db: Db, observed: ObservedOrder): Promise<ObservedOutcome> {
  const status = mapStatus(observed.details.status);
  const order = await getOrder(db, observed.orderId);
  if (status === 'unknown' || (order && STATUS_RANK[status] <= order.statusRank)) return { status, eventId: null };
  const { details } = observed;
  const [stored] = await insertCallbacks(db, [
    {
      id: newId(observed.at.getTime()),
      dedupeKey: reconciliationKey(observed.orderId, status),
      source: 'reconciliation',
      fields: {
        orderId: observed.orderId,
        status,
        rawStatus: details.status,
        orderType: details.orderType,
        numberType: details.numberType,
        customerRef: details.customerRef,
        numbers: details.numbers,
        occurredAt: observed.at.toISOString(),
      },
      receivedAt: observed.at,
      rawBody: JSON.stringify(observed.body ?? null),
      payload: undefined,
      headers: {},
      remoteAddr: null,
    },
  ]);
  return { status, eventId: stored && !stored.duplicate ? stored.id : null };
}
