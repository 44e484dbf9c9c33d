/**
 * Deliveries the relay holds on purpose, by channel and why (the `held_deliveries` gauge):
 * held is not late, so these never count in the oldest-due age (retention.repo.ts).
 *
 * - `disabled`: its channel is disabled (breaker, webhook 410, an operator): every waiting row.
 * - `quiet_hours`: its channel keeps quiet hours now: every waiting row (they go at the window's end).
 * - `rate_limited`: its channel is paused (a peer's Retry-After) or waits for its next send
 *   slot (Slack's pace, a `rateLimit`): the rows due now.
 * - `silenced`: suppressed by a silence still in force (not sent while it lasts; they stay
 *   suppressed when it ends, and a retry sends them).
 *
 * A channel counts under one reason, the first of disabled, quiet_hours, rate_limited. One
 * pass over the queue (the partial due index: pending, retrying, sending rows only), joined
 * with the few held channels; the silenced count reads, per silence in force, the range of
 * suppressed rows updated since it started (the status index).
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from './db.js';
import { rowsOf } from './rows.js';

/** Why a delivery waits although its time has come (the `reason` label). */
export const HELD_REASONS = ['disabled', 'quiet_hours', 'silenced', 'rate_limited'] as const;
export type HeldReason = (typeof HELD_REASONS)[number];

/** Deliveries held on one channel for one reason. */
export interface HeldCount {
  channel: string;
  reason: HeldReason;
  count: number;
}

/** Counts the held deliveries at `now`; `quietChannels` are the rules' channels in their quiet hours now. */
export async function countHeldDeliveries(db: DbOrTx, now: Date, quietChannels: readonly string[] = []): Promise<HeldCount[]> {
  const at = sql`${now.toISOString()}::timestamptz`;
  const quiet = JSON.stringify(quietChannels);
  const rows = rowsOf<{ channel: string; reason: HeldReason; n: number | string }>(
    await db.execute(sql`
      with quiet as (
        select value as channel from jsonb_array_elements_text(${quiet}::jsonb)
      ),
      holds as (
        select coalesce(cs.channel, q.channel) as channel,
          case when cs.disabled_at is not null then 'disabled'
            when q.channel is not null then 'quiet_hours'
            else 'rate_limited' end as reason
        from channel_state cs full join quiet q on q.channel = cs.channel
        where cs.disabled_at is not null or q.channel is not null or cs.paused_until > ${at} or cs.next_send_at > ${at}
      )
      select d.channel, h.reason, count(*)::int as n
      from deliveries d join holds h on h.channel = d.channel
      where d.status in ('pending', 'retrying', 'sending')
        -- A sending row is in flight until its lease ends; then it waits like the others.
        and (d.status <> 'sending' or d.next_attempt_at <= ${at})
        and (h.reason <> 'rate_limited' or d.next_attempt_at <= ${at})
      group by d.channel, h.reason
      union all
      select d.channel, 'silenced' as reason, count(*)::int as n
      from silences s join deliveries d on d.status = 'suppressed' and d.updated_at >= s.starts_at and d.silence_id = s.id
      where s.expired_at is null and s.starts_at <= ${at} and s.ends_at > ${at}
      group by d.channel`),
  );
  return rows.map((r) => ({ channel: r.channel, reason: r.reason, count: Number(r.n) }));
}
