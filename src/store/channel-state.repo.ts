/**
 * Per-channel pacing and health (`channel_state`), shared by every worker through the
 * database so a pause or a rate limit holds across processes (DESIGN.md §6).
 */
import { and, eq, gt, isNull, lte, or, sql } from 'drizzle-orm';
import type { DbOrTx } from './db.js';
import { channelState } from './schema.js';

export type ChannelStateRow = typeof channelState.$inferSelect;

/**
 * Stops claiming the channel's deliveries until `until` (a peer's Retry-After). A pause
 * never shortens one already in force.
 */
export async function pauseChannel(db: DbOrTx, channel: string, until: Date, now: Date): Promise<void> {
  await db
    .insert(channelState)
    .values({ channel, pausedUntil: until, updatedAt: now })
    .onConflictDoUpdate({
      target: channelState.channel,
      set: {
        // greatest() ignores a null paused_until.
        pausedUntil: sql`greatest(${channelState.pausedUntil}, ${until.toISOString()}::timestamptz)`,
        updatedAt: now,
      },
    });
}

/** Stops the channel until an operator enables it again (e.g. a webhook answered 410 Gone). */
export async function disableChannel(db: DbOrTx, channel: string, reason: string, at: Date): Promise<void> {
  await db
    .insert(channelState)
    .values({ channel, disabledAt: at, disabledReason: reason, updatedAt: at })
    .onConflictDoUpdate({
      target: channelState.channel,
      set: { disabledAt: at, disabledReason: reason, updatedAt: at },
    });
}

/** Lifts a disable and any pause; the channel's held deliveries flow again. */
export async function enableChannel(db: DbOrTx, channel: string, at: Date): Promise<void> {
  await db
    .update(channelState)
    .set({ disabledAt: null, disabledReason: null, pausedUntil: null, consecutiveFailures: 0, updatedAt: at })
    .where(eq(channelState.channel, channel));
}

/** Counts a failed send; the count feeds alerts and the dashboard. */
export async function recordChannelFailure(db: DbOrTx, channel: string, at: Date): Promise<void> {
  await db
    .insert(channelState)
    .values({ channel, consecutiveFailures: 1, updatedAt: at })
    .onConflictDoUpdate({
      target: channelState.channel,
      set: { consecutiveFailures: sql`${channelState.consecutiveFailures} + 1`, updatedAt: at },
    });
}

/**
 * Resets the failure count after a successful send. Writes only when there is something to
 * reset, so a busy healthy channel does not make every delivery queue on one row lock.
 */
export async function recordChannelSuccess(db: DbOrTx, channel: string, at: Date): Promise<void> {
  await db
    .update(channelState)
    .set({ consecutiveFailures: 0, updatedAt: at })
    .where(and(eq(channelState.channel, channel), gt(channelState.consecutiveFailures, 0)));
}

/** Every channel that has state (channels never paused, failed or disabled have none). */
export async function getChannelStates(db: DbOrTx): Promise<ChannelStateRow[]> {
  return db.select().from(channelState).orderBy(channelState.channel);
}

/**
 * Takes the channel's next send slot: moves next_send_at to `now + intervalMs` if the slot
 * is free (never set, or already past). Returns false when another worker holds the slot.
 * ON CONFLICT DO UPDATE … WHERE re-checks the latest committed row, so two workers racing
 * for the same slot cannot both win.
 */
export async function takeSendSlot(db: DbOrTx, channel: string, now: Date, intervalMs: number): Promise<boolean> {
  const next = new Date(now.getTime() + intervalMs);
  const rows = await db
    .insert(channelState)
    .values({ channel, nextSendAt: next, updatedAt: now })
    .onConflictDoUpdate({
      target: channelState.channel,
      set: { nextSendAt: next, updatedAt: now },
      setWhere: or(isNull(channelState.nextSendAt), lte(channelState.nextSendAt, now)),
    })
    .returning({ channel: channelState.channel });
  return rows.length > 0;
}
