/**
 * Sending a claimed group (docs/design.md#silences): its members' events are loaded, filtered (silences),
 * rendered as ONE message by the channel's `sendGroup`, and the outcome written to the
 * group and every member in one statement guarded by the claim's lease. The retry policy
 * is the deliveries' (outcome.ts): a retrying group keeps its members and goes out again
 * at its next due time; a dead one takes its members with it.
 */
import type { NormalisedEvent } from '../event/event.js';
import { loadEventTraces, loadEvents } from '../store/events.repo.js';
import { groupDeliverySpan } from './spans.js';
import {
  deleteEmptyGroup,
  loadGroupMembers,
  recordGroupOutcome,
  type ClaimedGroup,
  type GroupMember,
  type GroupOutcomeWrite,
} from '../store/delivery-groups.repo.js';
import { silencedReason } from '../route/silences.js';
import type { SendResult } from './channel.js';
import { decideDelivery } from './outcome.js';
import { errorMessage } from './process-event.js';
import type { SendOutcome } from './send-delivery.js';
import type { DispatcherContext } from './dispatcher-deps.js';

/** A member with its event. */
export interface LoadedMember extends GroupMember {
  event: NormalisedEvent;
}

/** Members to send, and members held back (a silence), naming why. */
export interface FilteredMembers {
  send: LoadedMember[];
  suppressed: Array<{ member: LoadedMember; silenceId: string | null; reason: string }>;
}

/**
 * The step where members whose event is silenced on the group's channel leave the group
 * before it is rendered (they are recorded suppressed, naming the silence): the dispatcher's
 * silences, the same check a single delivery gets.
 */
export async function filterMembers<R>(ctx: DispatcherContext<R>, channel: string, members: LoadedMember[]): Promise<FilteredMembers> {
  const now = ctx.clock.now();
  const filtered: FilteredMembers = { send: [], suppressed: [] };
  for (const member of members) {
    const silence = await ctx.silences.silenceFor(member.event, channel, now);
    if (silence) filtered.suppressed.push({ member, silenceId: silence.id, reason: silencedReason(silence) });
    else filtered.send.push(member);
  }
  return filtered;
}

/** Sends one claimed group and writes its outcome; throws only when the database does. */
export async function sendGroup<R>(ctx: DispatcherContext<R>, group: ClaimedGroup): Promise<SendOutcome> {
  const db = ctx.store.db;
  const members = await loadGroupMembers(db, group.id);
  const events = await loadEvents(db, members.map((m) => m.eventId));
  // A member whose event row is gone cannot be shown; it stays `grouped` and is counted out.
  const loaded = members.flatMap((m) => {
    const event = events.get(m.eventId);
    return event ? [{ ...m, event }] : [];
  });
  const { send, suppressed } = await filterMembers(ctx, group.channel, loaded);
  const base = {
    group,
    at: new Date(ctx.clock.now()),
    suppressed: suppressed.map((s) => ({ deliveryId: s.member.deliveryId, silenceId: s.silenceId, reason: s.reason })),
  };
  const channel = ctx.getChannels().get(group.channel);
  if (!channel || send.length === 0) {
    if (members.length === 0) {
      await deleteEmptyGroup(db, group);
      // Kept when a delivery still names it (an operator retried one on its own): closed instead.
      await recordGroupOutcome(db, { ...base, status: 'suppressed', error: 'no member left to send', code: null, sent: [] });
      return 'suppressed';
    }
    const error = channel ? 'every member was suppressed' : `channel "${group.channel}" is no longer in the rules`;
    const write: GroupOutcomeWrite = { ...base, status: 'suppressed', error, code: null, sent: send.map((m) => m.deliveryId) };
    return (await recordGroupOutcome(db, write)) ? 'suppressed' : 'lease-lost';
  }
  const startedAt = ctx.clock.now();
  const job = {
    id: group.id,
    channelName: group.channel,
    attempt: group.attempts,
    rule: group.rule,
    values: group.byValues,
    events: send.map((m) => m.event),
  };
  const memberTraces = async () => [...(await loadEventTraces(db, job.events.map((e) => e.eventId))).values()];
  const result: SendResult = channel.sendGroup
    ? await groupDeliverySpan(ctx.tracer, group, memberTraces, () =>
        channel.sendGroup!(job).catch((err: unknown): SendResult => ({ ok: false, retryable: true, reason: `channel error: ${errorMessage(err)}` })),
      )
    : { ok: false, retryable: false, reason: `channel "${group.channel}" (${channel.type}) cannot send grouped messages` };
  const now = ctx.clock.now();
  const decision = decideDelivery(result, { attempts: group.attempts, now, schedule: ctx.retrySchedule, random: ctx.random });
  const attemptOutcome = decision.kind === 'dead' ? decision.attemptOutcome : decision.kind;
  const write: GroupOutcomeWrite = {
    ...base,
    at: new Date(now),
    status: decision.kind === 'delivered' ? 'delivered' : decision.kind === 'retry' ? 'retrying' : 'dead',
    ...(decision.kind === 'retry' && { nextAttemptAt: decision.nextAttemptAt }),
    error: result.ok ? null : result.reason,
    code: result.code ?? null,
    sent: send.map((m) => m.deliveryId),
    attempt: { startedAt: new Date(startedAt), durationMs: now - startedAt, outcome: attemptOutcome, response: result.response ?? null },
    channelEffect: result.ok ? 'success' : 'failure',
    ...(decision.kind !== 'delivered' && decision.pauseUntil && { pauseUntil: decision.pauseUntil }),
  };
  const applied = await recordGroupOutcome(db, write);
  const fields = {
    groupId: group.id,
    channel: group.channel,
    rule: group.rule,
    attempt: group.attempts,
    members: send.length,
    code: result.code,
    reason: result.ok ? undefined : result.reason,
  };
  ctx.metrics?.attempt(group.channelType, group.channel, attemptOutcome, (now - startedAt) / 1000);
  if (!applied) {
    ctx.logger.warn(fields, 'group lease lost; outcome left to the current owner');
    return 'lease-lost';
  }
  ctx.metrics?.delivery(group.channelType, decision.kind === 'retry' ? 'retrying' : decision.kind);
  if (decision.kind === 'retry') ctx.onRetryScheduled?.(decision.nextAttemptAt);
  if (decision.kind === 'delivered') ctx.logger.info(fields, 'group delivered');
  else if (decision.kind === 'retry') ctx.logger.info({ ...fields, nextAttemptAt: decision.nextAttemptAt }, 'group will retry');
  else ctx.logger.warn(fields, 'group dead');
  return decision.kind === 'delivered' ? 'delivered' : decision.kind === 'retry' ? 'retried' : 'dead';
}
