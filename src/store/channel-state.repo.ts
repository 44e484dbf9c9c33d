/**
 * Per-channel pacing and health (`channel_state`), shared by every worker through the
 * database so a pause or a rate limit holds across processes (DESIGN.md §6).
 */
import { eq, sql } from 'drizzle-orm';
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

/** Every channel that has state (channels never paused, failed or disabled have none). */
export async function getChannelStates(db: DbOrTx): Promise<ChannelStateRow[]> {
  return db.select().from(channelState).orderBy(channelState.channel);
}

