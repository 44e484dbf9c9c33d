/**
 * The reconciler (docs/design.md#reconciliation): Colt publishes no callback retry policy, so an open
 * order is checked with GET /order once RECONCILE_AFTER has passed since its last status
 * change, then at growing intervals (capped at RECONCILE_MAX_INTERVAL). A later status
 * becomes a `source: reconciliation` event; an order open past its SLA yields one
 * `order.overdue` event. Each round is bounded (a page of orders).
 */
import type { ColtClient } from '../colt/colt.client.js';
import { extractOrderDetails } from '../colt/order-details.js';
import type { Clock } from '../lib/clock.js';
import { formatDuration } from '../lib/duration.js';
import { newId } from '../lib/ids.js';
import type { Logger } from '../lib/logger.js';
import type { Metrics } from '../lib/metrics.js';
import { ORDER_OVERDUE_TYPE, type OrderType } from '../event/event.js';
import type { Db } from '../store/db.js';
import { insertCallbacks, type NewCallback } from '../store/events.repo.js';
import { saveOrderDetails } from '../store/orders.repo.js';
import {
  claimOrdersToReconcile,
  findOverdueOrders,
  markOverdue,
  recordReconcileCheck,
  releaseReconcileClaims,
  type OrderToReconcile,
  type OverdueOrder,
} from '../store/reconcile.repo.js';
import { recordObservedStatus } from './observed-status.js';

export interface ReconcilerOptions {
  db: Db;
  /** Null when Colt credentials are not set: SLAs are still watched, nothing is checked. */
  colt: ColtClient | null;
  clock: Clock;
  logger: Pick<Logger, 'debug' | 'info' | 'warn'>;
  /** RECONCILE_AFTER in ms. */
  afterMs: number;
  /** RECONCILE_MAX_INTERVAL in ms. */
  maxIntervalMs: number;
  /** ORDER_SLA in ms per order type. */
  slaMs: Record<OrderType, number>;
  /** Orders checked (and overdue orders reported) per round. @default 50 */
  pageSize?: number;
  /** A claimed order comes back after this long if its round dies. @default 300000 */
  leaseMs?: number;
  metrics?: Metrics;
}

/** What one round did. */
export interface ReconcileCounts {
  /** GET /order checks made. */
  checked: number;
  /** Checks that found a later status (a reconciliation event was written). */
  advanced: number;
  /** Checks that failed (the order is checked again later). */
  errors: number;
  /** order.overdue events written. */
  overdue: number;
}

export type ReconcileOutcome = 'advanced' | 'unchanged' | 'error';

export interface Reconciler {
  /** One bounded round: report overdue orders, then check a page of due orders. */
  run(): Promise<ReconcileCounts>;
}

/** The wait after the n-th check (1-based) since the last status change: doubling, capped. */
export function nextCheckDelayMs(checksDone: number, afterMs: number, maxIntervalMs: number): number {
  return Math.min(afterMs * 2 ** Math.max(0, checksDone), maxIntervalMs);
}

export function createReconciler(options: ReconcilerOptions): Reconciler {
  const { db, colt, clock, logger } = options;
  const pageSize = options.pageSize ?? 50;
  const leaseMs = options.leaseMs ?? 300_000;

  async function reportOverdue(counts: ReconcileCounts): Promise<void> {
    const now = new Date(clock.now());
    const late = await findOverdueOrders(db, { now, slaMs: options.slaMs, limit: pageSize });
    if (late.length === 0) return;
    const stored = await insertCallbacks(db, late.map((order) => overdueEvent(order, now, options.slaMs[order.orderType])));
    await markOverdue(db, late.map((o) => o.orderId), now);
    for (const [i, order] of late.entries()) {
      if (stored[i]!.duplicate) continue;
      counts.overdue++;
      logger.warn({ orderId: order.orderId, orderType: order.orderType, status: order.status, openSince: order.firstSeenAt.toISOString() }, 'order overdue: open past its SLA (ORDER_SLA)');
    }
  }

  async function check(order: OrderToReconcile, client: ColtClient): Promise<{ outcome: ReconcileOutcome; paused: boolean }> {
    const result = await client.getOrder(order.orderId);
    const at = new Date(clock.now());
    const next = new Date(at.getTime() + nextCheckDelayMs(order.checks + 1, options.afterMs, options.maxIntervalMs));
    if (!result.ok) {
      await recordReconcileCheck(db, order.orderId, { at, result: `error: ${result.reason}`, nextCheckAt: next, afterMs: options.afterMs });
      logger.warn({ orderId: order.orderId, status: result.status ?? null, code: result.code ?? null, reason: result.reason }, 'reconciliation check failed');
      return { outcome: 'error', paused: result.status === 429 };
    }
    const details = extractOrderDetails(result.body);
    await saveOrderDetails(db, order.orderId, details, result.body, at);
    const observed = await recordObservedStatus(db, { orderId: order.orderId, details, body: result.body, at });
    if (observed.eventId !== null) {
      await recordReconcileCheck(db, order.orderId, { at, result: `advanced: Colt reports ${observed.status} (was ${order.status})`, nextCheckAt: null, afterMs: options.afterMs });
      logger.info({ orderId: order.orderId, from: order.status, to: observed.status, eventId: observed.eventId }, 'order reconciled: Colt reports a later status than any callback did');
      return { outcome: 'advanced', paused: false };
    }
    const said = details.status === null ? 'no status' : `"${details.status}"`;
    await recordReconcileCheck(db, order.orderId, { at, result: `unchanged: Colt reports ${said}; next check in ${formatDuration(next.getTime() - at.getTime())}`, nextCheckAt: next, afterMs: options.afterMs });
    return { outcome: 'unchanged', paused: false };
  }

  async function checkDue(counts: ReconcileCounts): Promise<void> {
    if (!colt) return;
    const now = new Date(clock.now());
    const claimed = await claimOrdersToReconcile(db, { now, afterMs: options.afterMs, limit: pageSize, leaseMs });
    // One at a time: Colt's API is one shared peer, and a 429 stops the round for everyone.
    for (const [i, order] of claimed.entries()) {
      const { outcome, paused } = await check(order, colt);
      counts.checked++;
      if (outcome === 'advanced') counts.advanced++;
      if (outcome === 'error') counts.errors++;
      options.metrics?.reconciled(outcome);
      if (paused) {
        await releaseReconcileClaims(db, claimed.slice(i + 1).map((o) => o.orderId), now, options.afterMs);
        return;
      }
    }
  }

  return {
    async run() {
      const counts: ReconcileCounts = { checked: 0, advanced: 0, errors: 0, overdue: 0 };
      await reportOverdue(counts);
      await checkDue(counts);
      return counts;
    },
  };
}

/** The dedupe key of an order's one order.overdue event. */
export function overdueKey(orderId: string): string {
  return `overdue:${orderId}`;
}

/** The order.overdue event of an order: its current status, and what the SLA was. */
function overdueEvent(order: OverdueOrder, now: Date, slaMs: number): NewCallback {
  const payload = {
    orderId: order.orderId,
    orderType: order.orderType,
    status: order.status,
    openSince: order.firstSeenAt.toISOString(),
    sla: formatDuration(slaMs),
    overdueBy: formatDuration(Math.max(0, now.getTime() - order.firstSeenAt.getTime() - slaMs)),
  };
  return {
    id: newId(now.getTime()),
    dedupeKey: overdueKey(order.orderId),
    source: 'reconciliation',
    type: ORDER_OVERDUE_TYPE,
    fields: {
      orderId: order.orderId,
      status: order.status,
      rawStatus: null,
      orderType: order.orderType,
      numberType: 'unknown',
      customerRef: null,
      numbers: [],
      occurredAt: now.toISOString(),
    },
    receivedAt: now,
    rawBody: JSON.stringify(payload),
    payload: undefined,
    headers: {},
    remoteAddr: null,
  };
}
