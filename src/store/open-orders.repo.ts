/**
 * The open-orders list (docs/design.md#reconciliation): orders not yet completed, failed or cancelled,
 * oldest first, with what the reconciler knows of each. `status_rank < 2` is the predicate
 * of the partial indexes on open orders (schema.ts), so the read touches open orders only,
 * however many closed ones the table holds.
 */
import { and, asc, eq, gt, or, type SQL } from 'drizzle-orm';
import { decodeTimeTextCursor, pageLimit, toPage, type Page } from './cursor.js';
import type { DbOrTx } from './db.js';
import { isOpenOrder } from './reconcile.repo.js';
import { orders } from './schema.js';

/** One open order as the dashboard lists it. */
export interface OpenOrderRow {
  orderId: string;
  status: string;
  orderType: string;
  firstSeenAt: Date;
  /** The next GET /order check is due at this + RECONCILE_AFTER; null until the order's next event. */
  reconcileBaseAt: Date | null;
  reconcileChecks: number;
  lastReconciledAt: Date | null;
  lastReconcileResult: string | null;
  /** When its order.overdue event was written, if it was. */
  overdueAt: Date | null;
}

/** Open orders, oldest first seen first; the cursor is `[firstSeenAt, orderId]` of the last row shown. */
export async function listOpenOrders(db: DbOrTx, q: { cursor?: string; limit?: number } = {}): Promise<Page<OpenOrderRow>> {
  const limit = pageLimit(q.limit);
  const where: (SQL | undefined)[] = [isOpenOrder];
  if (q.cursor !== undefined) {
    const c = decodeTimeTextCursor(q.cursor);
    where.push(or(gt(orders.firstSeenAt, c.at), and(eq(orders.firstSeenAt, c.at), gt(orders.orderId, c.key))));
  }
  const rows = await db
    .select({
      orderId: orders.orderId,
      status: orders.status,
      orderType: orders.orderType,
      firstSeenAt: orders.firstSeenAt,
      reconcileBaseAt: orders.reconcileBaseAt,
      reconcileChecks: orders.reconcileChecks,
      lastReconciledAt: orders.lastReconciledAt,
      lastReconcileResult: orders.lastReconcileResult,
      overdueAt: orders.overdueAt,
    })
    .from(orders)
    .where(and(...where))
    .orderBy(asc(orders.firstSeenAt), asc(orders.orderId))
    .limit(limit + 1);
  return toPage(rows, limit, (r) => [r.firstSeenAt.toISOString(), r.orderId]);
}

/** Where an open order stands against its SLA and the reconciler's schedule (the page and the API show the same). */
export interface OpenOrderStanding {
  /** Since first seen. */
  ageMs: number;
  /** ORDER_SLA of its type. */
  slaMs: number;
  /** Past its SLA now, or already reported overdue (the SLA may have been raised since). */
  overdue: boolean;
  /** The next GET /order check: null when the reconciler is off or the order waits for its next event. */
  nextCheckAt: Date | null;
}

/** Computes an open order's standing at `now` from ORDER_SLA (ms by type) and RECONCILE_AFTER (null: reconciler off). */
export function openOrderStanding(
  o: OpenOrderRow,
  now: number,
  slaByType: Record<string, number> & { unknown: number },
  reconcileAfterMs: number | null,
): OpenOrderStanding {
  const ageMs = now - o.firstSeenAt.getTime();
  const slaMs = slaByType[o.orderType] ?? slaByType.unknown;
  const nextCheckAt = reconcileAfterMs !== null && o.reconcileBaseAt ? new Date(o.reconcileBaseAt.getTime() + reconcileAfterMs) : null;
  return { ageMs, slaMs, overdue: o.overdueAt !== null || ageMs > slaMs, nextCheckAt };
}
