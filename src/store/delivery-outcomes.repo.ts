/**
 * The outcomes of many delivery tries in ONE statement: each delivery's next state (guarded
 * by the lease it was claimed with), one delivery_attempts row per try, and the channels'
 * health. A dispatcher batches the outcomes of concurrent sends into it (group commit), so a
 * send costs a share of one round trip instead of a five-statement transaction.
 */
import { sql, type SQL } from 'drizzle-orm';
import { CHANNEL_DISABLED_TYPE } from '../event/event.js';
import type { DbOrTx } from './db.js';
import { truncateUtf8, type AttemptRecord, type DeliveryLease } from './deliveries.repo.js';
import { rowsOf } from './rows.js';
import { RESPONSE_EXCERPT_BYTES } from './schema.js';

/** What one try came to, to be written. */
export interface DeliveryOutcomeWrite {
  lease: DeliveryLease;
  channel: string;
  /** The delivery's new status. */
  status: 'delivered' | 'retrying' | 'dead' | 'suppressed';
  at: Date;
  /** retrying: when to try again. */
  nextAttemptAt?: Date;
  /** The failure's reason (last_error, and the attempt's error); null on success. */
  error: string | null;
  /** Why the next try waits (quiet hours), added to last_error after `; `. */
  note?: string;
  code: string | null;
  /** The try to record in delivery_attempts; absent when nothing was sent (suppressed). */
  attempt?: Pick<AttemptRecord, 'startedAt' | 'durationMs' | 'outcome' | 'response'>;
  /** A success resets the channel's consecutive failures; a failure adds one. */
  channelEffect?: 'success' | 'failure';
  /** The peer's Retry-After: the channel is paused until then (never shortening a pause). */
  pauseUntil?: Date;
  /**
   * The peer asked never to be sent to again (webhook 410): the channel is disabled with
   * this reason, and its `relay.channel_disabled` event stored with this id (once per disable).
   */
  disable?: { reason: string; eventId: string; channelType: string };
  /** suppressed by a silence (docs/design.md#silences): its id, kept on the delivery. */
  silenceId?: string;
}

/**
 * Writes the outcomes; returns, per item, whether the lease still held (false: another
 * dispatcher took the delivery over and owns its state). Attempts are recorded either way.
 */
export async function recordOutcomes(db: DbOrTx, items: DeliveryOutcomeWrite[]): Promise<boolean[]> {
  if (items.length === 0) return [];
  const input = items.map((o, seq) => ({
    seq,
    id: o.lease.id,
    attempts: o.lease.attempts,
    lease_until: o.lease.leaseUntil.toISOString(),
    channel: o.channel,
    status: o.status,
    at: o.at.toISOString(),
    next_attempt_at: o.nextAttemptAt?.toISOString() ?? null,
    error: cleanText(o.error),
    note: o.note ?? null,
    code: cleanText(o.code),
    attempt_outcome: o.attempt?.outcome ?? null,
    started_at: o.attempt?.startedAt.toISOString() ?? null,
    duration_ms: o.attempt ? Math.max(0, Math.round(o.attempt.durationMs)) : null,
    response: cleanText(o.attempt?.response),
    effect: o.channelEffect ?? null,
    pause_until: o.pauseUntil?.toISOString() ?? null,
    disable_reason: cleanText(o.disable?.reason),
    disable_event_id: o.disable?.eventId ?? null,
    channel_type: o.disable?.channelType ?? null,
    silence_id: o.silenceId ?? null,
  }));
  const rows = rowsOf<{ seq: number; applied: boolean }>(await db.execute(outcomeStatement(JSON.stringify(input))));
  const applied = new Array<boolean>(items.length).fill(false);
  for (const r of rows) applied[Number(r.seq)] = r.applied;
  return applied;
}

/** At most 4 KiB, and no NUL characters (neither text nor jsonb can hold them). */
function cleanText(text: string | null | undefined): string | null {
  const cut = truncateUtf8(text, RESPONSE_EXCERPT_BYTES);
  return cut === null ? null : cut.replaceAll('\u0000', '');
}

/** An ISO 8601 UTC text of a timestamptz, as JavaScript's toISOString() writes it (the event payloads' form). */
const iso = (column: string) => sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

/**
 * CTEs after `channels`: each disable this statement made (a 410) stores its
 * relay.channel_disabled event and queues it for routing. A disable made here has this
 * batch's time as disabled_at; a channel that was already disabled kept its own, so it is
 * not announced again, and the dedupe key (channel and disable time) stops a repeat.
 */
function goneStatement(): SQL {
  const payload = sql`jsonb_build_object(
      'channel', g.channel, 'channelType', g.channel_type, 'disabledAt', ${iso('g.disabled_at')}, 'disabledBy', 'gone',
      'reason', g.disabled_reason, 'failingSince', ${iso('g.failing_since')}, 'lastSuccessAt', ${iso('g.last_success_at')},
      'lastError', g.disable_error, 'lastCode', g.disable_code, 'consecutiveFailures', g.consecutive_failures, 'disableAfter', null)`;
  return sql`,
    gone as (
      select c.*, e.disable_event_id, e.channel_type, e.disable_error, e.disable_code
      from channels c join effects e on e.channel = c.channel
      where e.disable_reason is not null and c.disabled_by = 'gone' and c.disabled_at = e.at
    ),
    gone_events as (
      insert into callback_events (id, dedupe_key, order_id, status, raw_status, order_type, number_type, customer_ref,
        numbers, occurred_at, received_at, raw_body, payload, headers, remote_addr, stale, source, type)
      select g.disable_event_id, 'relay:channel_disabled:' || g.channel || ':' || ${iso('g.disabled_at')}, '', 'unknown', null,
        'unknown', 'unknown', null, '[]'::jsonb, g.disabled_at, g.disabled_at, p.payload::text, p.payload, '{}'::jsonb, null,
        false, 'relay', ${CHANNEL_DISABLED_TYPE}
      from gone g cross join lateral (select ${payload} as payload) p
      on conflict (dedupe_key) do nothing
      returning id, received_at
    ),
    gone_work as (
      insert into event_work (event_id, due_at) select id, received_at from gone_events
    )`;
}

/**
 * Channel health follows the outcomes in batch order: a success resets the failure count,
 * so only failures after a channel's last success in the batch are added (or set, when a
 * success came first). `failing_since` is the first failure after the last success (the
 * circuit breaker counts from it, docs/design.md#circuit-breaker); `last_success_at` the last success. A success
 * writes only when there is a count to reset or its last_success_at is over a minute old,
 * so a busy healthy channel queues its dispatchers on one row lock at most once a minute;
 * rows are written in channel order so concurrent batches cannot deadlock on them.
 */
function outcomeStatement(input: string): SQL {
  return sql`
    with input as (
      select * from jsonb_to_recordset(${input}::jsonb) as x(
        seq int, id uuid, attempts int, lease_until timestamptz, channel text, status text, at timestamptz,
        next_attempt_at timestamptz, error text, note text, code text, attempt_outcome text, started_at timestamptz,
        duration_ms int, response text, effect text, pause_until timestamptz, disable_reason text, silence_id uuid,
        disable_event_id uuid, channel_type text)
    ),
    applied as (
      update deliveries d set
        status = i.status,
        next_attempt_at = coalesce(i.next_attempt_at, d.next_attempt_at),
        lease_until = null,
        delivered_at = case when i.status = 'delivered' then i.at else d.delivered_at end,
        last_error = case when i.note is null then i.error else concat_ws('; ', i.error, i.note) end,
        last_code = case when i.status = 'suppressed' then d.last_code else i.code end,
        silence_id = i.silence_id,
        updated_at = i.at
      from input i
      -- The same claim (every claim adds an attempt), its lease as claimed or renewed since.
      where d.id = i.id and d.status = 'sending' and d.attempts = i.attempts and d.lease_until >= i.lease_until
      returning d.id, i.seq
    ),
    recorded as (
      insert into delivery_attempts (delivery_id, attempt, started_at, duration_ms, outcome, code, error, response)
      select id, attempts, started_at, duration_ms, attempt_outcome, code, error, response
      from input where attempt_outcome is not null order by seq
    ),
    held as (
      select i.* from input i join applied a on a.seq = i.seq where i.effect is not null
    ),
    last_success as (
      select channel, max(seq) as seq from held where effect = 'success' group by channel
    ),
    effects as (
      select h.channel, l.seq is not null as reset,
        (count(*) filter (where h.effect = 'failure' and h.seq > coalesce(l.seq, -1)))::int as failures,
        max(h.pause_until) as paused_until,
        (array_agg(h.disable_reason order by h.seq desc) filter (where h.disable_reason is not null))[1] as disable_reason,
        (array_agg(h.disable_event_id order by h.seq desc) filter (where h.disable_reason is not null))[1] as disable_event_id,
        (array_agg(h.channel_type order by h.seq desc) filter (where h.disable_reason is not null))[1] as channel_type,
        (array_agg(h.error order by h.seq desc) filter (where h.disable_reason is not null))[1] as disable_error,
        (array_agg(h.code order by h.seq desc) filter (where h.disable_reason is not null))[1] as disable_code,
        min(h.at) filter (where h.effect = 'failure' and h.seq > coalesce(l.seq, -1)) as failing_since,
        max(h.at) filter (where h.effect = 'success') as success_at,
        max(h.at) as at
      from held h left join last_success l on l.channel = h.channel
      group by h.channel, l.seq
    ),
    channels as (
      insert into channel_state as cs (channel, consecutive_failures, paused_until, disabled_at, disabled_reason, disabled_by,
        last_success_at, failing_since, updated_at)
      select e.channel, e.failures, e.paused_until, case when e.disable_reason is not null then e.at end, e.disable_reason,
        case when e.disable_reason is not null then 'gone' end, e.success_at, e.failing_since, e.at
      from effects e left join channel_state cur on cur.channel = e.channel
      where e.failures > 0 or e.paused_until is not null or e.disable_reason is not null
        or (e.reset and (cur.channel is null or cur.consecutive_failures > 0 or cur.failing_since is not null
          or cur.last_success_at is null or cur.last_success_at < e.success_at - interval '1 minute'))
      order by e.channel
      on conflict (channel) do update set
        consecutive_failures = case when (select r.reset from effects r where r.channel = excluded.channel)
          then excluded.consecutive_failures else cs.consecutive_failures + excluded.consecutive_failures end,
        paused_until = greatest(cs.paused_until, excluded.paused_until),
        -- A channel already disabled keeps its first disable (when, why, by whom), as disableChannel does.
        disabled_at = coalesce(cs.disabled_at, excluded.disabled_at),
        disabled_reason = case when cs.disabled_at is null and excluded.disabled_at is not null then excluded.disabled_reason else cs.disabled_reason end,
        disabled_by = case when cs.disabled_at is null and excluded.disabled_at is not null then excluded.disabled_by else cs.disabled_by end,
        last_success_at = greatest(cs.last_success_at, excluded.last_success_at),
        -- A success in the batch restarts the count from its first later failure (or ends it).
        failing_since = case when excluded.last_success_at is not null then excluded.failing_since
          else coalesce(cs.failing_since, excluded.failing_since) end,
        updated_at = excluded.updated_at
      returning cs.channel, cs.disabled_at, cs.disabled_by, cs.disabled_reason, cs.failing_since, cs.last_success_at,
        cs.consecutive_failures
    )${goneStatement()}
    select i.seq, a.id is not null as applied from input i left join applied a on a.seq = i.seq`;
}
