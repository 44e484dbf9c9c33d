/**
 * Routing a batch of events costs two statements, whatever its size. claimEventsToRoute
 * claims the due outbox rows and reads their events. saveRouting then, in ONE statement
 * (atomic by itself, like insertCallbacks), writes their deliveries, marks the events
 * processed and retires their outbox rows. Deliveries the router may send at once are
 * written already claimed by the caller (status `sending`, a lease, attempt 1), so the
 * dispatcher sends them without another claim; if it dies first, the lease brings them back.
 */
import { asc, eq, sql, type SQL } from 'drizzle-orm';
import { newId } from '../lib/ids.js';
import type { NormalisedEvent } from '../event/event.js';
import type { TraceCarrier } from '../lib/tracing.js';
import type { Db, DbOrTx } from './db.js';
import type { ClaimedDelivery } from './deliveries.repo.js';
import { claimEventWorkStatement, type ClaimedEventWork, type ClaimOptions } from './event-work.repo.js';
import { EVENT_FIELDS, ORDER_FIELDS, toNormalisedEvent } from './events.repo.js';
import { rowsOf } from './rows.js';
import { callbackEvents, orders } from './schema.js';

/** A claimed event with what routing needs: null when its row is gone. */
export interface ClaimedEvent {
  work: ClaimedEventWork;
  event: NormalisedEvent | null;
  /** The trace the event was stored in (tracing on), or null. */
  trace: TraceCarrier | null;
}

/**
 * claimEventWork and loadEvents in one statement: the claiming UPDATE runs as a CTE and
 * the claimed events come back with their orders, oldest first.
 */
export async function claimEventsToRoute(db: Db, options: ClaimOptions): Promise<ClaimedEvent[]> {
  const claimed = db.$with('claimed').as(claimEventWorkStatement(db, options));
  const rows = await db
    .with(claimed)
    .select({
      eventId: claimed.eventId,
      attempts: claimed.attempts,
      lastError: claimed.lastError,
      event: EVENT_FIELDS,
      order: ORDER_FIELDS,
      trace: callbackEvents.traceContext,
    })
    .from(claimed)
    .leftJoin(callbackEvents, eq(callbackEvents.id, claimed.eventId))
    .leftJoin(orders, eq(orders.orderId, callbackEvents.orderId))
    .orderBy(asc(claimed.dueAt));
  return rows.map((r) => ({
    work: { eventId: r.eventId, attempts: r.attempts, lastError: r.lastError },
    event: r.event ? toNormalisedEvent(r.event, r.order) : null,
    trace: r.trace ?? null,
  }));
}

/** One routed event and the deliveries the router asked for. */
export interface RoutedEventWrite {
  eventId: string;
  orderId: string;
  deliveries: {
    channel: string;
    channelType: string;
    rules: string[];
    /**
     * Write it claimed by the caller (sent straight away). Still written `pending` when the
     * channel is paused, disabled or waiting for its next send slot.
     */
    claim: boolean;
    /** Join (or start) the open group of this rule and key instead (docs/design.md#grouping): written `grouped`, never claimed. */
    group?: GroupJoin;
    /** Not due before this (quiet hours, docs/design.md#quiet-hours); never written claimed then. */
    holdUntil?: Date;
    /** Why it waits, shown as its last_error until it is sent (`held: quiet hours until …`). */
    note?: string;
  }[];
}

/** Which group a delivery joins, and when a new group would be due. */
export interface GroupJoin {
  rule: string;
  /** Canonical JSON of `values`. */
  key: string;
  values: Record<string, string | null>;
  /** A new group is due at the later of this (now + wait, moved past quiet hours) and the key's last send + intervalMs. */
  dueAt: Date;
  intervalMs: number;
}

export interface SaveRoutingOptions {
  now: Date;
  /** How long the caller owns the deliveries it writes claimed. */
  leaseMs: number;
  routed: RoutedEventWrite[];
  /** Events whose row is gone: only their outbox rows are retired. */
  missing?: string[];
}

/** A delivery this call wrote (rows that already existed are not returned). */
export type WrittenDelivery = ClaimedDelivery & {
  /** True when written claimed by the caller: its lease is `leaseUntil`, its attempt 1. */
  claimed: boolean;
};

/**
 * Writes the deliveries of routed events (first generation; existing rows for an event ×
 * channel are left alone, so an event routed twice is notified once), marks the events
 * processed and deletes their outbox rows, all in one statement.
 */
export async function saveRouting(db: DbOrTx, options: SaveRoutingOptions): Promise<WrittenDelivery[]> {
  const { now, routed } = options;
  const leaseUntil = new Date(now.getTime() + options.leaseMs);
  // One new-group id per (channel, rule, key) of the batch: used only when no group of it is open.
  const groupIds = new Map<string, string>();
  let grouped = false;
  const input = routed.flatMap((e) =>
    e.deliveries.map((d) => {
      const row = {
        id: newId(now.getTime()),
        event_id: e.eventId,
        order_id: e.orderId,
        channel: d.channel,
        channel_type: d.channelType,
        rules: d.rules,
        claim: d.claim && d.holdUntil === undefined,
        hold_until: d.holdUntil?.toISOString() ?? null,
        note: d.note ?? null,
      };
      if (!d.group) return row;
      grouped = true;
      const identity = JSON.stringify([d.channel, d.group.rule, d.group.key]);
      const groupId = groupIds.get(identity) ?? newId(now.getTime());
      groupIds.set(identity, groupId);
      const g = d.group;
      return { ...row, group_id: groupId, group_rule: g.rule, group_key: g.key, by_values: g.values, wait_due: g.dueAt.toISOString(), interval_ms: g.intervalMs };
    }),
  );
  const processed = routed.map((e) => e.eventId);
  const retired = [...processed, ...(options.missing ?? [])];
  if (retired.length === 0) return [];
  const json = { input: JSON.stringify(input), processed: JSON.stringify(processed), retired: JSON.stringify(retired) };
  const rows = rowsOf<{ id: string; event_id: string; order_id: string; channel: string; channel_type: string; claimed: boolean }>(
    await db.execute(grouped ? groupedSaveStatement(json, now, leaseUntil) : saveStatement(json.input, json.processed, json.retired, now, leaseUntil)),
  );
  return rows.map((r) => ({
    id: r.id,
    eventId: r.event_id,
    orderId: r.order_id,
    channel: r.channel,
    channelType: r.channel_type,
    claimed: r.claimed,
    attempts: r.claimed ? 1 : 0,
    leaseUntil,
  }));
}

/** `held`: the batch's channels that may not send now (paused, disabled, or waiting for a send slot). */
function heldChannels(at: SQL): SQL {
  return sql`held as (
      select cs.channel from channel_state cs
      where cs.channel in (select channel from input)
        and (cs.paused_until > ${at} or cs.disabled_at is not null or cs.next_send_at > ${at})
    )`;
}

/** The routed events recorded as processed and their outbox rows retired (JSON arrays of ids). */
function eventsDone(at: SQL, processed: string, retired: string): SQL {
  return sql`processed as (
      -- An event routed twice keeps its first processing time.
      insert into processed_events (event_id, processed_at)
      select value::uuid, ${at} from jsonb_array_elements_text(${processed}::jsonb)
      on conflict (event_id) do nothing
    ),
    retired as (
      delete from event_work where event_id in (select value::uuid from jsonb_array_elements_text(${retired}::jsonb))
    )`;
}

function saveStatement(input: string, processed: string, retired: string, now: Date, leaseUntil: Date): SQL {
  const at = sql`${now.toISOString()}::timestamptz`;
  const lease = sql`${leaseUntil.toISOString()}::timestamptz`;
  return sql`
    with input as (
      select * from jsonb_to_recordset(${input}::jsonb) as x(
        id uuid, event_id uuid, order_id text, channel text, channel_type text, rules jsonb, claim boolean,
        hold_until timestamptz, note text)
    ),
    ${heldChannels(at)},
    decided as (
      select i.*, i.claim and not exists (select 1 from held h where h.channel = i.channel) as claimed from input i
    ),
    ins as (
      insert into deliveries (id, event_id, order_id, channel, channel_type, rules, generation, status, attempts,
        next_attempt_at, lease_until, last_error, created_at, updated_at)
      select id, event_id, order_id, channel, channel_type, rules, 0,
        case when claimed then 'sending' else 'pending' end,
        case when claimed then 1 else 0 end,
        case when claimed then ${lease} else coalesce(hold_until, ${at}) end,
        case when claimed then ${lease} end,
        note, ${at}, ${at}
      from decided
      order by event_id, channel
      on conflict (event_id, channel, generation) do nothing
      returning id, event_id, order_id, channel, channel_type, status = 'sending' as claimed
    ),
    ${eventsDone(at, processed, retired)}
    select * from ins order by event_id, channel`;
}

/**
 * saveStatement when some deliveries join groups (docs/design.md#grouping), kept apart so ungrouped routing
 * runs the statement it always did. Each (channel, rule, key) of the batch upserts the
 * open group (the partial unique index allows one): a new one is due at the later of
 * now + wait and the key's last send + interval; joining leaves an open group's due time
 * alone. Its deliveries are written `grouped` with its id, due when it is, never claimed.
 * The upsert locks the open group until this statement commits, so a claim (which skips
 * locked groups) never closes a group while members are joining it.
 */
function groupedSaveStatement(json: { input: string; processed: string; retired: string }, now: Date, leaseUntil: Date): SQL {
  const at = sql`${now.toISOString()}::timestamptz`;
  const lease = sql`${leaseUntil.toISOString()}::timestamptz`;
  return sql`
    with input as (
      select * from jsonb_to_recordset(${json.input}::jsonb) as x(
        id uuid, event_id uuid, order_id text, channel text, channel_type text, rules jsonb, claim boolean,
        hold_until timestamptz, note text, group_id uuid, group_rule text, group_key text, by_values jsonb, wait_due timestamptz, interval_ms bigint)
    ),
    group_input as (
      select distinct on (channel, group_rule, group_key) group_id, channel, channel_type, group_rule, group_key, by_values, wait_due, interval_ms
      from input where group_key is not null
      order by channel, group_rule, group_key, wait_due
    ),
    groups as (
      insert into delivery_groups as g (id, channel, channel_type, rule, group_key, by_values, status, due_at, attempts, created_at, updated_at)
      select gi.group_id, gi.channel, gi.channel_type, gi.group_rule, gi.group_key, gi.by_values, 'open',
        greatest(gi.wait_due, (
          select max(p.sent_at) from delivery_groups p
          where p.channel = gi.channel and p.rule = gi.group_rule and p.group_key = gi.group_key
        ) + gi.interval_ms * interval '1 millisecond'),
        0, ${at}, ${at}
      from group_input gi
      order by gi.channel, gi.group_rule, gi.group_key
      on conflict (channel, rule, group_key) where status = 'open' do update set updated_at = excluded.updated_at
      returning g.id, g.channel, g.rule, g.group_key, g.due_at
    ),
    ${heldChannels(at)},
    decided as (
      select i.*, g.id as joined, g.due_at as group_due,
        g.id is null and i.claim and not exists (select 1 from held h where h.channel = i.channel) as claimed
      from input i left join groups g on g.channel = i.channel and g.rule = i.group_rule and g.group_key = i.group_key
    ),
    ins as (
      insert into deliveries (id, event_id, order_id, channel, channel_type, rules, generation, status, attempts,
        next_attempt_at, lease_until, last_error, created_at, updated_at, group_id)
      select id, event_id, order_id, channel, channel_type, rules, 0,
        case when joined is not null then 'grouped' when claimed then 'sending' else 'pending' end,
        case when claimed then 1 else 0 end,
        case when joined is not null then group_due when claimed then ${lease} else coalesce(hold_until, ${at}) end,
        case when claimed then ${lease} end,
        note, ${at}, ${at}, joined
      from decided
      order by event_id, channel
      on conflict (event_id, channel, generation) do nothing
      returning id, event_id, order_id, channel, channel_type, status = 'sending' as claimed
    ),
    ${eventsDone(at, json.processed, json.retired)}
    select * from ins order by event_id, channel`;
}
