/**
 * The delivery outbox (`deliveries`, `delivery_attempts`): one row per event × channel ×
 * generation. Workers claim due rows with FOR UPDATE SKIP LOCKED and a lease; every
 * outcome is written only by the dispatcher that still holds the lease it claimed with.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { newId } from '../lib/ids.js';
import type { DbOrTx } from './db.js';
import { rowsOf } from './rows.js';
import { deliveries, deliveryAttempts, RESPONSE_EXCERPT_BYTES } from './schema.js';
import type { PacedClaimOptions } from './send-slots.js';

/** Every status a delivery can have; `grouped`: waiting in a delivery group (docs/design.md#grouping), sent with it. */
export const DELIVERY_STATUSES = ['pending', 'grouped', 'sending', 'delivered', 'retrying', 'dead', 'suppressed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export type DeliveryRow = typeof deliveries.$inferSelect;

/** A delivery to write when an event is routed. */
export interface NewDelivery {
  /** @default a fresh time-ordered id */
  id?: string;
  eventId: string;
  orderId: string;
  channel: string;
  channelType: string;
  rules: string[];
  /** @default 0 (first routing); replays use nextGeneration() */
  generation?: number;
}

export interface ClaimDeliveriesOptions extends PacedClaimOptions {
  /** Channels in their quiet hours now: none of their deliveries is claimed. */
  quietChannels?: string[];
  /** Only this event's deliveries: the Workers runtime sends a fresh callback's at once. */
  eventId?: string;
}

/** The claimer's proof of ownership: outcomes apply only while these still match the row. */
export interface DeliveryLease {
  id: string;
  /** Attempts including this claim: the attempt number being made. */
  attempts: number;
  leaseUntil: Date;
}

export interface ClaimedDelivery extends DeliveryLease {
  eventId: string;
  orderId: string;
  channel: string;
  channelType: string;
}

/**
 * Writes deliveries; rows that already exist for (event, channel, generation) are left
 * alone, so routing an event twice writes its deliveries once. Returns the ids inserted.
 */
export async function insertDeliveries(tx: DbOrTx, rows: NewDelivery[], now: Date): Promise<string[]> {
  if (rows.length === 0) return [];
  const values = rows.map((r) => ({
    id: r.id ?? newId(now.getTime()),
    eventId: r.eventId,
    orderId: r.orderId,
    channel: r.channel,
    channelType: r.channelType,
    rules: r.rules,
    generation: r.generation ?? 0,
    status: 'pending' as const,
    attempts: 0,
    nextAttemptAt: now,
    createdAt: now,
    updatedAt: now,
  }));
  const inserted = await tx.insert(deliveries).values(values).onConflictDoNothing().returning({ id: deliveries.id });
  return inserted.map((r) => r.id);
}

// One statement (no transaction round trips) since the dispatcher's throughput work: see delivery-claim.repo.ts.
export { claimDueDeliveries } from './delivery-claim.repo.js';

/** One try of a delivery, for delivery_attempts. */
export interface AttemptRecord {
  deliveryId: string;
  attempt: number;
  startedAt: Date;
  durationMs: number;
  /** delivered, retry, failed (permanent), dead (retries exhausted), suppressed */
  outcome: 'delivered' | 'retry' | 'failed' | 'dead' | 'suppressed';
  code?: string | null;
  error?: string | null;
  /** Cut to RESPONSE_EXCERPT_BYTES here, whatever the channel sent. */
  response?: string | null;
}

export async function recordAttempt(tx: DbOrTx, a: AttemptRecord): Promise<void> {
  await tx.insert(deliveryAttempts).values({
    deliveryId: a.deliveryId,
    attempt: a.attempt,
    startedAt: a.startedAt,
    durationMs: Math.max(0, Math.round(a.durationMs)),
    outcome: a.outcome,
    code: a.code ?? null,
    error: truncateUtf8(a.error, RESPONSE_EXCERPT_BYTES),
    response: truncateUtf8(a.response, RESPONSE_EXCERPT_BYTES),
  });
}

/**
 * Operator retry: a dead or retrying delivery becomes due now. Attempts are kept (they are
 * history), so a dead delivery gets one more try before it is dead again; a full new
 * schedule is a replay (new generation). Returns false when the row is in another state.
 */
export async function retryDelivery(db: DbOrTx, id: string, now: Date): Promise<boolean> {
  const rows = await db
    .update(deliveries)
    .set({ status: 'pending', nextAttemptAt: now, leaseUntil: null, updatedAt: now })
    .where(and(eq(deliveries.id, id), inArray(deliveries.status, ['dead', 'retrying'])))
    .returning({ id: deliveries.id });
  return rows.length > 0;
}

/**
 * Bulk recovery (docs/design.md#bulk-recovery): every dead delivery that died (was last updated) at or after
 * `since`, of one channel or all, becomes due now, as retryDelivery does for one. They go
 * through the normal claim, which paces each channel. Members of a dead group (docs/design.md#rate-limits) rejoin
 * it and it is due again, so they go out as one message as before; a member whose group is
 * gone (pruned) goes out alone. Returns how many deliveries.
 */
export async function retryDeadDeliveries(db: DbOrTx, options: { since: Date; channel?: string; now: Date }): Promise<number> {
  const { since, channel, now } = options;
  const at = now.toISOString();
  const onlyChannel = channel === undefined ? sql`` : sql`and channel = ${channel}`;
  const rows = rowsOf<{ count: number }>(
    await db.execute(sql`
      with dead as (
        select id, group_id from deliveries
        where status = 'dead' and updated_at >= ${since.toISOString()}::timestamptz ${onlyChannel}
        for update
      ),
      -- A dead group's members go out together again: the group is due now, as on a retry.
      regrouped as (
        update delivery_groups g set status = 'retrying', due_at = ${at}::timestamptz, lease_until = null,
          updated_at = ${at}::timestamptz
        where g.id in (select group_id from dead where group_id is not null) and g.status = 'dead'
        returning g.id
      ),
      retried as (
        update deliveries d set
          status = case when d.group_id in (select id from regrouped) then 'grouped' else 'pending' end,
          next_attempt_at = ${at}::timestamptz, lease_until = null, updated_at = ${at}::timestamptz
        from dead where d.id = dead.id
        returning 1
      )
      select count(*)::int as count from retried`),
  );
  return Number(rows[0]?.count ?? 0);
}

/** Whether the channel has a dead delivery (read through the status index: no channel index exists). */
export async function channelHasDeadDeliveries(db: DbOrTx, channel: string): Promise<boolean> {
  const rows = await db
    .select({ id: deliveries.id })
    .from(deliveries)
    .where(and(eq(deliveries.status, 'dead'), eq(deliveries.channel, channel)))
    .limit(1);
  return rows.length > 0;
}

/** The generation a replay of the event should use: one past the highest so far (0 if none). */
export async function nextGeneration(db: DbOrTx, eventId: string): Promise<number> {
  const [row] = await db
    .select({ max: sql<number | null>`max(${deliveries.generation})` })
    .from(deliveries)
    .where(eq(deliveries.eventId, eventId));
  const max = row?.max;
  return max === null || max === undefined ? 0 : Number(max) + 1;
}

/** Cuts text to at most maxBytes of UTF-8 without splitting a character. */
export function truncateUtf8(text: string | null | undefined, maxBytes: number): string | null {
  if (text === null || text === undefined) return null;
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  // Step back over UTF-8 continuation bytes (10xxxxxx) to a character boundary.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return new TextDecoder().decode(bytes.subarray(0, end));
}
