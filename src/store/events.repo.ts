/** Callback events: stored exactly once, with their outbox row, in one transaction. */
import { and, eq, inArray } from 'drizzle-orm';
import type { EventStatus, NormalisedEvent, NumberType, OrderType } from '../receive/event.js';
import type { CallbackFields } from '../receive/normalise.js';
import type { Db, DbOrTx } from './db.js';
import { applyObservations, isStale, lockOrders, type OrderRow } from './orders.repo.js';
import { callbackEvents, eventWork, orders } from './schema.js';

export type EventRow = typeof callbackEvents.$inferSelect;

/** One accepted callback, ready to store. */
export interface NewCallback {
  id: string;
  dedupeKey: string;
  fields: CallbackFields;
  receivedAt: Date;
  rawBody: string;
  /** The jsonb copy of the body. */
  payload: unknown;
  headers: Record<string, string>;
  remoteAddr: string | null;
}

export interface StoredCallback {
  /** The stored event's id: the new one, or the original's for a duplicate. */
  id: string;
  duplicate: boolean;
}

/**
 * Stores a batch of callbacks in one transaction: new events, their orders and their
 * outbox rows; duplicates (within the batch or of stored events) resolve to the stored id.
 * Rows are written in dedupe-key order so concurrent batches take locks in one order.
 */
export async function insertCallbacks(db: Db, items: NewCallback[]): Promise<StoredCallback[]> {
  const first = new Map<string, NewCallback>();
  for (const item of items) if (!first.has(item.dedupeKey)) first.set(item.dedupeKey, item);
  const candidates = [...first.values()];
  return db.transaction(async (tx) => {
    const current = await lockOrders(tx, [...new Set(candidates.map((c) => c.fields.orderId))].sort());
    const staleIds = markStale(candidates, current);
    const sorted = [...candidates].sort((a, b) => (a.dedupeKey < b.dedupeKey ? -1 : a.dedupeKey > b.dedupeKey ? 1 : 0));
    const inserted = await tx
      .insert(callbackEvents)
      .values(sorted.map((c) => toRow(c, staleIds.has(c.id))))
      .onConflictDoNothing({ target: callbackEvents.dedupeKey })
      .returning({ id: callbackEvents.id });
    const insertedIds = new Set(inserted.map((r) => r.id));
    const fresh = candidates.filter((c) => insertedIds.has(c.id));
    const missingKeys = candidates.filter((c) => !insertedIds.has(c.id)).map((c) => c.dedupeKey);
    const existing = missingKeys.length
      ? await tx
          .select({ id: callbackEvents.id, dedupeKey: callbackEvents.dedupeKey })
          .from(callbackEvents)
          .where(inArray(callbackEvents.dedupeKey, missingKeys))
      : [];
    if (fresh.length > 0) {
      const at = fresh[fresh.length - 1]!.receivedAt;
      await applyObservations(
        tx,
        fresh.map((c) => ({ eventId: c.id, ...c.fields })),
        at,
      );
      await tx.insert(eventWork).values(fresh.map((c) => ({ eventId: c.id, dueAt: c.receivedAt })));
    }
    const idByKey = new Map<string, string>(existing.map((r) => [r.dedupeKey, r.id]));
    for (const c of fresh) idByKey.set(c.dedupeKey, c.id);
    return items.map((item) => {
      const id = idByKey.get(item.dedupeKey);
      if (id === undefined) throw new Error(`dedupe key vanished during insert: ${item.dedupeKey}`);
      return { id, duplicate: !insertedIds.has(item.id) };
    });
  });
}

/** Ids of callbacks that arrive after their order moved past them, in arrival order. */
function markStale(candidates: NewCallback[], current: Map<string, { status: EventStatus }>): Set<string> {
  const state = new Map(current);
  const stale = new Set<string>();
  for (const c of candidates) {
    const order = state.get(c.fields.orderId);
    if (isStale(c.fields.status, order)) {
      stale.add(c.id);
    } else if (c.fields.status !== 'unknown' && (!order || order.status === 'unknown' || c.fields.status !== order.status)) {
      state.set(c.fields.orderId, { status: c.fields.status });
    }
  }
  return stale;
}

function toRow(c: NewCallback, stale: boolean): typeof callbackEvents.$inferInsert {
  const f = c.fields;
  return {
    id: c.id,
    dedupeKey: c.dedupeKey,
    orderId: f.orderId,
    status: f.status,
    rawStatus: f.rawStatus,
    orderType: f.orderType,
    numberType: f.numberType,
    customerRef: f.customerRef,
    numbers: f.numbers,
    occurredAt: f.occurredAt ? new Date(f.occurredAt) : c.receivedAt,
    receivedAt: c.receivedAt,
    rawBody: c.rawBody,
    payload: c.payload,
    headers: c.headers,
    remoteAddr: c.remoteAddr,
    stale,
  };
}

/**
 * The §4.2 event of a stored callback. The callback's own fields win where it has them;
 * the order's fill the gaps; fetched order details win over both.
 */
export function toNormalisedEvent(row: EventRow, order: OrderRow | null): NormalisedEvent {
  const details = order?.detailsFetchedAt ? order : null;
  const pick = <T>(fromEvent: T, fromOrder: T | undefined, unknown: T): T => {
    if (details && fromOrder !== undefined && fromOrder !== unknown) return fromOrder;
    return fromEvent !== unknown || fromOrder === undefined ? fromEvent : fromOrder;
  };
  return {
    eventId: row.id,
    orderId: row.orderId,
    status: row.status as EventStatus,
    rawStatus: row.rawStatus,
    orderType: pick(row.orderType as OrderType, order?.orderType as OrderType | undefined, 'unknown'),
    occurredAt: row.occurredAt.toISOString(),
    receivedAt: row.receivedAt.toISOString(),
    numbers:
      details && order!.numbers.length > 0 ? order!.numbers : row.numbers.length > 0 ? row.numbers : (order?.numbers ?? []),
    numberType: pick(row.numberType as NumberType, order?.numberType as NumberType | undefined, 'unknown'),
    customerRef: pick(row.customerRef, order?.customerRef ?? undefined, null),
    stale: row.stale,
    order: details ? ((order!.details as Record<string, unknown> | null) ?? null) : null,
    payload: row.payload,
  };
}

export async function getEventRow(db: DbOrTx, eventId: string): Promise<EventRow | null> {
  const [row] = await db.select().from(callbackEvents).where(eq(callbackEvents.id, eventId));
  return row ?? null;
}

/** The normalised event with its order merged in, or null when no such event exists. */
export async function loadEvent(db: DbOrTx, eventId: string): Promise<NormalisedEvent | null> {
  const [found] = await db
    .select({ event: callbackEvents, order: orders })
    .from(callbackEvents)
    .leftJoin(orders, eq(orders.orderId, callbackEvents.orderId))
    .where(eq(callbackEvents.id, eventId));
  return found ? toNormalisedEvent(found.event, found.order) : null;
}

export async function markEventProcessed(tx: DbOrTx, eventId: string, now: Date): Promise<void> {
  await tx
    .update(callbackEvents)
    .set({ state: 'processed', processedAt: now })
    .where(and(eq(callbackEvents.id, eventId), eq(callbackEvents.state, 'received')));
}
