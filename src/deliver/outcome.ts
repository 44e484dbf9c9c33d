/**
 * What a send result means for the delivery and its channel: pure policy, no I/O, so the
 * rules of docs/design.md#retries can be read (and tested) in one place.
 */
import type { SendResult } from './channel.js';
import { cappedRetryAfterMs, nextRetryDelayMs, SLOW_DOWN_FLOOR_MS } from './retry.js';

export type DeliveryDecision =
  | { kind: 'delivered' }
  | { kind: 'retry'; nextAttemptAt: Date; pauseUntil?: Date }
  | {
      kind: 'dead';
      /** failed: permanent (not retried); dead: retries exhausted. */
      attemptOutcome: 'failed' | 'dead';
      pauseUntil?: Date;
      /** The peer asked never to be sent to again (webhook 410). */
      disableChannel?: boolean;
    };

export interface DecideOptions {
  /** Attempts made, the one that produced `result` included. */
  attempts: number;
  now: number;
  schedule: readonly number[];
  random: () => number;
}

/** Decides the next state of a delivery from the result of one attempt. */
export function decideDelivery(result: SendResult, options: DecideOptions): DeliveryDecision {
  if (result.ok) return { kind: 'delivered' };
  if (result.disableChannel) return { kind: 'dead', attemptOutcome: 'failed', disableChannel: true };
  // Retry-After speaks for the whole channel, even when this delivery will not retry.
  const pauseUntil =
    result.retryAfterMs !== undefined && result.retryAfterMs > 0
      ? new Date(options.now + cappedRetryAfterMs(result.retryAfterMs))
      : undefined;
  if (!result.retryable) return { kind: 'dead', attemptOutcome: 'failed', ...(pauseUntil && { pauseUntil }) };
  const delay = nextRetryDelayMs(options.attempts, {
    schedule: options.schedule,
    random: options.random,
    retryAfterMs: result.retryAfterMs,
    minDelayMs: needsSlowDownFloor(result) ? SLOW_DOWN_FLOOR_MS : undefined,
  });
  if (delay === null) return { kind: 'dead', attemptOutcome: 'dead', ...(pauseUntil && { pauseUntil }) };
  return { kind: 'retry', nextAttemptAt: new Date(options.now + delay), ...(pauseUntil && { pauseUntil }) };
}

/**
 * A timeout or a 429 without Retry-After waits at least a minute. Channels usually say so
 * with retryAfterMs already; this floor holds when one does not.
 */
function needsSlowDownFloor(result: Extract<SendResult, { ok: false }>): boolean {
  if (result.retryAfterMs !== undefined) return false;
  const code = result.code?.toLowerCase();
  return code === '429' || code === 'timeout' || code === 'etimedout' || code === 'ratelimited';
}
