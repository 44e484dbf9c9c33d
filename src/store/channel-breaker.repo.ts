/**
 * The channel circuit breaker's writes (docs/design.md#circuit-breaker): channels failing without a single
 * success since a cutoff are disabled, each with its `relay.channel_disabled` event stored
 * (and queued for routing) in the same transaction. The disable's `where disabled_at is
 * null` makes it happen once: a dispatcher waits on the row lock, then finds it
 * disabled and writes nothing.
 */
import { and, desc, eq, inArray, isNull, lte } from 'drizzle-orm';
import type { DbOrTx } from './db.js';
import { insertRelayEvent, type RelayEventWrite } from './relay-events.repo.js';
import { channelState, deliveries } from './schema.js';

export type { RelayEventWrite } from './relay-events.repo.js';

/** A channel the breaker may disable, with what it last failed with. */
export interface BreakerCandidate {
  channel: string;
  failingSince: Date;
  lastSuccessAt: Date | null;
  consecutiveFailures: number;
  lastError: string | null;
  lastCode: string | null;
  channelType: string | null;
}

/** Enabled channels whose first failure since their last success is at or before `cutoff`. */
export async function findChannelsToDisable(db: DbOrTx, cutoff: Date): Promise<BreakerCandidate[]> {
  const rows = await db
    .select({
      channel: channelState.channel,
      failingSince: channelState.failingSince,
      lastSuccessAt: channelState.lastSuccessAt,
      consecutiveFailures: channelState.consecutiveFailures,
    })
    .from(channelState)
    .where(and(isNull(channelState.disabledAt), lte(channelState.failingSince, cutoff)))
    .orderBy(channelState.channel);
  const out: BreakerCandidate[] = [];
  for (const r of rows) {
    // Rare (a channel about to be disabled): one look at its latest failure is affordable.
    const [last] = await db
      .select({ lastError: deliveries.lastError, lastCode: deliveries.lastCode, channelType: deliveries.channelType })
      .from(deliveries)
      .where(and(eq(deliveries.channel, r.channel), inArray(deliveries.status, ['retrying', 'dead'])))
      .orderBy(desc(deliveries.updatedAt))
      .limit(1);
    out.push({
      ...r,
      failingSince: r.failingSince!,
      lastError: last?.lastError ?? null,
      lastCode: last?.lastCode ?? null,
      channelType: last?.channelType ?? null,
    });
  }
  return out;
}

/**
 * Disables the channel if it is still enabled and still failing since `cutoff` or earlier,
 * and stores its event with it; false when another dispatcher (or an operator) got there first.
 */
export async function tripChannel(
  db: DbOrTx,
  options: { channel: string; cutoff: Date; at: Date; reason: string; event: RelayEventWrite },
): Promise<boolean> {
  const { channel, cutoff, at, reason, event } = options;
  return db.transaction(async (tx) => {
    const tripped = await tx
      .update(channelState)
      .set({ disabledAt: at, disabledBy: 'breaker', disabledReason: reason, updatedAt: at })
      .where(and(eq(channelState.channel, channel), isNull(channelState.disabledAt), lte(channelState.failingSince, cutoff)))
      .returning({ channel: channelState.channel });
    if (tripped.length === 0) return false;
    await insertRelayEvent(tx, event, at);
    return true;
  });
}
