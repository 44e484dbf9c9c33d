/**
 * Claiming due deliveries in ONE statement (no BEGIN/COMMIT round trips): pick due rows
 * with FOR UPDATE SKIP LOCKED, take the send slots of paced channels, and lease the
 * chosen rows, all atomic because a single statement is.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from './db.js';
import type { ClaimDeliveriesOptions, ClaimedDelivery } from './deliveries.repo.js';
import { rowsOf } from './rows.js';
import { sendSlotCtes, sendSlotInput, type SendSlotInput } from './send-slots.js';

/**
 * Claims due deliveries, oldest first: pending or retrying rows whose time has come, and
 * `sending` rows whose lease ran out (a dispatcher's). Skips channels that are paused,
 * disabled or not yet allowed to send again. Paced channels get at most one row per claim
 * and only when this dispatcher wins the channel's next send slot.
 */
export async function claimDueDeliveries(db: DbOrTx, options: ClaimDeliveriesOptions): Promise<ClaimedDelivery[]> {
  const { now, limit, leaseMs } = options;
  if (limit <= 0) return [];
  const leaseUntil = new Date(now.getTime() + leaseMs);
  const statement = claimStatement({
    now,
    leaseUntil,
    limit,
    slots: sendSlotInput(now, options.sendIntervalMs, options.channelIntervalMs),
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

/** A channel in its quiet hours (docs/design.md#quiet-hours): its deliveries wait until `until`, saying `note`. */
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
  slots: SendSlotInput;
  /** JSON array of channel names not to claim from (quiet hours). */
  quiet: string | undefined;
  eventId: string | undefined;
}

/**
 * A claimed row's next_attempt_at is its lease end, so one condition covers new, retrying
 * and abandoned rows alike. The status list is literal, not parameters: the partial due
 * index is only usable when the planner can see its predicate. Send slots: send-slots.ts.
 */
function claimStatement(c: ClaimStatementInput): SQL {
  const at = sql`${c.now.toISOString()}::timestamptz`;
  const lease = sql`${c.leaseUntil.toISOString()}::timestamptz`;
  const onlyEvent = c.eventId === undefined ? sql`` : sql`and d.event_id = ${c.eventId}::uuid`;
  const notQuiet = c.quiet === undefined ? sql`` : sql`and d.channel not in (select jsonb_array_elements_text(${c.quiet}::jsonb))`;
  return sql`
    with candidates as (
      select d.id, d.channel, d.channel_type, d.next_attempt_at as due
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
    ${sendSlotCtes(at, c.slots)},
    claimed as (
      update deliveries d
      set status = 'sending', lease_until = ${lease}, next_attempt_at = ${lease}, attempts = d.attempts + 1, updated_at = ${at}
      from chosen
      where d.id = chosen.id
      returning d.id, d.event_id, d.order_id, d.channel, d.channel_type, d.attempts
    )
    select cl.* from claimed cl join chosen ch on ch.id = cl.id order by ch.due, cl.id`;
}
