/** Callback events: stored exactly once, with their outbox row, in one transaction. */
import { eq, inArray, sql, type SQL } from 'drizzle-orm';
import { STATUS_RANK, reportedEventType, type EventSource, type EventStatus, type NormalisedEvent, type NumberType, type OrderType } from '../event/event.js';
import type { CallbackFields } from '../event/event.js';
import { eventFailure } from '../colt/failure-reason.js';
import type { TraceCarrier } from '../lib/tracing.js';
import { secondaryDedupeKey, type CallbackKindName } from '../receive/dedupe.js';
import type { Db, DbOrTx } from './db.js';
import { isStale, type OrderRow } from './orders.repo.js';
import { rowsOf } from './rows.js';
import { callbackEvents, orders, processedEvents } from './schema.js';

/** Where an event stands: `processed` once enriched and routed (processed_events), else `received`. */
export interface EventProgress {
  state: 'received' | 'processed';
  processedAt: Date | null;
}

/** A stored event with its progress. */
export type EventRow = typeof callbackEvents.$inferSelect & EventProgress;

/** The EventProgress columns of a query that left-joins processed_events on the event (joinProgress). */
export const EVENT_PROGRESS = {
  state: sql<EventProgress['state']>`case when ${processedEvents.eventId} is null then 'received' else 'processed' end`,
  processedAt: processedEvents.processedAt,
};

/** The join EVENT_PROGRESS reads. */
export const joinProgress = eq(processedEvents.eventId, callbackEvents.id);

/** One accepted callback, ready to store. */
export interface NewCallback {
  id: string;
  dedupeKey: string;
  fields: CallbackFields;
  receivedAt: Date;
  rawBody: string;
  /** The jsonb copy of the body when `rawBody` cannot be parsed into jsonb as it is; else undefined. */
  payload: unknown;
  headers: Record<string, string>;
  remoteAddr: string | null;
  /** Who told us. @default "callback" */
  source?: EventSource;
  /** Set for events that are not an order state (`order.overdue`); absent means `order.<status>`. */
  type?: string;
  /** The trace of the request that brought it (tracing on): later work on the event joins it. */
  traceContext?: TraceCarrier | null;
}

export interface StoredCallback {
  /** The stored event's id: the new one, or the original's for a duplicate. */
  id: string;
  duplicate: boolean;
}

/**
 * Stores a batch of callbacks in ONE statement (one round trip, atomic by itself): new
 * events, their outbox rows and their orders; duplicates (within the batch or of stored
 * events) resolve to the stored id. Data-modifying CTEs keep it a single transaction
 * without BEGIN/COMMIT round trips, which is what makes group commit pay.
 *
 * Staleness is judged against the orders as they were when the statement started, and,
 * within the batch, in arrival order; the orders upsert itself is monotonic in SQL, so a
 * concurrent writer can never move an order backwards.
 *
 * Order callbacks and ticket notifications share their dedupe key (receive/dedupe.ts): a
 * callback whose key turns out to be held by an event of the other kind is not its duplicate
 * and is stored in a second statement under its secondary key (rare: the same eventId sent to
 * both receivers).
 */
export async function insertCallbacks(db: Db, items: NewCallback[]): Promise<StoredCallback[]> {
  const results = await insertOnce(db, items);
  const misfiled = items.flatMap((item, i) => (results[i]!.heldBy !== kindOf(item) ? [i] : []));
  if (misfiled.length > 0) {
    const refiled = await insertOnce(
      db,
      misfiled.map((i) => ({ ...items[i]!, dedupeKey: secondaryDedupeKey(kindOf(items[i]!), items[i]!.dedupeKey) })),
    );
    for (const [n, i] of misfiled.entries()) results[i] = refiled[n]!;
  }
  return results.map(({ id, duplicate }) => ({ id, duplicate }));
}

/** Which kind of callback an event is, for dedupe (a reconciliation or relay event counts as an order's). */
function kindOf(event: { source?: string | null | undefined; fields?: CallbackFields }): CallbackKindName {
  const source = event.source ?? event.fields?.source;
  return source === 'ticket' ? 'ticket' : 'order';
}

/** One batch statement: each item's stored id, and the kind of the event that holds its key. */
async function insertOnce(db: Db, items: NewCallback[]): Promise<(StoredCallback & { heldBy: CallbackKindName })[]> {
  const first = new Map<string, NewCallback>();
  for (const item of items) if (!first.has(item.dedupeKey)) first.set(item.dedupeKey, item);
  const candidates = [...first.values()];
  const staleInBatch = markStale(candidates, new Map());
  const input = candidates.map((c, seq) => ({ ...toRow(c, staleInBatch.has(c.id)), seq, status_rank: STATUS_RANK[c.fields.status] }));
  const rows = rowsOf<{ id: string; dedupe_key: string; inserted: boolean; stored_id: string | null; stored_source: string | null }>(
    await db.execute(insertStatement(JSON.stringify(input))),
  );
  const storedByKey = new Map<string, { id: string; kind: CallbackKindName }>();
  const inserted = new Set<string>();
  for (const r of rows) {
    if (r.inserted) inserted.add(r.id);
    if (r.stored_id) storedByKey.set(r.dedupe_key, { id: r.stored_id, kind: r.inserted ? kindOf(first.get(r.dedupe_key)!) : kindOf({ source: r.stored_source }) });
  }
  // A duplicate committed by a concurrent batch after this statement's snapshot: look again.
  const unresolved = candidates.filter((c) => !storedByKey.has(c.dedupeKey)).map((c) => c.dedupeKey);
  if (unresolved.length > 0) {
    const found = await db
      .select({ id: callbackEvents.id, dedupeKey: callbackEvents.dedupeKey, source: callbackEvents.source })
      .from(callbackEvents)
      .where(inArray(callbackEvents.dedupeKey, unresolved));
    for (const r of found) storedByKey.set(r.dedupeKey, { id: r.id, kind: kindOf(r) });
  }
  return items.map((item) => {
    const stored = storedByKey.get(item.dedupeKey);
    if (stored === undefined) throw new Error(`dedupe key vanished during insert: ${item.dedupeKey}`);
    return { id: stored.id, duplicate: !inserted.has(item.id), heldBy: stored.kind };
  });
}

/** The batch statement; `$1` is a JSON array of rows in the shape of toRow(). */
function insertStatement(input: string): SQL {
  return sql`
    with input as (
      select * from jsonb_to_recordset(${input}::jsonb) as x(
        id uuid, dedupe_key text, order_id text, status text, status_rank int, seq int, stale boolean,
        raw_status text, order_type text, number_type text, customer_ref text, numbers jsonb,
        occurred_at timestamptz, received_at timestamptz, raw_body text, payload jsonb, headers jsonb, remote_addr text,
        source text, type text, trace_context jsonb)
    ),
    ins as (
      insert into callback_events (id, dedupe_key, order_id, status, raw_status, order_type, number_type, customer_ref,
        numbers, occurred_at, received_at, raw_body, payload, headers, remote_addr, stale, source, type, trace_context)
      select i.id, i.dedupe_key, i.order_id, i.status, i.raw_status, i.order_type, i.number_type, i.customer_ref,
        i.numbers, i.occurred_at, i.received_at, i.raw_body, coalesce(i.payload, i.raw_body::jsonb), i.headers, i.remote_addr,
        -- Only order-state events can be stale; an order.overdue event is about time, not state.
        i.type is null and (i.stale or coalesce(i.status_rank >= 0 and c.status_rank >= 0 and (i.status_rank < c.status_rank
          or (i.status_rank = 2 and c.status_rank = 2 and i.status <> c.status)
          -- Reconciliation already reported this status (or a callback did, for a reconciliation event).
          or (i.status = c.status and (i.source = 'reconciliation' or c.status_source = 'reconciliation'))), false)),
        i.source, i.type, i.trace_context
      -- LATERAL: one primary-key probe per row, never a scan of orders.
      from input i left join lateral (select o.status, o.status_rank, o.status_source from orders o where o.order_id = i.order_id) c on true
      order by i.dedupe_key
      on conflict (dedupe_key) do nothing
      returning id
    ),
    work as (
      insert into event_work (event_id, due_at)
      select i.id, i.received_at from input i join ins on ins.id = i.id
    ),
    observed as (
      select i.order_id,
        (array_agg(i.status order by i.status_rank desc, i.seq))[1] as status,
        (array_agg(i.source order by i.status_rank desc, i.seq))[1] as status_source,
        max(i.status_rank) as status_rank,
        coalesce((array_agg(i.order_type order by i.seq) filter (where i.order_type <> 'unknown'))[1], 'unknown') as order_type,
        coalesce((array_agg(i.number_type order by i.seq) filter (where i.number_type <> 'unknown'))[1], 'unknown') as number_type,
        coalesce((array_agg(i.numbers order by i.seq) filter (where jsonb_array_length(i.numbers) > 0))[1], '[]'::jsonb) as numbers,
        (array_agg(i.customer_ref order by i.seq) filter (where i.customer_ref is not null))[1] as customer_ref,
        (array_agg(i.id order by i.seq desc))[1] as last_event_id,
        max(i.received_at) as at
      from input i join ins on ins.id = i.id
      where i.type is null
      group by i.order_id
    ),
    upserted as (
      insert into orders as o (order_id, status, status_rank, order_type, number_type, numbers, customer_ref,
        first_seen_at, updated_at, last_event_id, status_source, reconcile_base_at)
      select order_id, status, status_rank, order_type, number_type, numbers, customer_ref, at, at, last_event_id,
        status_source, at
      from observed
      order by order_id
      on conflict (order_id) do update set
        status = case when excluded.status_rank > o.status_rank then excluded.status else o.status end,
        status_rank = greatest(excluded.status_rank, o.status_rank),
        status_source = case when excluded.status_rank > o.status_rank then excluded.status_source else o.status_source end,
        -- A status change restarts the reconciliation clock (and its growing interval).
        reconcile_base_at = case when excluded.status_rank > o.status_rank or o.reconcile_base_at is null
          then excluded.reconcile_base_at else o.reconcile_base_at end,
        reconcile_checks = case when excluded.status_rank > o.status_rank then 0 else o.reconcile_checks end,
        order_type = case when o.order_type = 'unknown' then excluded.order_type else o.order_type end,
        number_type = case when o.number_type = 'unknown' then excluded.number_type else o.number_type end,
        numbers = case when jsonb_array_length(o.numbers) = 0 then excluded.numbers else o.numbers end,
        customer_ref = coalesce(o.customer_ref, excluded.customer_ref),
        updated_at = excluded.updated_at,
        last_event_id = excluded.last_event_id
    )
    -- A duplicate's stored id by a unique-index probe (evaluated only for duplicates);
    -- a join here would let the planner scan the whole events table.
    select i.id, i.dedupe_key, ins.id is not null as inserted,
      coalesce(ins.id, (select e.id from callback_events e where e.dedupe_key = i.dedupe_key)) as stored_id,
      case when ins.id is null then (select e.source from callback_events e where e.dedupe_key = i.dedupe_key) end as stored_source
    from input i
    left join ins on ins.id = i.id`;
}

/** Ids of callbacks that arrive after an earlier one of the batch moved their order past them. */
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

/** One input row of the batch statement, in column names. */
function toRow(c: NewCallback, stale: boolean) {
  const f = c.fields;
  return {
    id: c.id,
    dedupe_key: c.dedupeKey,
    order_id: f.orderId,
    status: f.status,
    raw_status: f.rawStatus,
    order_type: f.orderType,
    number_type: f.numberType,
    customer_ref: f.customerRef,
    numbers: f.numbers,
    occurred_at: (f.occurredAt ? new Date(f.occurredAt) : c.receivedAt).toISOString(),
    received_at: c.receivedAt.toISOString(),
    raw_body: c.rawBody,
    payload: c.payload ?? null,
    headers: c.headers,
    remote_addr: c.remoteAddr,
    stale,
    // A reconciliation's write says so; a ticket notification's fields do.
    source: c.source ?? f.source ?? 'callback',
    type: c.type ?? null,
    // Left out of the JSON when tracing is off (undefined): the batch costs not a byte more.
    trace_context: c.traceContext ?? undefined,
  };
}

/** The columns toNormalisedEvent reads: loading only these skips the raw body and headers. */
export const EVENT_FIELDS = {
  id: callbackEvents.id,
  orderId: callbackEvents.orderId,
  status: callbackEvents.status,
  rawStatus: callbackEvents.rawStatus,
  orderType: callbackEvents.orderType,
  numberType: callbackEvents.numberType,
  customerRef: callbackEvents.customerRef,
  numbers: callbackEvents.numbers,
  occurredAt: callbackEvents.occurredAt,
  receivedAt: callbackEvents.receivedAt,
  payload: callbackEvents.payload,
  stale: callbackEvents.stale,
  source: callbackEvents.source,
  type: callbackEvents.type,
};
export type EventFields = Pick<EventRow, keyof typeof EVENT_FIELDS>;

/** The order columns toNormalisedEvent reads. */
export const ORDER_FIELDS = {
  orderType: orders.orderType,
  numberType: orders.numberType,
  numbers: orders.numbers,
  customerRef: orders.customerRef,
  details: orders.details,
  detailsFetchedAt: orders.detailsFetchedAt,
  enrichError: orders.enrichError,
};
export type OrderFields = Pick<OrderRow, keyof typeof ORDER_FIELDS>;

/**
 * The docs/design.md#normalised-event event of a stored callback. The callback's own fields win where it has them;
 * the order's fill the gaps; fetched order details win over both.
 */
export function toNormalisedEvent(row: EventFields, order: OrderFields | null): NormalisedEvent {
  const details = order?.detailsFetchedAt ? order : null;
  const pick = <T>(fromEvent: T, fromOrder: T | undefined, unknown: T): T => {
    if (details && fromOrder !== undefined && fromOrder !== unknown) return fromOrder;
    return fromEvent !== unknown || fromOrder === undefined ? fromEvent : fromOrder;
  };
  const source = row.source as EventSource;
  return {
    eventId: row.id,
    type: eventType(row),
    source,
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
    detailsMissing: details ? null : (order?.enrichError ?? null),
    failure: eventFailure({ type: row.type, source, status: row.status as EventStatus, payload: row.payload, details: details?.details ?? null }),
    payload: row.payload,
  };
}

/**
 * A stored event's type: its `type` column when set (`order.overdue`, `relay.…`), else what
 * its source and status make it (`order.<status>`, `ticket.<status>`). Order-state events
 * keep a null column (an older release reads null as "order state"), so every read fills it here.
 */
export function eventType(row: Pick<EventFields, 'type' | 'source' | 'status' | 'rawStatus'>): string {
  return row.type ?? reportedEventType(row.source as EventSource, row.status as EventStatus, row.rawStatus);
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

/** loadEvent for many events in one query; ids without a stored event are absent from the map. */
export async function loadEvents(db: DbOrTx, eventIds: readonly string[]): Promise<Map<string, NormalisedEvent>> {
  const events = new Map<string, NormalisedEvent>();
  if (eventIds.length === 0) return events;
  const rows = await db
    .select({ event: EVENT_FIELDS, order: ORDER_FIELDS })
    .from(callbackEvents)
    .leftJoin(orders, eq(orders.orderId, callbackEvents.orderId))
    .where(inArray(callbackEvents.id, [...new Set(eventIds)]));
  for (const r of rows) events.set(r.event.id, toNormalisedEvent(r.event, r.order));
  return events;
}


/** The stored trace context of each event that has one (tracing on); the others are absent. */
export async function loadEventTraces(db: DbOrTx, eventIds: readonly string[]): Promise<Map<string, TraceCarrier>> {
  const traces = new Map<string, TraceCarrier>();
  if (eventIds.length === 0) return traces;
  const rows = await db
    .select({ id: callbackEvents.id, trace: callbackEvents.traceContext })
    .from(callbackEvents)
    .where(inArray(callbackEvents.id, [...new Set(eventIds)]));
  for (const r of rows) if (r.trace) traces.set(r.id, r.trace);
  return traces;
}
