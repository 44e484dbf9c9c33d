/**
 * What the dashboard and the dry run read about a channel besides its channel_state row: the
 * latest failed delivery since the channel started failing (was it permanent?), and how many
 * deliveries are due on it right now. Reads only: both go through the (status, updated_at)
 * and due indexes, which hold few rows on a healthy relay.
 */
import { and, desc, eq, gte, inArray, lte, sql } from 'drizzle-orm';
import type { DbOrTx } from './db.js';
import { deliveries } from './schema.js';

/** A channel's most recent failed delivery. */
export interface ChannelFailure {
  channel: string;
  /** `dead` or `retrying`. */
  status: string;
  error: string | null;
  code: string | null;
  at: Date;
  /** The outcome of its last attempt: `failed` is a permanent refusal, `dead` retries exhausted, `retry` will try again. */
  outcome: string | null;
}

/**
 * For each of `channels` (name → failing since), its latest dead or retrying delivery
 * updated at or after that time; channels without one are absent. One short query per
 * failing channel: there are few, and each reads the newest rows of the status index.
 */
export async function latestChannelFailures(db: DbOrTx, channels: ReadonlyMap<string, Date>): Promise<Map<string, ChannelFailure>> {
  // Written out: drizzle leaves columns unqualified, and `id` would name the attempt's own.
  const outcome = sql<string | null>`(select a.outcome from delivery_attempts a
    where a.delivery_id = deliveries.id order by a.attempt desc limit 1)`;
  const latest = async ([channel, since]: [string, Date]) => {
    const [row] = await db
      .select({ channel: deliveries.channel, status: deliveries.status, error: deliveries.lastError, code: deliveries.lastCode, at: deliveries.updatedAt, outcome })
      .from(deliveries)
      .where(and(inArray(deliveries.status, ['dead', 'retrying']), gte(deliveries.updatedAt, since), eq(deliveries.channel, channel)))
      .orderBy(desc(deliveries.updatedAt))
      .limit(1);
    return row;
  };
  const rows = await Promise.all([...channels].map(latest));
  return new Map(rows.filter((r): r is ChannelFailure => r !== undefined).map((r) => [r.channel, r]));
}

/** Deliveries due at `now` (pending or retrying, next attempt reached), by channel: the queue a new one joins. */
export async function countDueByChannel(db: DbOrTx, now: Date): Promise<Map<string, number>> {
  const rows = await db
    .select({ channel: deliveries.channel, n: sql<number>`count(*)::int` })
    .from(deliveries)
    .where(and(inArray(deliveries.status, ['pending', 'retrying']), lte(deliveries.nextAttemptAt, now)))
    .groupBy(deliveries.channel);
  return new Map(rows.map((r) => [r.channel, Number(r.n)]));
}
