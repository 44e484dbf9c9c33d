/**
 * Claiming due deliveries in ONE statement (no BEGIN/COMMIT round trips): pick due rows
 * with FOR UPDATE SKIP LOCKED, take the send slots of paced channels, and lease the
 * chosen rows, all atomic because a single statement is.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from './db.js';
import type { ClaimDeliveriesOptions, ClaimedDelivery } from './deliveries.repo.js';
import { rowsOf } from './rows.js';

/**
 * Claims due deliveries, oldest first: pending or retrying rows whose time has come, and
 * `sending` rows whose lease ran out (a crashed worker's). Skips channels that are paused,
 * disabled or not yet allowed to send again. Paced channels get at most one row per claim
 * and only when this worker wins the channel's next send slot.
 */
export async function claimDueDeliveries(db: DbOrTx, options: ClaimDeliveriesOptions): Promise<ClaimedDelivery[]> {
  const { now, limit, leaseMs } = options;
  if (limit <= 0) return [];
  const leaseUntil = new Date(now.getTime() + leaseMs);
  const paced = Object.entries(options.sendIntervalMs ?? {})
    .filter(([, ms]) => ms !== undefined && ms > 0)
    .map(([type, ms]) => ({ channel_type: type, next_send_at: new Date(now.getTime() + ms!).toISOString() }));
  const rows = rowsOf<{ id: string; event_id: string; order_id: string; channel: string; channel_type: string; attempts: number }>(
    await db.execute(claimStatement({ now, leaseUntil, limit, paced: JSON.stringify(paced), eventId: options.eventId })),
  );
  return rows.map((r) => ({
    id: r.id,
    eventId: r.event_id,
    orderId: r.order_id,
    channel: r.channel,
    channelType: r.channel_type,
    attempts: Number(r.attempts),
    leaseUntil,
  }));
}

interface ClaimStatementInput {
  now: Date;
  leaseUntil: Date;
  limit: number;
  /** JSON array of { channel_type, next_send_at }: the paced types and their next slot. */
  paced: string;
  eventId: string | undefined;
}

/**
 * A claimed row's next_attempt_at is its lease end, so one condition covers new, retrying
 * and abandoned rows alike. The status list is literal, not parameters: the partial due
 * index is only usable when the planner can see its predicate. Send slots are taken in
 * channel-name order so two claimers lock channel_state rows in the same order.
 */
function claimStatement(c: ClaimStatementInput): SQL {
  const at = sql`${c.now.toISOString()}::timestamptz`;
  const lease = sql`${c.leaseUntil.toISOString()}::timestamptz`;
  const onlyEvent = c.eventId === undefined ? sql`` : sql`and d.event_id = ${c.eventId}::uuid`;
  return sql`
    with candidates as (
      select d.id, d.channel, d.channel_type, d.next_attempt_at
      from deliveries d
      where d.status in ('pending', 'retrying', 'sending') and d.next_attempt_at <= ${at} ${onlyEvent}
        and not exists (
          select 1 from channel_state cs
          where cs.channel = d.channel
            and (cs.paused_until > ${at} or cs.disabled_at is not null or cs.next_send_at > ${at}))
      order by d.next_attempt_at, d.id
      limit ${c.limit}
      for update of d skip locked
    ),
    paced as (
      select * from jsonb_to_recordset(${c.paced}::jsonb) as p(channel_type text, next_send_at timestamptz)
    ),
    first_paced as (
      select distinct on (k.channel) k.id, k.channel, p.next_send_at
      from candidates k join paced p on p.channel_type = k.channel_type
      order by k.channel, k.next_attempt_at, k.id
    ),
    slots as (
      insert into channel_state as cs (channel, next_send_at, updated_at)
      select channel, next_send_at, ${at} from first_paced order by channel
      on conflict (channel) do update set next_send_at = excluded.next_send_at, updated_at = excluded.updated_at
      where cs.next_send_at is null or cs.next_send_at <= ${at}
      returning cs.channel
    ),
    chosen as (
      select k.id, k.next_attempt_at from candidates k
      where not exists (select 1 from paced p where p.channel_type = k.channel_type)
      union all
      select f.id, k.next_attempt_at from first_paced f join slots s on s.channel = f.channel join candidates k on k.id = f.id
    ),
    claimed as (
      update deliveries d
      set status = 'sending', lease_until = ${lease}, next_attempt_at = ${lease}, attempts = d.attempts + 1, updated_at = ${at}
      from chosen
      where d.id = chosen.id
      returning d.id, d.event_id, d.order_id, d.channel, d.channel_type, d.attempts
    )
    select cl.* from claimed cl join chosen ch on ch.id = cl.id order by ch.next_attempt_at, cl.id`;
}
