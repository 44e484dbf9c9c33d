/**
 * Retention (`colt-relay prune`) and the queue gauges the metrics read at scrape time.
 * Orders are never pruned: they are the current state, one row per order.
 */
import { and, asc, count, eq, gte, lt, notExists, notInArray, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from './db.js';
import { callbackEvents, callbackRefusals, channelState, deliveries, deliveryAttempts, eventWork } from './schema.js';

/** Delivery statuses that will not change again without an operator. */
export const FINAL_DELIVERY_STATUSES = ['delivered', 'dead', 'suppressed'] as const;

/** Statuses the queue gauge reports: work still to do, and dead letters waiting for an operator. */
export const QUEUE_STATUSES = ['pending', 'sending', 'retrying', 'dead'] as const;
export type QueueStatus = (typeof QUEUE_STATUSES)[number];

export interface PruneCounts {
  events: number;
  attempts: number;
  /** Refused-callback rows (address and reason pairs) last seen before the cutoff. */
  rejected: number;
}

export interface QueueStats {
  /** Deliveries per status (every status of QUEUE_STATUSES present, 0 when none). */
  depth: Record<QueueStatus, number>;
  /**
   * How long the oldest due and sendable delivery has waited past its due time; 0 when none.
   * Deliveries held on purpose (their channel disabled, paused, waiting for its send slot or
   * in its quiet hours) are not late: held-deliveries.repo.ts counts them.
   */
  oldestDueAgeSeconds: number;
}

/** What getQueueStats cannot read from the database: which channels keep quiet hours now (from the rules). */
export interface QueueStatsOptions {
  /** Channels in their quiet hours at `now` (pacing.ts quietChannelNames). @default [] */
  quietChannels?: readonly string[];
}

/**
 * An event old enough to prune: received before the cutoff, no longer in the event
 * outbox, and every delivery final and untouched since the cutoff (an operator's recent
 * retry keeps it).
 */
function prunableEvent(cutoff: Date): SQL {
  return and(
    lt(callbackEvents.receivedAt, cutoff),
    notExists(sqlSelectOne(eventWork, eq(eventWork.eventId, callbackEvents.id))),
    notExists(
      sqlSelectOne(
        deliveries,
        and(
          eq(deliveries.eventId, callbackEvents.id),
          or(notInArray(deliveries.status, [...FINAL_DELIVERY_STATUSES]), gte(deliveries.updatedAt, cutoff)),
        )!,
      ),
    ),
  )!;
}

/** `select 1 from <table> where <where>`, for EXISTS conditions. */
function sqlSelectOne(table: typeof eventWork | typeof deliveries, where: SQL): SQL {
  return sql`(select 1 from ${table} where ${where})`;
}

/**
 * Deletes what is older than `cutoff`: finished events (their deliveries and attempts go
 * with them), attempts of any delivery, finished delivery groups left without members, and
 * refused callbacks. Returns how many events,
 * attempts and refused callbacks were deleted. Orders are kept.
 */
export async function pruneOlderThan(db: DbOrTx, cutoff: Date): Promise<PruneCounts> {
  return db.transaction(async (tx) => {
    // Attempts first, so the count includes those the event cascade would remove silently.
    const ofPrunable = tx
      .select({ id: deliveries.id })
      .from(deliveries)
      .innerJoin(callbackEvents, eq(callbackEvents.id, deliveries.eventId))
      .where(prunableEvent(cutoff));
    const attempts = await tx
      .delete(deliveryAttempts)
      .where(or(lt(deliveryAttempts.startedAt, cutoff), sql`${deliveryAttempts.deliveryId} in ${ofPrunable}`))
      .returning({ id: deliveryAttempts.id });
    const events = await tx.delete(callbackEvents).where(prunableEvent(cutoff)).returning({ id: callbackEvents.id });
    // Finished delivery groups whose members went with their events.
    await tx.execute(sql`
      delete from delivery_groups g where g.status in ('delivered', 'dead', 'suppressed') and g.updated_at < ${cutoff.toISOString()}::timestamptz
        and not exists (select 1 from deliveries d where d.group_id = g.id)`);
    const rejected = await tx
      .delete(callbackRefusals)
      .where(lt(callbackRefusals.lastSeenAt, cutoff))
      .returning({ id: callbackRefusals.id });
    return { events: events.length, attempts: attempts.length, rejected: rejected.length };
  });
}

/**
 * Queue depth by status and the age of the oldest due delivery the dispatcher may send now,
 * for the metrics gauges and the overview. The oldest-due read walks the partial due index
 * from its oldest entry and stops at the first sendable one.
 */
export async function getQueueStats(db: DbOrTx, now: Date, options: QueueStatsOptions = {}): Promise<QueueStats> {
  const rows = await db
    .select({ status: deliveries.status, n: count() })
    .from(deliveries)
    .where(sql`${deliveries.status} in ('pending', 'sending', 'retrying', 'dead')`)
    .groupBy(deliveries.status);
  const depth = Object.fromEntries(QUEUE_STATUSES.map((s) => [s, 0])) as Record<QueueStatus, number>;
  for (const r of rows) depth[r.status as QueueStatus] = Number(r.n);
  // The claim's predicate (delivery-claim.repo.ts): a sending row whose lease ran out is due
  // again; a channel disabled, paused, waiting for its send slot or keeping quiet holds its rows.
  const at = sql`${now.toISOString()}::timestamptz`;
  const quiet = JSON.stringify(options.quietChannels ?? []);
  // ORDER BY … LIMIT 1, not min(): with the anti-join, only this form stops at the first row.
  const [oldest] = await db
    .select({ at: deliveries.nextAttemptAt })
    .from(deliveries)
    .where(
      and(
        sql`${deliveries.status} in ('pending', 'retrying', 'sending')`,
        lt(deliveries.nextAttemptAt, now),
        sql`not exists (select 1 from ${channelState} cs where cs.channel = ${deliveries.channel}
          and (cs.disabled_at is not null or cs.paused_until > ${at} or cs.next_send_at > ${at}))`,
        sql`${deliveries.channel} not in (select jsonb_array_elements_text(${quiet}::jsonb))`,
      ),
    )
    .orderBy(asc(deliveries.nextAttemptAt))
    .limit(1);
  const since = oldest?.at ? new Date(oldest.at as unknown as string | Date) : null;
  const oldestDueAgeSeconds = since ? Math.max(0, (now.getTime() - since.getTime()) / 1000) : 0;
  return { depth, oldestDueAgeSeconds };
}
