/**
 * Per-channel pacing and health (`channel_state`), shared by every dispatcher through the
 * database so a pause or a rate limit holds across processes (docs/design.md#scale-out).
 */
import { eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { channelDisabledKey, channelEnabledKey, disabledPayload, type ChannelEnabledPayload, type DisabledBy } from '../event/channel-events.js';
import { CHANNEL_DISABLED_TYPE, CHANNEL_ENABLED_TYPE } from '../event/event.js';
import { newId } from '../lib/ids.js';
import type { DbOrTx } from './db.js';
import { insertRelayEvent } from './relay-events.repo.js';
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

export type { DisabledBy } from '../event/channel-events.js';

/** What a disable or an enable is told beyond the channel's name: its type, for the event. */
export interface ChannelChangeOptions {
  /** The channel's type in the rules (email, slack, webhook…), or null when it is no longer there. */
  channelType?: string | null;
}

/**
 * Stops the channel until an operator enables it again, and stores its
 * `relay.channel_disabled` event in the same transaction. A channel already disabled keeps
 * its first reason (and who, and when) and no event is stored: answers false then.
 */
export async function disableChannel(
  db: DbOrTx,
  channel: string,
  reason: string,
  at: Date,
  by: DisabledBy = 'gone',
  options: ChannelChangeOptions = {},
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .insert(channelState)
      .values({ channel, disabledAt: at, disabledReason: reason, disabledBy: by, updatedAt: at })
      .onConflictDoUpdate({
        target: channelState.channel,
        set: { disabledAt: at, disabledReason: reason, disabledBy: by, updatedAt: at },
        setWhere: isNull(channelState.disabledAt),
      })
      .returning({
        failingSince: channelState.failingSince,
        lastSuccessAt: channelState.lastSuccessAt,
        consecutiveFailures: channelState.consecutiveFailures,
      });
    if (rows.length === 0) return false;
    const payload = disabledPayload({ channel, channelType: options.channelType ?? null, at, reason, by }, rows[0]!);
    const event = { id: newId(at.getTime()), dedupeKey: channelDisabledKey(channel, at), type: CHANNEL_DISABLED_TYPE, payload: { ...payload } };
    await insertRelayEvent(tx, event, at);
    return true;
  });
}

/**
 * Lifts a disable and any pause; the channel's held deliveries flow again. The breaker's
 * count starts over: the next failure is the first. When the channel was disabled, its
 * `relay.channel_enabled` event is stored in the same transaction (one per disable: the
 * row lock makes a concurrent enable find it enabled). Answers whether it was disabled.
 */
export async function enableChannel(db: DbOrTx, channel: string, at: Date, options: ChannelChangeOptions = {}): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select({ disabledAt: channelState.disabledAt, disabledBy: channelState.disabledBy, disabledReason: channelState.disabledReason })
      .from(channelState)
      .where(eq(channelState.channel, channel))
      .for('update');
    await tx
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
    if (!before?.disabledAt) return false;
    const payload: ChannelEnabledPayload = {
      channel,
      channelType: options.channelType ?? null,
      enabledAt: at.toISOString(),
      enabledBy: 'admin',
      disabledAt: before.disabledAt.toISOString(),
      disabledBy: (before.disabledBy as DisabledBy | null) ?? null,
      disabledReason: before.disabledReason,
    };
    const event = { id: newId(at.getTime()), dedupeKey: channelEnabledKey(channel, before.disabledAt), type: CHANNEL_ENABLED_TYPE, payload: { ...payload } };
    await insertRelayEvent(tx, event, at);
    return true;
  });
}

/** Every channel that has state (channels never paused, failed or disabled have none). */
export async function getChannelStates(db: DbOrTx): Promise<ChannelStateRow[]> {
  return db.select().from(channelState).orderBy(channelState.channel);
}


/** The names of the disabled channels (the `channel_disabled` gauge): a read of the small channel_state table. */
export async function listDisabledChannels(db: DbOrTx): Promise<string[]> {
  const rows = await db.select({ channel: channelState.channel }).from(channelState).where(isNotNull(channelState.disabledAt));
  return rows.map((r) => r.channel);
}
