/**
 * Read side of the operator surface (admin API, dashboard, CLI): filtered lists with
 * keyset pagination, newest first, and the detail views that join events, orders,
 * deliveries and attempts. Pruning and queue gauges live in retention.repo.ts.
 */
import { pendingEnrichments, type EnrichmentPending } from './event-work.repo.js';
import { and, asc, desc, eq, getTableColumns, gte, ilike, inArray, like, lt, or, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { EventFailure, NormalisedEvent } from '../event/event.js';
import { decodeTimeIdCursor, decodeTimeSerialCursor, decodeTimeTextCursor, isUuid, pageLimit, toPage, type Page } from './cursor.js';
import type { DbOrTx } from './db.js';
import type { DeliveryRow } from './deliveries.repo.js';
import { loadGroups, type GroupView } from './delivery-groups.repo.js';
import { EVENT_PROGRESS, eventType, joinProgress, toNormalisedEvent, type EventRow } from './events.repo.js';
import { orderFailures } from './order-failures.repo.js';
import type { OrderRow } from './orders.repo.js';
import type { RefusalRow } from './refusals.repo.js';
import { callbackEvents, callbackRefusals, deliveries, deliveryAttempts, orders, processedEvents } from './schema.js';

export type { EventRow } from './events.repo.js';
export type { OrderRow } from './orders.repo.js';
export type { DeliveryRow } from './deliveries.repo.js';
export type { RefusalRow } from './refusals.repo.js';
export { InvalidCursorError, DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, type Page } from './cursor.js';
export { pruneOlderThan, getQueueStats, type QueueStats, type PruneCounts } from './retention.repo.js';

export type AttemptRow = typeof deliveryAttempts.$inferSelect;
/**
 * An event row without its bulky or sensitive parts (raw body, payload, headers), its
 * `type` always filled (`order.<status>`, `ticket.<status>` where the column is null).
 */
export type EventSummary = Omit<EventRow, 'rawBody' | 'payload' | 'headers' | 'type'> & { type: string };

/** A stored row with its type filled (the column is null for order-state events). */
function withType<T extends Pick<EventRow, 'type' | 'source' | 'status' | 'rawStatus'>>(row: T): T & { type: string } {
  return { ...row, type: eventType(row) };
}
/**
 * A delivery with its attempt log. DeliveryRow's own `attempts` column (a count) would
 * clash with the list, so the count is `attemptCount` here and `attempts` is the log.
 */
export type DeliveryWithAttempts = Omit<DeliveryRow, 'attempts'> & {
  attemptCount: number;
  attempts: AttemptRow[];
  /** Its delivery group (docs/design.md#grouping): set by getDelivery. */
  group?: GroupView | null;
};

export interface EventDetail {
  /** The stored row, raw body included, its type filled. */
  event: EventRow & { type: string };
  /** The docs/design.md#normalised-event event as rules and templates see it now (order details merged in). */
  normalised: NormalisedEvent;
  /** Every generation's deliveries, oldest first, each with its attempts. */
  deliveries: DeliveryWithAttempts[];
  /** Set while the event waits for order details: attempt n, next try at, last error. */
  enrichment: EnrichmentPending | null;
}

export interface OrderTimeline {
  order: OrderRow;
  /** Why the order failed or was cancelled, as its final event and details say (null otherwise). */
  failure: EventFailure | null;
  /** The order's events, oldest first. */
  events: EventSummary[];
  /** The order's deliveries, oldest first, each with its attempts. */
  deliveries: DeliveryWithAttempts[];
  /** Set while one of its events waits for order details (the soonest due). */
  enrichment: EnrichmentPending | null;
}

export interface PageQuery {
  /** @default 50, at most 200 */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface EventsQuery extends PageQuery {
  orderId?: string;
  /** Normalised status (raised, completed, …). */
  status?: string;
  stale?: boolean;
  /** Received at or after. */
  from?: Date;
  /** Received before. */
  to?: Date;
}

export interface OrdersQuery extends PageQuery {
  /** An order id prefix, or a customer reference (prefix, case-insensitive). */
  q?: string;
  status?: string;
}

export interface DeliveriesQuery extends PageQuery {
  status?: string;
  channel?: string;
  orderId?: string;
  eventId?: string;
}

export interface RejectedQuery extends PageQuery {
  reason?: string;
}

/** Most events and deliveries an order timeline shows: a runaway sender must not blow up one page. */
const TIMELINE_MAX_ROWS = 1000;

const eventColumns = { ...getTableColumns(callbackEvents), ...EVENT_PROGRESS };
const { rawBody: _rawBody, payload: _payload, headers: _headers, ...summaryColumns } = eventColumns;

/** Events, newest received first. */
export async function listEvents(db: DbOrTx, q: EventsQuery): Promise<Page<EventSummary>> {
  const limit = pageLimit(q.limit);
  const where: (SQL | undefined)[] = [
    q.orderId !== undefined ? eq(callbackEvents.orderId, q.orderId) : undefined,
    q.status !== undefined ? eq(callbackEvents.status, q.status) : undefined,
    q.stale !== undefined ? eq(callbackEvents.stale, q.stale) : undefined,
    q.from ? gte(callbackEvents.receivedAt, q.from) : undefined,
    q.to ? lt(callbackEvents.receivedAt, q.to) : undefined,
  ];
  if (q.cursor !== undefined) {
    const c = decodeTimeIdCursor(q.cursor);
    where.push(before(callbackEvents.receivedAt, callbackEvents.id, c.at, c.id));
  }
  const rows = await db
    .select(summaryColumns)
    .from(callbackEvents)
    .leftJoin(processedEvents, joinProgress)
    .where(and(...where))
    .orderBy(desc(callbackEvents.receivedAt), desc(callbackEvents.id))
    .limit(limit + 1);
  return toPage(rows.map(withType), limit, (r) => [r.receivedAt.toISOString(), r.id]);
}

/** One event with its raw body, normalised form and every delivery; null when unknown. */
export async function getEventDetail(db: DbOrTx, eventId: string): Promise<EventDetail | null> {
  if (!isUuid(eventId)) return null;
  const [found] = await db
    .select({ event: eventColumns, order: orders })
    .from(callbackEvents)
    .leftJoin(processedEvents, joinProgress)
    .leftJoin(orders, eq(orders.orderId, callbackEvents.orderId))
    .where(eq(callbackEvents.id, eventId));
  if (!found) return null;
  const rows = await db
    .select()
    .from(deliveries)
    .where(eq(deliveries.eventId, eventId))
    .orderBy(asc(deliveries.generation), asc(deliveries.createdAt), asc(deliveries.channel));
  return {
    event: withType(found.event),
    normalised: toNormalisedEvent(found.event, found.order),
    deliveries: await withAttempts(db, rows),
    enrichment: (await pendingEnrichments(db, { eventId }))[0] ?? null,
  };
}

/** Orders, most recently updated first. */
export async function listOrders(db: DbOrTx, q: OrdersQuery): Promise<Page<OrderRow>> {
  const limit = pageLimit(q.limit);
  const where: (SQL | undefined)[] = [q.status !== undefined ? eq(orders.status, q.status) : undefined];
  const term = q.q?.trim();
  if (term) {
    const prefix = `${escapeLike(term)}%`;
    where.push(or(like(orders.orderId, prefix), ilike(orders.customerRef, prefix)));
  }
  if (q.cursor !== undefined) {
    const c = decodeTimeTextCursor(q.cursor);
    where.push(or(lt(orders.updatedAt, c.at), and(eq(orders.updatedAt, c.at), lt(orders.orderId, c.key))));
  }
  const rows = await db
    .select()
    .from(orders)
    .where(and(...where))
    .orderBy(desc(orders.updatedAt), desc(orders.orderId))
    .limit(limit + 1);
  return toPage(rows, limit, (r) => [r.updatedAt.toISOString(), r.orderId]);
}

/** An order with its events and deliveries, oldest first; null when unknown. */
export async function getOrderTimeline(db: DbOrTx, orderId: string): Promise<OrderTimeline | null> {
  const [order] = await db.select().from(orders).where(eq(orders.orderId, orderId));
  if (!order) return null;
  const events = await db
    .select(summaryColumns)
    .from(callbackEvents)
    .leftJoin(processedEvents, joinProgress)
    .where(eq(callbackEvents.orderId, orderId))
    .orderBy(asc(callbackEvents.receivedAt), asc(callbackEvents.id))
    .limit(TIMELINE_MAX_ROWS);
  const rows = await db
    .select()
    .from(deliveries)
    .where(eq(deliveries.orderId, orderId))
    .orderBy(asc(deliveries.createdAt), asc(deliveries.id))
    .limit(TIMELINE_MAX_ROWS);
  const enrichment = (await pendingEnrichments(db, { orderId }))[0] ?? null;
  const failure = (await orderFailures(db, [order])).get(orderId) ?? null;
  return { order, failure, events: events.map(withType), deliveries: await withAttempts(db, rows), enrichment };
}

/** Deliveries, newest created first. */
export async function listDeliveries(db: DbOrTx, q: DeliveriesQuery): Promise<Page<DeliveryRow>> {
  const limit = pageLimit(q.limit);
  if (q.eventId !== undefined && !isUuid(q.eventId)) return { items: [], nextCursor: null };
  const where: (SQL | undefined)[] = [
    q.status !== undefined ? eq(deliveries.status, q.status) : undefined,
    q.channel !== undefined ? eq(deliveries.channel, q.channel) : undefined,
    q.orderId !== undefined ? eq(deliveries.orderId, q.orderId) : undefined,
    q.eventId !== undefined ? eq(deliveries.eventId, q.eventId) : undefined,
  ];
  if (q.cursor !== undefined) {
    const c = decodeTimeIdCursor(q.cursor);
    where.push(before(deliveries.createdAt, deliveries.id, c.at, c.id));
  }
  const rows = await db
    .select()
    .from(deliveries)
    .where(and(...where))
    .orderBy(desc(deliveries.createdAt), desc(deliveries.id))
    .limit(limit + 1);
  return toPage(rows, limit, (r) => [r.createdAt.toISOString(), r.id]);
}

/** One delivery with its attempts (oldest first); null when unknown. */
export async function getDelivery(db: DbOrTx, id: string): Promise<DeliveryWithAttempts | null> {
  if (!isUuid(id)) return null;
  const rows = await db.select().from(deliveries).where(eq(deliveries.id, id));
  const [found] = await withAttempts(db, rows);
  if (!found?.groupId) return found ?? null;
  return { ...found, group: (await loadGroups(db, [found.groupId])).get(found.groupId) ?? null };
}

/** Refused callbacks, one row per (address, reason), most recently seen first. */
export async function listRejected(db: DbOrTx, q: RejectedQuery): Promise<Page<RefusalRow>> {
  const limit = pageLimit(q.limit);
  const where: (SQL | undefined)[] = [q.reason !== undefined ? eq(callbackRefusals.reason, q.reason) : undefined];
  if (q.cursor !== undefined) {
    const { at, id } = decodeTimeSerialCursor(q.cursor);
    where.push(before(callbackRefusals.lastSeenAt, callbackRefusals.id, at, id));
  }
  const rows = await db
    .select()
    .from(callbackRefusals)
    .where(and(...where))
    .orderBy(desc(callbackRefusals.lastSeenAt), desc(callbackRefusals.id))
    .limit(limit + 1);
  return toPage(rows, limit, (r) => [r.lastSeenAt.toISOString(), r.id]);
}

/** Rows strictly after the cursor row in (time desc, id desc) order. */
function before(timeCol: AnyPgColumn, idCol: AnyPgColumn, at: Date, id: string | number): SQL {
  return or(lt(timeCol, at), and(eq(timeCol, at), lt(idCol, id)))!;
}

/** Attaches each delivery's attempts (one query for all of them). */
async function withAttempts(db: DbOrTx, rows: DeliveryRow[]): Promise<DeliveryWithAttempts[]> {
  if (rows.length === 0) return [];
  const attempts = await db
    .select()
    .from(deliveryAttempts)
    .where(inArray(deliveryAttempts.deliveryId, rows.map((r) => r.id)))
    .orderBy(asc(deliveryAttempts.deliveryId), asc(deliveryAttempts.attempt), asc(deliveryAttempts.id));
  const byDelivery = new Map<string, AttemptRow[]>();
  for (const a of attempts) {
    const list = byDelivery.get(a.deliveryId) ?? [];
    list.push(a);
    byDelivery.set(a.deliveryId, list);
  }
  return rows.map(({ attempts: attemptCount, ...r }) => ({ ...r, attemptCount, attempts: byDelivery.get(r.id) ?? [] }));
}

/** Escapes LIKE wildcards so a search term matches literally. */
function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}
