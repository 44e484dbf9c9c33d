/**
 * Stage two of the worker: one claimed delivery is sent through its channel, and the
 * attempt, the delivery's next state and the channel's health are written together.
 * Every write is guarded by the claim's lease, so a worker that lost its lease (it was
 * too slow, another worker took over) cannot overwrite the other worker's outcome.
 */
import type { NormalisedEvent } from '../receive/event.js';
import {
  disableChannel,
  pauseChannel,
  recordChannelFailure,
  recordChannelSuccess,
} from '../store/channel-state.repo.js';
import type { DbOrTx } from '../store/db.js';
import {
  markDead,
  markDelivered,
  markSuppressed,
  recordAttempt,
  scheduleRetry,
  type AttemptRecord,
  type ClaimedDelivery,
} from '../store/deliveries.repo.js';
import type { SendResult } from './channel.js';
import { decideDelivery, type DeliveryDecision } from './outcome.js';
import { errorMessage } from './process-event.js';
import type { WorkerContext } from './worker-deps.js';

export type SendOutcome = 'delivered' | 'retried' | 'dead' | 'suppressed' | 'lease-lost';

/** Loads an event once per tick however many of its deliveries are sent. */
export type EventLoader = (eventId: string) => Promise<NormalisedEvent | null>;

/** Sends one claimed delivery and records what happened. Throws only when the database does (the lease then brings the row back). */
export async function sendDelivery<R>(
  ctx: WorkerContext<R>,
  claimed: ClaimedDelivery,
  loadEvent: EventLoader,
): Promise<SendOutcome> {
  const db = ctx.store.db;
  const channel = ctx.getChannels().get(claimed.channel);
  if (!channel) {
    const ok = await markSuppressed(db, claimed, {
      now: new Date(ctx.clock.now()),
      error: `channel "${claimed.channel}" is no longer in the rules`,
    });
    return ok ? 'suppressed' : 'lease-lost';
  }
  const event = await loadEvent(claimed.eventId);
  const startedAt = ctx.clock.now();
  const result: SendResult = event
    ? await channel
        .send({ id: claimed.id, channelName: claimed.channel, attempt: claimed.attempts, event })
        .catch((err: unknown) => ({ ok: false, retryable: true, reason: `channel error: ${errorMessage(err)}` }))
    : { ok: false, retryable: false, reason: `event ${claimed.eventId} not found` };
  const now = ctx.clock.now();
  const decision = decideDelivery(result, {
    attempts: claimed.attempts,
    now,
    schedule: ctx.retrySchedule,
    random: ctx.random,
  });
  const applied = await db.transaction(async (tx) => {
    const held = await applyDecision(tx, claimed, decision, result, new Date(now));
    await recordAttempt(tx, {
      deliveryId: claimed.id,
      attempt: claimed.attempts,
      startedAt: new Date(startedAt),
      durationMs: now - startedAt,
      outcome: attemptOutcome(decision),
      code: result.code ?? null,
      error: result.ok ? null : result.reason,
      response: result.response ?? null,
    });
    if (held) await updateChannelState(tx, claimed.channel, decision, result, new Date(now));
    return held;
  });
  logOutcome(ctx, claimed, decision, result, applied);
  if (!applied) return 'lease-lost';
  return decision.kind === 'delivered' ? 'delivered' : decision.kind === 'retry' ? 'retried' : 'dead';
}

function applyDecision(
  tx: DbOrTx,
  lease: ClaimedDelivery,
  decision: DeliveryDecision,
  result: SendResult,
  now: Date,
): Promise<boolean> {
  if (decision.kind === 'delivered') return markDelivered(tx, lease, now, result.code);
  const error = result.ok ? '' : result.reason;
  const code = result.code ?? null;
  if (decision.kind === 'retry') {
    return scheduleRetry(tx, lease, { now, nextAttemptAt: decision.nextAttemptAt, error, code });
  }
  return markDead(tx, lease, { now, error, code });
}

function attemptOutcome(decision: DeliveryDecision): AttemptRecord['outcome'] {
  if (decision.kind === 'dead') return decision.attemptOutcome;
  return decision.kind;
}

async function updateChannelState(
  tx: DbOrTx,
  channel: string,
  decision: DeliveryDecision,
  result: SendResult,
  now: Date,
): Promise<void> {
  if (decision.kind === 'delivered') return recordChannelSuccess(tx, channel, now);
  await recordChannelFailure(tx, channel, now);
  if (decision.pauseUntil) await pauseChannel(tx, channel, decision.pauseUntil, now);
  if (decision.kind === 'dead' && decision.disableChannel) {
    await disableChannel(tx, channel, result.ok ? 'disabled' : `${result.code ?? ''} ${result.reason}`.trim(), now);
  }
}

function logOutcome<R>(
  ctx: WorkerContext<R>,
  claimed: ClaimedDelivery,
  decision: DeliveryDecision,
  result: SendResult,
  applied: boolean,
): void {
  const fields = {
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
