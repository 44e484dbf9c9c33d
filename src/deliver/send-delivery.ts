/**
 * Stage two of the dispatcher: one claimed delivery is sent through its channel, then the
 * attempt, the delivery's next state and the channel's health are written together (one
 * statement, shared with the other sends of the moment: see send-lane.ts). Every write is
 * guarded by the claim's lease, so a dispatcher that lost its lease (it was too slow, another
 * dispatcher took over) cannot overwrite the other dispatcher's outcome.
 */
import type { NormalisedEvent } from '../event/event.js';
import type { AttemptRecord, ClaimedDelivery } from '../store/deliveries.repo.js';
import type { DeliveryOutcomeWrite } from '../store/delivery-outcomes.repo.js';
import { silencedReason, type ActiveSilence } from '../route/silences.js';
import type { SendResult } from './channel.js';
import { decideDelivery, type DeliveryDecision } from './outcome.js';
import { errorMessage } from './process-event.js';
import type { DispatcherContext } from './dispatcher-deps.js';
import { quietHold } from './pacing.js';
import { newId } from '../lib/ids.js';
import type { TraceCarrier } from '../lib/tracing.js';
import { deliverySpan } from './spans.js';

export type SendOutcome = 'delivered' | 'retried' | 'dead' | 'suppressed' | 'lease-lost';

/** Writes one outcome; resolves whether the lease still held. */
export type OutcomeRecorder = (write: DeliveryOutcomeWrite) => Promise<boolean>;

/** A try that has happened (or a suppression), not yet written. */
export type TriedDelivery =
  | { kind: 'suppressed'; claimed: ClaimedDelivery; write: DeliveryOutcomeWrite }
  | {
      kind: 'sent';
      claimed: ClaimedDelivery;
      result: SendResult;
      decision: DeliveryDecision;
      /** Seconds the send took (clock time). */
      seconds: number;
      write: DeliveryOutcomeWrite;
      /** The attempt's span (tracing on): its outcome's log line, written later, names it too. */
      traceIds?: { trace_id: string; span_id: string } | null;
    };

/**
 * The I/O with the peer: sends through the channel and decides what the answer means.
 * Throws only when the event cannot be loaded (the lease then brings the row back).
 */
export async function tryDelivery<R>(
  ctx: DispatcherContext<R>,
  claimed: ClaimedDelivery,
  eventOrPromise: NormalisedEvent | null | Promise<NormalisedEvent | null>,
  trace?: TraceCarrier | null | Promise<TraceCarrier | null>,
): Promise<TriedDelivery> {
  const channel = ctx.getChannels().get(claimed.channel);
  if (!channel) {
    const error = `channel "${claimed.channel}" is no longer in the rules`;
    const at = new Date(ctx.clock.now());
    return { kind: 'suppressed', claimed, write: { lease: claimed, channel: claimed.channel, status: 'suppressed', at, error, code: null } };
  }
  const event = await Promise.resolve(eventOrPromise).catch((err: unknown) => {
    throw new Error(`loading event ${claimed.eventId}: ${errorMessage(err)}`);
  });
  // Checked at send time against the clock now: a silence that ended no longer holds anything.
  const silence = event ? await ctx.silences.silenceFor(event, claimed.channel, ctx.clock.now()) : null;
  if (silence) return silenced(ctx, claimed, silence);
  const startedAt = ctx.clock.now();
  let traceIds: { trace_id: string; span_id: string } | null = null;
  const result: SendResult = event
    ? await deliverySpan(ctx.tracer, claimed, event, trace, () => {
        traceIds = ctx.tracer?.logIds() ?? null;
        return channel
          .send({ id: claimed.id, channelName: claimed.channel, attempt: claimed.attempts, event })
          .catch((err: unknown): SendResult => ({ ok: false, retryable: true, reason: `channel error: ${errorMessage(err)}` }));
      })
    : { ok: false, retryable: false, reason: `event ${claimed.eventId} not found` };
  const now = ctx.clock.now();
  const decision = decideDelivery(result, {
    attempts: claimed.attempts,
    now,
    schedule: ctx.retrySchedule,
    random: ctx.random,
  });
  const write = outcomeWrite(claimed, holdRetry(ctx, claimed.channel, decision), result, startedAt, now);
  return { kind: 'sent', claimed, result, decision, seconds: (now - startedAt) / 1000, write, traceIds };
}

/** Nothing is sent: the delivery is recorded as suppressed, naming the silence (no attempt, no channel failure). */
function silenced<R>(ctx: DispatcherContext<R>, claimed: ClaimedDelivery, silence: ActiveSilence): TriedDelivery {
  const at = new Date(ctx.clock.now());
  const error = silencedReason(silence);
  ctx.logger.debug({ deliveryId: claimed.id, channel: claimed.channel, silenceId: silence.id }, 'delivery silenced');
  return {
    kind: 'suppressed',
    claimed,
    write: { lease: claimed, channel: claimed.channel, status: 'suppressed', at, error, code: null, silenceId: silence.id },
  };
}

/** Writes a try's outcome, then logs and reports it. Throws only when the database does. */
export async function recordTry<R>(ctx: DispatcherContext<R>, tried: TriedDelivery, record: OutcomeRecorder): Promise<SendOutcome> {
  const applied = await record(tried.write);
  if (tried.kind === 'suppressed') {
    if (applied) ctx.metrics?.delivery(tried.claimed.channelType, 'suppressed');
    return applied ? 'suppressed' : 'lease-lost';
  }
  const { claimed, decision, result } = tried;
  logOutcome(ctx, claimed, decision, result, applied, tried.traceIds);
  reportOutcome(ctx, claimed, decision, applied, tried.seconds);
  if (!applied) return 'lease-lost';
  if (tried.write.nextAttemptAt) ctx.onRetryScheduled?.(tried.write.nextAttemptAt);
  return decision.kind === 'delivered' ? 'delivered' : decision.kind === 'retry' ? 'retried' : 'dead';
}

/** Metrics: every try counts; the delivery's new status only when this dispatcher still held it. */
function reportOutcome<R>(
  ctx: DispatcherContext<R>,
  claimed: ClaimedDelivery,
  decision: DeliveryDecision,
  applied: boolean,
  seconds: number,
): void {
  if (!ctx.metrics) return;
  ctx.metrics.attempt(claimed.channelType, claimed.channel, attemptOutcome(decision), seconds);
  if (!applied) return;
  ctx.metrics.delivery(claimed.channelType, decision.kind === 'retry' ? 'retrying' : decision.kind);
}

/** A retry due inside the channel's quiet hours waits for the window's end (docs/design.md#quiet-hours). */
function holdRetry<R>(ctx: DispatcherContext<R>, channel: string, decision: DeliveryDecision): DeliveryDecision & { note?: string } {
  if (decision.kind !== 'retry') return decision;
  const hold = quietHold(ctx.getChannelPolicies?.()[channel]?.quietHours, decision.nextAttemptAt);
  return hold ? { ...decision, nextAttemptAt: hold.until, note: hold.note } : decision;
}

/** The delivery's next state, its attempt row and the channel's health, as one write. */
function outcomeWrite(
  claimed: ClaimedDelivery,
  decision: DeliveryDecision & { note?: string },
  result: SendResult,
  startedAt: number,
  now: number,
): DeliveryOutcomeWrite {
  const base = {
    lease: claimed,
    channel: claimed.channel,
    at: new Date(now),
    error: result.ok ? null : result.reason,
    code: result.code ?? null,
    attempt: {
      startedAt: new Date(startedAt),
      durationMs: now - startedAt,
      outcome: attemptOutcome(decision),
      response: result.response ?? null,
    },
  };
  if (decision.kind === 'delivered') return { ...base, status: 'delivered', channelEffect: 'success' };
  const failure = { ...base, channelEffect: 'failure' as const, ...(decision.pauseUntil && { pauseUntil: decision.pauseUntil }) };
  if (decision.kind === 'retry') {
    return { ...failure, status: 'retrying', nextAttemptAt: decision.nextAttemptAt, ...(decision.note && { note: decision.note }) };
  }
  if (!decision.disableChannel) return { ...failure, status: 'dead' };
  const reason = result.ok ? 'disabled' : `${result.code ?? ''} ${result.reason}`.trim();
  return { ...failure, status: 'dead', disable: { reason, eventId: newId(now), channelType: claimed.channelType } };
}

function attemptOutcome(decision: DeliveryDecision): AttemptRecord['outcome'] {
  if (decision.kind === 'dead') return decision.attemptOutcome;
  return decision.kind;
}

function logOutcome<R>(
  ctx: DispatcherContext<R>,
  claimed: ClaimedDelivery,
  decision: DeliveryDecision,
  result: SendResult,
  applied: boolean,
  traceIds?: { trace_id: string; span_id: string } | null,
): void {
  const fields = {
    ...traceIds,
    deliveryId: claimed.id,
    channel: claimed.channel,
    attempt: claimed.attempts,
    code: result.code,
    reason: result.ok ? undefined : result.reason,
  };
  if (!applied) ctx.logger.warn(fields, 'delivery lease lost; outcome left to the current owner');
  else if (decision.kind === 'delivered') ctx.logger.debug(fields, 'delivered');
  else if (decision.kind === 'retry') ctx.logger.info({ ...fields, nextAttemptAt: decision.nextAttemptAt }, 'delivery will retry');
  else ctx.logger.warn({ ...fields, disabledChannel: decision.disableChannel ?? false }, 'delivery dead');
}
