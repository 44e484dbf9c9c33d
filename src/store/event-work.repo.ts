/**
 * The event outbox (`event_work`): one row per stored event still to enrich and route.
 * Workers claim due rows with FOR UPDATE SKIP LOCKED and a lease, so several processes
 * share the work and a dispatcher's rows come back when the lease runs out.
 */
import { and, asc, eq, inArray, isNotNull, isNull, lte, or, sql } from 'drizzle-orm';
import type { DbOrTx } from './db.js';
import { callbackEvents, eventWork } from './schema.js';

export interface ClaimOptions {
  now: Date;
  /** Most rows to claim at once. */
  limit: number;
  /** How long the claimer owns the rows before another dispatcher may take them. */
  leaseMs: number;
  /** Only this event's row: the Workers runtime processes a fresh callback at once. */
  eventId?: string;
}

/** A claimed event: `attempts` counts claims, this one included. */
export interface ClaimedEventWork {
  eventId: string;
  attempts: number;
  lastError: string | null;
}

/**
 * Claims due event work, oldest first: rows whose due time has come and that nobody holds
 * (no lease, or an expired one). Sets the lease and counts the attempt in one statement.
 */
export async function claimEventWork(db: DbOrTx, options: ClaimOptions): Promise<ClaimedEventWork[]> {
  const rows = await claimEventWorkStatement(db, options);
  // UPDATE … RETURNING has no order of its own.
  rows.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
  return rows.map(({ eventId, attempts, lastError }) => ({ eventId, attempts, lastError }));
}

/**
 * The claiming UPDATE … RETURNING, not yet run: claimEventWork runs it, and the dispatcher
 * wraps it in a CTE that also reads the claimed events (one round trip for both).
 */
export function claimEventWorkStatement(db: DbOrTx, options: ClaimOptions) {
  const { now, limit, leaseMs } = options;
  const due = db
    .select({ eventId: eventWork.eventId })
    .from(eventWork)
    .where(
      and(
        lte(eventWork.dueAt, now),
        or(isNull(eventWork.leaseUntil), lte(eventWork.leaseUntil, now)),
        options.eventId === undefined ? undefined : eq(eventWork.eventId, options.eventId),
      ),
    )
    .orderBy(asc(eventWork.dueAt))
    .limit(limit)
    .for('update', { skipLocked: true });
  return db
    .update(eventWork)
    .set({ leaseUntil: new Date(now.getTime() + leaseMs), attempts: sql`${eventWork.attempts} + 1` })
    .where(inArray(eventWork.eventId, due))
    .returning({
      eventId: eventWork.eventId,
      attempts: eventWork.attempts,
      lastError: eventWork.lastError,
      dueAt: eventWork.dueAt,
    });
}

/** Puts an event back for later (enrichment to retry, or a processing error), releasing the lease. */
export async function rescheduleEventWork(
  db: DbOrTx,
  eventId: string,
  dueAt: Date,
  error: string | null,
): Promise<void> {
  await db
    .update(eventWork)
    .set({ dueAt, leaseUntil: null, lastError: error })
    .where(eq(eventWork.eventId, eventId));
}

/** An event still waiting for its order details: what the API and dashboard show. */
export interface EnrichmentPending {
  state: 'pending';
  eventId: string;
  /** Tries so far. */
  attempt: number;
  /** When the next try is due. */
  nextAt: Date;
  /** Why the last try failed. */
  lastError: string | null;
}

/**
 * Events of an order (or one event) deferred after a failed enrichment try, soonest due
 * first: an outbox row that has been tried and put back with an error.
 */
export async function pendingEnrichments(db: DbOrTx, where: { eventId: string } | { orderId: string }): Promise<EnrichmentPending[]> {
  const rows = await db
    .select({ eventId: eventWork.eventId, attempt: eventWork.attempts, nextAt: eventWork.dueAt, lastError: eventWork.lastError })
    .from(eventWork)
    .innerJoin(callbackEvents, eq(callbackEvents.id, eventWork.eventId))
    .where(
      and(
        'eventId' in where ? eq(eventWork.eventId, where.eventId) : eq(callbackEvents.orderId, where.orderId),
        isNotNull(eventWork.lastError),
      ),
    )
    .orderBy(asc(eventWork.dueAt))
    .limit(50);
  return rows.map((r) => ({ state: 'pending' as const, ...r }));
}

/** Queues an event for (re)processing now; a no-op when it is already queued. */
export async function enqueueEventWork(db: DbOrTx, eventId: string, dueAt: Date): Promise<void> {
  await db.insert(eventWork).values({ eventId, dueAt, attempts: 0 }).onConflictDoNothing();
}
