/**
 * Per-channel pacing and health (`channel_state`), shared by every dispatcher through the
 * database so a pause or a rate limit holds across processes (docs/design.md#scale-out).
 */
import { eq, isNull, sql } from 'drizzle-orm';
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

/** Who disabled a channel (`disabled_by`): the circuit breaker, an operator, or the peer (webhook 410). */
export type DisabledBy = 'breaker' | 'admin' | 'gone';

/**
 * Stops the channel until an operator enables it again. A channel already disabled keeps
 * its first reason (and who, and when): answers false then.
 */
export async function disableChannel(
  db: DbOrTx,
  channel: string,
  reason: string,
  at: Date,
  by: DisabledBy = 'gone',
): Promise<boolean> {
  const rows = await db
    .insert(channelState)
    .values({ channel, disabledAt: at, disabledReason: reason, disabledBy: by, updatedAt: at })
    .onConflictDoUpdate({
      target: channelState.channel,
      set: { disabledAt: at, disabledReason: reason, disabledBy: by, updatedAt: at },
      setWhere: isNull(channelState.disabledAt),
    })
    .returning({ channel: channelState.channel });
  return rows.length > 0;
}

/**
 * Lifts a disable and any pause; the channel's held deliveries flow again. The breaker's
 * count starts over: the next failure is the first.
 */
export async function enableChannel(db: DbOrTx, channel: string, at: Date): Promise<void> {
  await db
    .update(channelState)
    .set({
      disabledAt: null,
      disabledReason: null,
      disabledBy: null,
      pausedUntil: null,
      consecutiveFailures: 0,
      failingSince: null,
      updatedAt: at,
    })
    .where(eq(channelState.channel, channel));
}

/** Every channel that has state (channels never paused, failed or disabled have none). */
export async function getChannelStates(db: DbOrTx): Promise<ChannelStateRow[]> {
  return db.select().from(channelState).orderBy(channelState.channel);
}

