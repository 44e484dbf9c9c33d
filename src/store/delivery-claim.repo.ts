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
  const slotAfter = (ms: number) => new Date(now.getTime() + ms).toISOString();
  const paced = Object.entries(options.sendIntervalMs ?? {})
    .filter(([, ms]) => ms !== undefined && ms > 0)
    .map(([type, ms]) => ({ channel_type: type, next_send_at: slotAfter(ms!) }));
  const pacedChannels = Object.entries(options.channelIntervalMs ?? {})
    .filter(([, ms]) => ms !== undefined && ms > 0)
    .map(([channel, ms]) => ({ channel, next_send_at: slotAfter(ms!) }));
  const statement = claimStatement({
    now,
    leaseUntil,
    limit,
    paced: JSON.stringify(paced),
    pacedChannels: JSON.stringify(pacedChannels),
    quiet: options.quietChannels?.length ? JSON.stringify(options.quietChannels) : undefined,
    eventId: options.eventId,
  });
  const rows = rowsOf<{ id: string; event_id: string; order_id: string; channel: string; channel_type: string; attempts: number }>(
    await db.execute(statement),
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

/** A channel in its quiet hours (§8.6): its deliveries wait until `until`, saying `note`. */
export interface QuietChannelHold {
  channel: string;
  until: Date;
  note: string;
}

/**
 * Moves the due deliveries of channels in their quiet hours to the window's end, with the
 * note as their last_error (a retrying row keeps its reason, followed by `; ` and the note).
 * Rows due later are moved when they become due, if still inside a window. Returns how many.
 */
export async function holdQuietDeliveries(db: DbOrTx, now: Date, holds: QuietChannelHold[]): Promise<number> {
  if (holds.length === 0) return 0;
  const input = JSON.stringify(holds.map((h) => ({ channel: h.channel, until: h.until.toISOString(), note: h.note })));
  const at = sql`${now.toISOString()}::timestamptz`;
  const rows = rowsOf<{ id: string }>(
    await db.execute(sql`
      with holds as (select * from jsonb_to_recordset(${input}::jsonb) as h(channel text, until timestamptz, note text))
      update deliveries d set
        next_attempt_at = h.until,
        last_error = case when d.status = 'retrying' and d.last_error is not null
          then regexp_replace(d.last_error, '; held: quiet hours until .*$', '') || '; ' || h.note
          else h.note end,
        updated_at = ${at}
      from holds h
      where d.status in ('pending', 'retrying') and d.next_attempt_at <= ${at} and d.channel = h.channel
      returning d.id`),
  );
  return rows.length;
}

interface ClaimStatementInput {
  now: Date;
  leaseUntil: Date;
  limit: number;
  /** JSON array of { channel_type, next_send_at }: the paced types and their next slot. */
  paced: string;
  /** JSON array of { channel, next_send_at }: channels with their own rate, and their next slot. */
  pacedChannels: string;
  /** JSON array of channel names not to claim from (quiet hours). */
  quiet: string | undefined;
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
  const notQuiet = c.quiet === undefined ? sql`` : sql`and d.channel not in (select jsonb_array_elements_text(${c.quiet}::jsonb))`;
  return sql`
    with candidates as (
      select d.id, d.channel, d.channel_type, d.next_attempt_at
      from deliveries d
      where d.status in ('pending', 'retrying', 'sending') and d.next_attempt_at <= ${at} ${onlyEvent} ${notQuiet}
        and not exists (
          select 1 from channel_state cs
          where cs.channel = d.channel
            and (cs.paused_until > ${at} or cs.disabled_at is not null or cs.next_send_at > ${at}))
      order by d.next_attempt_at, d.id
      limit ${c.limit}
      for update of d skip locked
    ),
    paced_types as (
      select * from jsonb_to_recordset(${c.paced}::jsonb) as p(channel_type text, next_send_at timestamptz)
    ),
    paced_channels as (
      select * from jsonb_to_recordset(${c.pacedChannels}::jsonb) as p(channel text, next_send_at timestamptz)
    ),
    slotted as (
      select k.id, k.channel, k.next_attempt_at, coalesce(pc.next_send_at, pt.next_send_at) as next_send_at
      from candidates k
      left join paced_channels pc on pc.channel = k.channel
      left join paced_types pt on pt.channel_type = k.channel_type
    ),
    first_paced as (
      select distinct on (k.channel) k.id, k.channel, k.next_send_at
      from slotted k where k.next_send_at is not null
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
      select k.id, k.next_attempt_at from slotted k where k.next_send_at is null
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
