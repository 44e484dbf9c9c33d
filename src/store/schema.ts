/**
 * The database, as drizzle sees it. Migrations in drizzle/ are generated from this file
 * (`npm run db:generate`) and never edited after they land.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import type { NumberRange } from '../event/event.js';
import type { TraceCarrier } from '../lib/tracing.js';

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
    /** callback, reconciliation or ticket (docs/design.md#event-types). */
    source: text('source').notNull().default('callback'),
    /** The event's type (`order.overdue`…); null means `order.<status>`. */
    type: text('type'),
    /**
     * The W3C trace context of the request that stored it, when tracing is on: the
     * dispatcher's spans for this event join that trace (docs/operations.md#tracing).
     */
    traceContext: jsonb('trace_context').$type<TraceCarrier>(),
  },
  (t) => [
    uniqueIndex('callback_events_dedupe_key_uq').on(t.dedupeKey),
    index('callback_events_order_idx').on(t.orderId, t.receivedAt),
    index('callback_events_received_idx').on(t.receivedAt),
  ],
);

/**
 * When each event was processed (enriched and routed): its state is `processed` when it has
 * a row here, else `received`. Kept beside the event rather than in it: marking a wide event
 * row (raw body, payload, headers) would rewrite it and its four index entries; this narrow
 * insert costs a fraction of that on every callback.
 */
export const processedEvents = pgTable('processed_events', {
  eventId: uuid('event_id')
    .primaryKey()
    .references(() => callbackEvents.id, { onDelete: 'cascade' }),
  processedAt: ts('processed_at').notNull(),
});

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

/**
 * Requests the receiver refused, for audit: one row per (client address, reason), counted,
 * with the latest one as a sample. A flood from one address grows a count, not the table,
 * so it can neither push other addresses' history out nor cost a write per request.
 * Bodies truncated, credentials never stored.
 */
export const callbackRefusals = pgTable(
  'callback_refusals',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    remoteAddr: text('remote_addr'),
    reason: text('reason').notNull(),
    count: bigint('count', { mode: 'number' }).notNull(),
    firstSeenAt: ts('first_seen_at').notNull(),
    lastSeenAt: ts('last_seen_at').notNull(),
    /** The latest refusal of the pair: answer, message, path (path tokens masked), body excerpt. */
    statusCode: integer('status_code').notNull(),
    message: text('message').notNull(),
    path: text('path').notNull(),
    contentType: text('content_type'),
    bodyExcerpt: text('body_excerpt'),
    bodyBytes: integer('body_bytes'),
  },
  (t) => [
    unique('callback_refusals_addr_reason_uq').on(t.remoteAddr, t.reason).nullsNotDistinct(),
    index('callback_refusals_last_seen_idx').on(t.lastSeenAt, t.id),
  ],
);

/** One row per Colt order: status only moves forward. */
export const orders = pgTable(
  'orders',
  {
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
  /** Who set the current status: callback or reconciliation (a later callback with it is then stale). */
  statusSource: text('status_source').notNull().default('callback'),
  /**
   * RECONCILE_AFTER counts from here: the last status change, moved on by each check so
   * the next one comes at a growing interval. Null until the order's next event.
   */
  reconcileBaseAt: ts('reconcile_base_at'),
  /** GET /order checks since the last status change. */
  reconcileChecks: integer('reconcile_checks').notNull().default(0),
  lastReconciledAt: ts('last_reconciled_at'),
  /** What the last check found: unchanged, advanced to <status>, or the error. */
  lastReconcileResult: text('last_reconcile_result'),
  /** When the order's one order.overdue event was written. */
  overdueAt: ts('overdue_at'),
    /** The Colt trouble ticket (TMF621) opened for this order by a colt-ticket channel. */
    ticketId: text('ticket_id'),
    /** Its last known status as Colt spells it (acknowledged, inProgress, resolved, closed…). */
    ticketStatus: text('ticket_status'),
    ticketUpdatedAt: ts('ticket_updated_at'),
  },
  (t) => [
    // The reconciler's round: open orders due for a check, oldest first (stays small: open orders only).
    index('orders_reconcile_due_idx').on(t.reconcileBaseAt).where(sql`status_rank < 2`),
    // The SLA sweep: open orders not yet reported overdue, by type and age.
    index('orders_sla_due_idx').on(t.orderType, t.firstSeenAt).where(sql`status_rank < 2 and overdue_at is null`),
  ],
);

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
    /** The group this delivery waits in (status `grouped`) or went out with (docs/design.md#grouping). */
    groupId: uuid('group_id'),
    /** The silence that suppressed this delivery (docs/design.md#silences). */
    silenceId: uuid('silence_id'),
  },
  (t) => [
    uniqueIndex('deliveries_event_channel_uq').on(t.eventId, t.channel, t.generation),
    index('deliveries_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`status in ('pending', 'retrying', 'sending')`),
    index('deliveries_status_idx').on(t.status, t.updatedAt),
    index('deliveries_order_idx').on(t.orderId),
    index('deliveries_group_idx').on(t.groupId).where(sql`group_id is not null`),
  ],
);

/**
 * One grouped notification (docs/design.md#grouping): the Slack or email channel's deliveries for events that
 * share a rule's `group.by` values wait here (status `grouped`) and go out as ONE message
 * when `due_at` comes. A group accepts members while `open`; claiming it closes it, so a
 * later event starts the next group (due no sooner than `interval` after this one's send).
 */
export const deliveryGroups = pgTable(
  'delivery_groups',
  {
    id: uuid('id').primaryKey(),
    channel: text('channel').notNull(),
    channelType: text('channel_type').notNull(),
    /** The rule whose `group` made it. */
    rule: text('rule').notNull(),
    /** Canonical JSON of the `by` values: the group's identity within (channel, rule). */
    groupKey: text('group_key').notNull(),
    /** The `by` fields and their values, for the message and the dashboard. */
    byValues: jsonb('by_values').$type<Record<string, string | null>>().notNull(),
    /** open (accepting members), sending, retrying, delivered, dead, suppressed */
    status: text('status').notNull(),
    dueAt: ts('due_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    leaseUntil: ts('lease_until'),
    lastError: text('last_error'),
    lastCode: text('last_code'),
    createdAt: ts('created_at').notNull(),
    updatedAt: ts('updated_at').notNull(),
    sentAt: ts('sent_at'),
  },
  (t) => [
    // At most one open group per (channel, rule, key): joining is an upsert on it.
    uniqueIndex('delivery_groups_open_uq').on(t.channel, t.rule, t.groupKey).where(sql`status = 'open'`),
    index('delivery_groups_due_idx').on(t.dueAt).where(sql`status in ('open', 'retrying', 'sending')`),
    // The last send of a key, for `interval`.
    index('delivery_groups_key_sent_idx').on(t.channel, t.rule, t.groupKey, t.sentAt),
  ],
);

/**
 * Silences (docs/design.md#silences): while `starts_at <= now < ends_at` and not expired, a delivery whose
 * event matches `match` (a rules-file match), to one of `channels` (or any channel when
 * null), is recorded as suppressed, naming the silence.
 */
export const silences = pgTable(
  'silences',
  {
    id: uuid('id').primaryKey(),
    /** The match as given (rules-file syntax), validated like a rule's. */
    match: jsonb('match').notNull(),
    startsAt: ts('starts_at').notNull(),
    endsAt: ts('ends_at').notNull(),
    comment: text('comment').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: ts('created_at').notNull(),
    /** Set when expired by hand before ends_at. */
    expiredAt: ts('expired_at'),
    /**
     * The channels it mutes (names in the rules file); null mutes every channel. Added after
     * the first release: a row written before it is null, as its silence meant.
     */
    channels: text('channels').array(),
  },
  (t) => [index('silences_ends_idx').on(t.endsAt)],
);

/** Caps a peer's answer (and an error text) stored with an attempt: `delivery_attempts.response`. */
export const RESPONSE_EXCERPT_BYTES = 4096;

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
    /** Start of the peer's answer, at most RESPONSE_EXCERPT_BYTES. */
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

/** Per-channel pacing and health, shared by every dispatcher through the database. */
export const channelState = pgTable('channel_state', {
  channel: text('channel').primaryKey(),
  pausedUntil: ts('paused_until'),
  consecutiveFailures: integer('consecutive_failures').notNull().default(0),
  disabledAt: ts('disabled_at'),
  disabledReason: text('disabled_reason'),
  /** Earliest time the next message may go (per-channel rate, e.g. Slack ≈ 1/s). */
  nextSendAt: ts('next_send_at'),
  /** Last delivered send (circuit breaker, docs/design.md#circuit-breaker). */
  lastSuccessAt: ts('last_success_at'),
  /** First failure since the last success; null while healthy (CHANNEL_DISABLE_AFTER counts from here). */
  failingSince: ts('failing_since'),
  /** Who disabled it: breaker, admin, gone (webhook 410). */
  disabledBy: text('disabled_by'),
  updatedAt: ts('updated_at').notNull(),
});

/**
 * Dashboard sessions: the cookie carries the id (signed), this row says whether it still
 * counts, so logout ends a session on the server and not only in the browser.
 */
export const dashboardSessions = pgTable(
  'dashboard_sessions',
  {
    id: text('id').primaryKey(),
    createdAt: ts('created_at').notNull(),
    expiresAt: ts('expires_at').notNull(),
    revokedAt: ts('revoked_at'),
  },
  (t) => [index('dashboard_sessions_expires_idx').on(t.expiresAt)],
);

export const schema = {
  callbackEvents,
  eventWork,
  callbackRefusals,
  orders,
  deliveries,
  deliveryAttempts,
  deliveryGroups,
  silences,
  slackThreads,
  channelState,
  dashboardSessions,
};
