/**
 * The database, as drizzle sees it. Migrations in drizzle/ are generated from this file
 * (`npm run db:generate`) and never edited after they land.
 */
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { NumberRange } from '../receive/event.js';

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** Every accepted callback, exactly once per dedupe key, with its raw bytes. */
export const callbackEvents = pgTable(
  'callback_events',
  {
    id: uuid('id').primaryKey(),
    /** The sender's event id, or the SHA-256 of the body's canonical JSON. */
    dedupeKey: text('dedupe_key').notNull(),
    orderId: text('order_id').notNull(),
    status: text('status').notNull(),
    rawStatus: text('raw_status'),
    orderType: text('order_type').notNull(),
    numberType: text('number_type').notNull(),
    customerRef: text('customer_ref'),
    numbers: jsonb('numbers').$type<NumberRange[]>().notNull(),
    occurredAt: ts('occurred_at').notNull(),
    receivedAt: ts('received_at').notNull(),
    /** The body exactly as received: jsonb reorders keys and drops duplicates. */
    rawBody: text('raw_body').notNull(),
    payload: jsonb('payload').notNull(),
    /** Request headers with credentials removed. */
    headers: jsonb('headers').$type<Record<string, string>>().notNull(),
    remoteAddr: text('remote_addr'),
    /** The order had already reached a later status when this arrived. */
    stale: boolean('stale').notNull().default(false),
    /** Who told us: `callback` (Colt's order callback), `ticket` (a TMF621 ticket notification). */
    source: text('source').notNull().default('callback'),
    /** received → processed (enriched and routed). */
    state: text('state').notNull().default('received'),
    processedAt: ts('processed_at'),
  },
  (t) => [
    uniqueIndex('callback_events_dedupe_key_uq').on(t.dedupeKey),
    index('callback_events_order_idx').on(t.orderId, t.receivedAt),
    index('callback_events_received_idx').on(t.receivedAt),
  ],
);

/**
 * The event outbox: one row per event still to process (enrich, route), written in the
 * same transaction as the event and deleted when done, so the hot set stays small.
 */
export const eventWork = pgTable(
  'event_work',
  {
    eventId: uuid('event_id')
      .primaryKey()
      .references(() => callbackEvents.id, { onDelete: 'cascade' }),
    dueAt: ts('due_at').notNull(),
    leaseUntil: ts('lease_until'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
  },
  (t) => [index('event_work_due_idx').on(t.dueAt)],
);

/** Requests the receiver refused, for audit. Bodies truncated, credentials never stored. */
export const rejectedCallbacks = pgTable(
  'rejected_callbacks',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    receivedAt: ts('received_at').notNull(),
    statusCode: integer('status_code').notNull(),
    reason: text('reason').notNull(),
    message: text('message').notNull(),
    path: text('path').notNull(),
    contentType: text('content_type'),
    bodyExcerpt: text('body_excerpt'),
    bodyBytes: integer('body_bytes'),
    remoteAddr: text('remote_addr'),
  },
  (t) => [index('rejected_callbacks_received_idx').on(t.receivedAt)],
);

/** One row per Colt order: status only moves forward. */
export const orders = pgTable('orders', {
  orderId: text('order_id').primaryKey(),
  status: text('status').notNull(),
  /** STATUS_RANK of status: lets SQL keep the status monotonic. */
  statusRank: integer('status_rank').notNull(),
  orderType: text('order_type').notNull(),
  numberType: text('number_type').notNull(),
  numbers: jsonb('numbers').$type<NumberRange[]>().notNull(),
  customerRef: text('customer_ref'),
  /** The body of GET /order/{orderId}. */
  details: jsonb('details'),
  detailsFetchedAt: ts('details_fetched_at'),
  /** Why the last enrichment failed, if it did. */
  enrichError: text('enrich_error'),
  firstSeenAt: ts('first_seen_at').notNull(),
  updatedAt: ts('updated_at').notNull(),
  lastEventId: uuid('last_event_id'),
  /** The Colt trouble ticket (TMF621) opened for this order by a colt-ticket channel. */
  ticketId: text('ticket_id'),
  /** Its last known status as Colt spells it (acknowledged, inProgress, resolved, closed…). */
  ticketStatus: text('ticket_status'),
  ticketUpdatedAt: ts('ticket_updated_at'),
});

/** One notification: an event for one channel. Replays add a new generation. */
export const deliveries = pgTable(
  'deliveries',
  {
    id: uuid('id').primaryKey(),
    eventId: uuid('event_id')
      .notNull()
      .references(() => callbackEvents.id, { onDelete: 'cascade' }),
    orderId: text('order_id').notNull(),
    /** Channel name in the rules file. */
    channel: text('channel').notNull(),
    channelType: text('channel_type').notNull(),
    /** Names of the rules that asked for this delivery. */
    rules: jsonb('rules').$type<string[]>().notNull(),
    /** 0 for the first routing, n for the nth replay. */
    generation: integer('generation').notNull().default(0),
    /** pending, sending, delivered, retrying, dead, suppressed */
    status: text('status').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: ts('next_attempt_at').notNull(),
    leaseUntil: ts('lease_until'),
    lastError: text('last_error'),
    lastCode: text('last_code'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
    deliveredAt: ts('delivered_at'),
  },
  (t) => [
    uniqueIndex('deliveries_event_channel_uq').on(t.eventId, t.channel, t.generation),
    index('deliveries_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`status in ('pending', 'retrying', 'sending')`),
    index('deliveries_status_idx').on(t.status, t.updatedAt),
    index('deliveries_order_idx').on(t.orderId),
  ],
);

/** One row per try of a delivery. */
export const deliveryAttempts = pgTable(
  'delivery_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    deliveryId: uuid('delivery_id')
      .notNull()
      .references(() => deliveries.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    startedAt: ts('started_at').notNull(),
    durationMs: integer('duration_ms').notNull(),
    /** delivered, retry, failed (permanent), dead (retries exhausted) */
    outcome: text('outcome').notNull(),
    code: text('code'),
    error: text('error'),
    /** Start of the peer's answer, at most 4 KiB. */
    response: text('response'),
  },
  (t) => [index('delivery_attempts_delivery_idx').on(t.deliveryId, t.attempt)],
);

/** The Slack thread of an order in a Slack channel: parent message ts. */
export const slackThreads = pgTable(
  'slack_threads',
  {
    orderId: text('order_id').notNull(),
    slackChannel: text('slack_channel').notNull(),
    threadTs: text('thread_ts').notNull(),
    lastStatus: text('last_status').notNull(),
    updatedAt: ts('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.slackChannel] })],
);

/** Per-channel pacing and health, shared by every worker through the database. */
export const channelState = pgTable('channel_state', {
  channel: text('channel').primaryKey(),
  pausedUntil: ts('paused_until'),
  consecutiveFailures: integer('consecutive_failures').notNull().default(0),
  disabledAt: ts('disabled_at'),
  disabledReason: text('disabled_reason'),
  /** Earliest time the next message may go (per-channel rate, e.g. Slack ≈ 1/s). */
  nextSendAt: ts('next_send_at'),
  updatedAt: ts('updated_at').notNull(),
});

export const schema = {
  callbackEvents,
  eventWork,
  rejectedCallbacks,
  orders,
  deliveries,
  deliveryAttempts,
  slackThreads,
  channelState,
};
