/**
 * Retention (`colt-relay prune`) and the queue gauges the metrics read at scrape time.
 * Orders are never pruned: they are the current state, one row per order.
 */
import { and, count, eq, gte, lt, min, notExists, notInArray, or, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from './db.js';
import { callbackEvents, callbackRefusals, deliveries, deliveryAttempts, eventWork } from './schema.js';

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
  /** How long the oldest due delivery has waited past its due time; 0 when none is due. */
  oldestDueAgeSeconds: number;
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

/** Queue depth by status and the age of the oldest due delivery, for the metrics gauges. */
export async function getQueueStats(db: DbOrTx, now: Date): Promise<QueueStats> {
  const rows = await db
    .select({ status: deliveries.status, n: count() })
    .from(deliveries)
    .where(sql`${deliveries.status} in ('pending', 'sending', 'retrying', 'dead')`)
    .groupBy(deliveries.status);
  const depth = Object.fromEntries(QUEUE_STATUSES.map((s) => [s, 0])) as Record<QueueStatus, number>;
  for (const r of rows) depth[r.status as QueueStatus] = Number(r.n);
  // The claim predicate: a sending row whose lease ran out is due again (a dispatcher's).
  const [oldest] = await db
    .select({ at: min(deliveries.nextAttemptAt) })
    .from(deliveries)
    .where(and(sql`${deliveries.status} in ('pending', 'retrying', 'sending')`, lt(deliveries.nextAttemptAt, now)));
  const at = oldest?.at ? new Date(oldest.at as unknown as string | Date) : null;
  const oldestDueAgeSeconds = at ? Math.max(0, (now.getTime() - at.getTime()) / 1000) : 0;
  return { depth, oldestDueAgeSeconds };
}
