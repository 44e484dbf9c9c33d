/**
 * Grouped notifications (docs/design.md#grouping, table `delivery_groups`). Routing writes members (see
 * routing.repo.ts); here a dispatcher claims due groups (FOR UPDATE SKIP LOCKED and a lease,
 * like deliveries; claiming closes a group, so later events start the next one), loads
 * their members and writes a send's outcome to the group and every member at once.
 */
import { and, asc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { DbOrTx } from './db.js';
import { rowsOf } from './rows.js';
import { deliveries, deliveryGroups } from './schema.js';
import { sendSlotCtes, sendSlotInput, type PacedClaimOptions, type SendSlotInput } from './send-slots.js';

export type GroupStatus = 'open' | 'sending' | 'retrying' | 'delivered' | 'dead' | 'suppressed';

/** A claimed group: the claimer's proof of ownership, and what the message needs. */
export interface ClaimedGroup {
  id: string;
  channel: string;
  channelType: string;
  rule: string;
  byValues: Record<string, string | null>;
  /** Attempts including this claim. */
  attempts: number;
  leaseUntil: Date;
}

export interface ClaimGroupsOptions extends PacedClaimOptions {
  /**
   * Channels in quiet hours now, and when each window ends: their due groups are moved to
   * the end (and stay open, collecting the events of the night) instead of being claimed.
   */
  quiet?: Array<{ channel: string; until: Date }>;
}

/**
 * Claims due groups, oldest first: open or retrying groups whose time has come, and
 * `sending` groups whose lease ran out (a dispatcher's). Skips channels that are
 * paused, disabled or not yet allowed to send again; a paced channel sends at most one
 * group per claim, and only when this dispatcher wins its next send slot (shared with the
 * channel's single deliveries). `sent_at` records the claim: a later group of the same
 * key is due no sooner than `interval` after it.
 */
export async function claimDueGroups(db: DbOrTx, options: ClaimGroupsOptions): Promise<ClaimedGroup[]> {
  const { now, limit, leaseMs } = options;
  if (limit <= 0) return [];
  const quiet = options.quiet ?? [];
  if (quiet.length > 0) await db.execute(holdStatement(now, JSON.stringify(quiet.map((q) => ({ channel: q.channel, until: q.until.toISOString() })))));
  const leaseUntil = new Date(now.getTime() + leaseMs);
  const json = { ...sendSlotInput(now, options.sendIntervalMs, options.channelIntervalMs), quiet: JSON.stringify(quiet.map((q) => q.channel)) };
  const rows = rowsOf<{ id: string; channel: string; channel_type: string; rule: string; by_values: unknown; attempts: number }>(
    await db.execute(claimStatement(now, leaseUntil, limit, json)),
  );
  return rows.map((r) => ({
    id: r.id,
    channel: r.channel,
    channelType: r.channel_type,
    rule: r.rule,
    // postgres.js parses jsonb; PGlite through execute() may hand back text.
    byValues: (typeof r.by_values === 'string' ? JSON.parse(r.by_values) : r.by_values) as Record<string, string | null>,
    attempts: Number(r.attempts),
    leaseUntil,
  }));
}

/** Due groups of channels in quiet hours wait for the window's end (members keep joining). */
function holdStatement(now: Date, quiet: string): SQL {
  const at = sql`${now.toISOString()}::timestamptz`;
  return sql`
    with held as (
      update delivery_groups g set due_at = q.until, updated_at = ${at}
      from jsonb_to_recordset(${quiet}::jsonb) as q(channel text, until timestamptz)
      where g.channel = q.channel and g.status in ('open', 'retrying') and g.due_at <= ${at} and g.due_at < q.until
      returning g.id, g.due_at
    )
    update deliveries d set next_attempt_at = h.due_at from held h where d.group_id = h.id and d.status = 'grouped'`;
}

/** As delivery-claim.repo.ts: the same send slots (send-slots.ts), due index usable (literal status list). */
function claimStatement(now: Date, leaseUntil: Date, limit: number, json: SendSlotInput & { quiet: string }): SQL {
  const at = sql`${now.toISOString()}::timestamptz`;
  const lease = sql`${leaseUntil.toISOString()}::timestamptz`;
  return sql`
    with candidates as (
      select g.id, g.channel, g.channel_type, g.due_at as due
      from delivery_groups g
      where g.status in ('open', 'retrying', 'sending') and g.due_at <= ${at}
        and g.channel not in (select value from jsonb_array_elements_text(${json.quiet}::jsonb))
        and not exists (
          select 1 from channel_state cs
          where cs.channel = g.channel
            and (cs.paused_until > ${at} or cs.disabled_at is not null or cs.next_send_at > ${at}))
      order by g.due_at, g.id
      limit ${limit}
      for update of g skip locked
    ),
    ${sendSlotCtes(at, json)},
    claimed as (
      update delivery_groups g
      set status = 'sending', lease_until = ${lease}, due_at = ${lease}, attempts = g.attempts + 1, sent_at = ${at}, updated_at = ${at}
      from chosen
      where g.id = chosen.id
      returning g.id, g.channel, g.channel_type, g.rule, g.by_values, g.attempts
    )
    select cl.* from claimed cl join chosen ch on ch.id = cl.id order by ch.due, cl.id`;
}

/** A member waiting in a group. */
export interface GroupMember {
  deliveryId: string;
  eventId: string;
}

/** The deliveries waiting in a group (status `grouped`), oldest first. */
export async function loadGroupMembers(db: DbOrTx, groupId: string): Promise<GroupMember[]> {
  const rows = await db
    .select({ deliveryId: deliveries.id, eventId: deliveries.eventId })
    .from(deliveries)
    .where(and(eq(deliveries.groupId, groupId), eq(deliveries.status, 'grouped')))
    .orderBy(asc(deliveries.createdAt), asc(deliveries.id));
  return rows;
}

/** What one try of a group came to. */
export interface GroupOutcomeWrite {
  group: Pick<ClaimedGroup, 'id' | 'attempts' | 'leaseUntil' | 'channel'>;
  status: 'delivered' | 'retrying' | 'dead' | 'suppressed';
  at: Date;
  /** retrying: when to try again. */
  nextAttemptAt?: Date;
  error: string | null;
  code: string | null;
  /** The members the message carried: they take the group's outcome (and an attempt row each). */
  sent: string[];
  /** Members left out (a silence): recorded suppressed, naming it. */
  suppressed?: Array<{ deliveryId: string; silenceId: string | null; reason: string }>;
  /** The try, recorded on every member sent; absent when nothing was sent. */
  attempt?: { startedAt: Date; durationMs: number; outcome: 'delivered' | 'retry' | 'failed' | 'dead'; response: string | null };
  /** A success resets the channel's consecutive failures; a failure adds one. */
  channelEffect?: 'success' | 'failure';
  /** The peer's Retry-After: the channel is paused until then (never shortening a pause). */
  pauseUntil?: Date;
}

/**
 * Writes a group's outcome in one statement, guarded by the claim's lease: the group's
 * next state, its members' (delivered or dead with the group; a retrying group's members
 * stay `grouped`, due when it is), one attempt row per member sent, and the channel's
 * health. Returns false when the lease was lost (another dispatcher owns the group now).
 */
export async function recordGroupOutcome(db: DbOrTx, o: GroupOutcomeWrite): Promise<boolean> {
  const at = sql`${o.at.toISOString()}::timestamptz`;
  const next = o.nextAttemptAt ? sql`${o.nextAttemptAt.toISOString()}::timestamptz` : sql`null::timestamptz`;
  const memberStatus = o.status === 'retrying' ? 'grouped' : o.status;
  const attempt = o.attempt
    ? sql`select d.id, d.attempts, ${o.attempt.startedAt.toISOString()}::timestamptz, ${Math.max(0, Math.round(o.attempt.durationMs))}::int,
        ${o.attempt.outcome}::text, ${o.code}::text, ${o.error}::text, ${o.attempt.response?.replaceAll('\u0000', '') ?? null}::text from members d`
    : sql`select d.id, d.attempts, null::timestamptz, 0, null::text, null::text, null::text, null::text from members d where false`;
  const suppressed = JSON.stringify((o.suppressed ?? []).map((s) => ({ id: s.deliveryId, silence_id: s.silenceId, reason: s.reason })));
  const effect = sql`${o.channelEffect ?? null}::text`;
  const pause = sql`${o.pauseUntil?.toISOString() ?? null}::timestamptz`;
  const status = sql`${memberStatus}::text`;
  const rows = rowsOf<{ applied: boolean }>(
    await db.execute(sql`
      with grp as (
        update delivery_groups g set
          status = ${o.status}::text,
          due_at = coalesce(${next}, g.due_at),
          lease_until = null,
          last_error = ${o.error}::text,
          last_code = ${o.code}::text,
          updated_at = ${at}
        where g.id = ${o.group.id}::uuid and g.status = 'sending' and g.attempts = ${o.group.attempts}
          and g.lease_until >= ${o.group.leaseUntil.toISOString()}::timestamptz
        returning g.id, g.attempts
      ),
      members as (
        update deliveries d set
          status = ${status},
          attempts = (select attempts from grp),
          next_attempt_at = coalesce(${next}, d.next_attempt_at),
          delivered_at = case when ${status} = 'delivered' then ${at} else d.delivered_at end,
          last_error = ${o.error}::text,
          last_code = ${o.code}::text,
          updated_at = ${at}
        where d.id in (select value::uuid from jsonb_array_elements_text(${JSON.stringify(o.sent)}::jsonb))
          and d.group_id = ${o.group.id}::uuid and d.status = 'grouped' and exists (select 1 from grp)
        returning d.id, d.attempts
      ),
      left_out as (
        update deliveries d set status = 'suppressed', silence_id = s.silence_id, last_error = s.reason, updated_at = ${at}
        from jsonb_to_recordset(${suppressed}::jsonb) as s(id uuid, silence_id uuid, reason text)
        where d.id = s.id and d.group_id = ${o.group.id}::uuid and d.status = 'grouped' and exists (select 1 from grp)
      ),
      recorded as (
        insert into delivery_attempts (delivery_id, attempt, started_at, duration_ms, outcome, code, error, response)
        ${attempt}
      ),
      health as (
        -- As a single delivery's outcome: the failure count, a pause, and the circuit breaker's
        -- failing_since / last_success_at (a group send is rare: a success always writes).
        insert into channel_state as cs (channel, consecutive_failures, paused_until, last_success_at, failing_since, updated_at)
        select ${o.group.channel}::text, case when ${effect} = 'failure' then 1 else 0 end, ${pause},
          case when ${effect} = 'success' then ${at} end, case when ${effect} = 'failure' then ${at} end, ${at}
        where exists (select 1 from grp) and ${effect} is not null
        on conflict (channel) do update set
          consecutive_failures = case when ${effect} = 'failure' then cs.consecutive_failures + 1 else 0 end,
          paused_until = greatest(cs.paused_until, excluded.paused_until),
          last_success_at = greatest(cs.last_success_at, excluded.last_success_at),
          failing_since = case when ${effect} = 'success' then null else coalesce(cs.failing_since, excluded.failing_since) end,
          updated_at = excluded.updated_at
      )
      select exists (select 1 from grp) as applied`),
  );
  return rows[0]?.applied === true;
}

/** A group as the API and dashboard show it next to a member delivery. */
export interface GroupView {
  id: string;
  rule: string;
  status: string;
  byValues: Record<string, string | null>;
  dueAt: string;
  sentAt: string | null;
  attempts: number;
  members: number;
}

/** The groups of these ids, with their member counts. */
export async function loadGroups(db: DbOrTx, ids: string[]): Promise<Map<string, GroupView>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({
      id: deliveryGroups.id,
      rule: deliveryGroups.rule,
      status: deliveryGroups.status,
      byValues: deliveryGroups.byValues,
      dueAt: deliveryGroups.dueAt,
      sentAt: deliveryGroups.sentAt,
      attempts: deliveryGroups.attempts,
      // Qualified by hand: drizzle writes a bare "id" here, which the subquery would read as d.id.
      members: sql<number>`(select count(*)::int from deliveries d where d.group_id = delivery_groups.id)`,
    })
    .from(deliveryGroups)
    .where(inArray(deliveryGroups.id, [...new Set(ids)]));
  return new Map(
    rows.map((r) => [
      r.id,
      { ...r, dueAt: r.dueAt.toISOString(), sentAt: r.sentAt?.toISOString() ?? null, members: Number(r.members) },
    ]),
  );
}

/** A group with no member left to send (its events were routed twice, or all silenced) is removed. */
export async function deleteEmptyGroup(db: DbOrTx, group: Pick<ClaimedGroup, 'id' | 'attempts'>): Promise<void> {
  await db.execute(sql`
    delete from delivery_groups g where g.id = ${group.id}::uuid and g.status = 'sending' and g.attempts = ${group.attempts}
      and not exists (select 1 from deliveries d where d.group_id = g.id)`);
}
