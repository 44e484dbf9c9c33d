/**
 * Aggregates only the dashboard shows: hourly callback and delivery-outcome counts for the
 * last 24 hours, dead letters, orders that need a person, and the raw bodies of an order's
 * callbacks. Lists and detail views live in admin.repo.ts; queue gauges in retention.repo.ts.
 */
import { and, asc, count, desc, eq, gte, inArray, ne, or, sql } from 'drizzle-orm';
import type { EventFailure } from '../event/event.js';
import type { DbOrTx } from './db.js';
import { orderFailures } from './order-failures.repo.js';
import { callbackEvents, deliveries, deliveryAttempts, orders } from './schema.js';

/** Hours the overview charts cover, the current (partial) hour last. */
export const CHART_HOURS = 24;
const HOUR_MS = 3_600_000;

/** The hour buckets of the charts: `start` is the first bucket's start (a whole UTC hour). */
export interface HourWindow {
  start: Date;
  hours: number;
}

/** The 24 whole UTC hours ending with the one `now` is in. */
export function chartWindow(now: Date, hours = CHART_HOURS): HourWindow {
  const currentHour = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  return { start: new Date(currentHour - (hours - 1) * HOUR_MS), hours };
}

/** Bucket index of a timestamp column in the window, computed in SQL (an int on both drivers). */
function bucketOf(column: typeof callbackEvents.receivedAt | typeof deliveryAttempts.startedAt, window: HourWindow) {
  // Inlined, not a parameter: GROUP BY must repeat the SELECT expression exactly, and two
  // parameters ($1, $2) would not be the same expression. It is an integer we computed.
  const startS = sql.raw(String(Math.trunc(window.start.getTime() / 1000)));
  return sql<number>`floor((extract(epoch from ${column}) - ${startS}) / 3600)::int`;
}

function emptySeries(window: HourWindow): number[] {
  return Array.from({ length: window.hours }, () => 0);
}

/** Callbacks stored per hour, oldest hour first; the relay's own events (a channel disabled…) are not callbacks. */
export async function callbacksPerHour(db: DbOrTx, window: HourWindow): Promise<number[]> {
  const bucket = bucketOf(callbackEvents.receivedAt, window);
  const rows = await db
    .select({ bucket, n: count() })
    .from(callbackEvents)
    .where(and(gte(callbackEvents.receivedAt, window.start), ne(callbackEvents.source, 'relay')))
    .groupBy(bucket);
  const series = emptySeries(window);
  for (const r of rows) if (r.bucket >= 0 && r.bucket < window.hours) series[r.bucket] = Number(r.n);
  return series;
}

/** Delivery attempts per hour by what they came to, oldest hour first. */
export interface OutcomeSeries {
  delivered: number[];
  /** Failed, will be tried again. */
  retrying: number[];
  /** Failed for good: permanent failure or retries exhausted. */
  dead: number[];
}

/** Attempt outcomes per hour: delivered, retry, and failed/dead (dead letters made). */
export async function outcomesPerHour(db: DbOrTx, window: HourWindow): Promise<OutcomeSeries> {
  const bucket = bucketOf(deliveryAttempts.startedAt, window);
  const rows = await db
    .select({ bucket, outcome: deliveryAttempts.outcome, n: count() })
    .from(deliveryAttempts)
    .where(gte(deliveryAttempts.startedAt, window.start))
    .groupBy(bucket, deliveryAttempts.outcome);
  const series: OutcomeSeries = { delivered: emptySeries(window), retrying: emptySeries(window), dead: emptySeries(window) };
  const key: Record<string, keyof OutcomeSeries | undefined> = { delivered: 'delivered', retry: 'retrying', failed: 'dead', dead: 'dead' };
  for (const r of rows) {
    const k = key[r.outcome];
    if (k && r.bucket >= 0 && r.bucket < window.hours) series[k][r.bucket]! += Number(r.n);
  }
  return series;
}

/** Dead letters right now (the navigation badge). */
export async function countDeadDeliveries(db: DbOrTx): Promise<number> {
  const [row] = await db.select({ n: count() }).from(deliveries).where(eq(deliveries.status, 'dead'));
  return Number(row?.n ?? 0);
}

/** An order that needs a person: Colt said it failed, or one of its notifications died. */
export interface ProblemOrder {
  orderId: string;
  status: string;
  orderType: string;
  customerRef: string | null;
  updatedAt: Date;
  /** Dead deliveries of the order. */
  dead: number;
  /** The most recent dead delivery's channel and error, when there is one. */
  lastDead: { channel: string; error: string | null; code: string | null } | null;
  /** Why Colt failed (or cancelled) it, when it said. */
  failure: EventFailure | null;
}

/** Failed orders and orders with dead letters, most recently updated first. */
export async function listProblemOrders(db: DbOrTx, limit = 10): Promise<ProblemOrder[]> {
  const deadOf = sql`(select 1 from ${deliveries} where ${deliveries.orderId} = ${orders.orderId} and ${deliveries.status} = 'dead')`;
  const rows = await db
    .select({
      orderId: orders.orderId,
      status: orders.status,
      orderType: orders.orderType,
      customerRef: orders.customerRef,
      updatedAt: orders.updatedAt,
      details: orders.details,
      detailsFetchedAt: orders.detailsFetchedAt,
    })
    .from(orders)
    .where(or(eq(orders.status, 'failed'), sql`exists ${deadOf}`))
    .orderBy(desc(orders.updatedAt), desc(orders.orderId))
    .limit(limit);
  if (rows.length === 0) return [];
  const dead = await db
    .select({
      orderId: deliveries.orderId,
      channel: deliveries.channel,
      error: deliveries.lastError,
      code: deliveries.lastCode,
    })
    .from(deliveries)
    .where(and(eq(deliveries.status, 'dead'), inArray(deliveries.orderId, rows.map((r) => r.orderId))))
    .orderBy(asc(deliveries.updatedAt));
  const byOrder = new Map<string, { n: number; last: ProblemOrder['lastDead'] }>();
  for (const d of dead) {
    const entry = byOrder.get(d.orderId) ?? { n: 0, last: null };
    entry.n++;
    entry.last = { channel: d.channel, error: d.error, code: d.code };
    byOrder.set(d.orderId, entry);
  }
  const failures = await orderFailures(db, rows);
  return rows.map(({ details: _details, detailsFetchedAt: _fetched, ...r }) => ({
    ...r,
    dead: byOrder.get(r.orderId)?.n ?? 0,
    lastDead: byOrder.get(r.orderId)?.last ?? null,
    failure: failures.get(r.orderId) ?? null,
  }));
}

/** Most callbacks of one order whose raw bodies one page shows (admin.repo caps the timeline likewise). */
const ORDER_BODIES_MAX = 1000;

/** The raw bodies of an order's callbacks by event id: what Colt said, byte for byte. */
export async function orderEventBodies(db: DbOrTx, orderId: string): Promise<Map<string, string>> {
  const rows = await db
    .select({ id: callbackEvents.id, rawBody: callbackEvents.rawBody })
    .from(callbackEvents)
    .where(eq(callbackEvents.orderId, orderId))
    .orderBy(asc(callbackEvents.receivedAt), asc(callbackEvents.id))
    .limit(ORDER_BODIES_MAX);
  return new Map(rows.map((r) => [r.id, r.rawBody]));
}
