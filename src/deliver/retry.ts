/**
 * When to try a failed delivery again (docs/design.md#retries). The schedule is data, so
 * operators and tests can pass their own; the arithmetic lives here and nowhere else.
 */

/**
 * Seconds to wait before each attempt: index n is the wait before attempt n + 1.
 * Attempt immediately, then 5 s, 1 min, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (≈ 28 h).
 */
export const RETRY_SCHEDULE_S: readonly number[] = [0, 5, 60, 300, 1800, 7200, 18000, 36000, 36000];

/**
 * Seconds to wait before fetching order details again after a retryable enrich failure:
 * index n is the wait after the (n + 1)th failed try. Short, because routing waits on it.
 */
export const ENRICH_RETRY_SCHEDULE_S: readonly number[] = [10, 30, 60, 180, 300];

/** Each delay is scaled by a factor in [1 - JITTER, 1 + JITTER] so retries do not stampede. */
export const RETRY_JITTER = 0.2;

/** A peer's Retry-After is honoured up to this long; beyond it we would rather try again. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/** A timeout or a 429 without Retry-After: the peer is struggling, so never hammer it sooner. */
export const SLOW_DOWN_FLOOR_MS = 60 * 1000;

export interface RetryDelayOptions {
  /** Seconds before each attempt. @default RETRY_SCHEDULE_S */
  schedule?: readonly number[];
  /** Uniform in [0, 1): Math.random in production, a fixed function in tests. */
  random: () => number;
  /** The peer's Retry-After: the wait is at least this, capped at MAX_RETRY_AFTER_MS. */
  retryAfterMs?: number;
  /** A lower bound for this wait, e.g. SLOW_DOWN_FLOOR_MS after a timeout. */
  minDelayMs?: number;
}

/**
 * Milliseconds to wait before the next attempt, or null when the schedule is exhausted
 * (the delivery is then dead).
 *
 * @param attemptsSoFar attempts already made, including the one that just failed.
 */
export function nextRetryDelayMs(attemptsSoFar: number, options: RetryDelayOptions): number | null {
  const schedule = options.schedule ?? RETRY_SCHEDULE_S;
  const seconds = schedule[attemptsSoFar];
  if (seconds === undefined || attemptsSoFar < 0) return null;
  let delay = seconds * 1000 * jitterFactor(options.random);
  if (options.retryAfterMs !== undefined && options.retryAfterMs > 0) {
    delay = Math.max(delay, cappedRetryAfterMs(options.retryAfterMs));
  }
  if (options.minDelayMs !== undefined) delay = Math.max(delay, options.minDelayMs);
  return Math.round(delay);
}

/** The peer's Retry-After as we honour it: never negative, never above an hour. */
export function cappedRetryAfterMs(retryAfterMs: number): number {
  return Math.min(Math.max(0, retryAfterMs), MAX_RETRY_AFTER_MS);
}

/** Attempts a schedule allows in all (the first one included). */
export function maxAttempts(schedule: readonly number[] = RETRY_SCHEDULE_S): number {
  return schedule.length;
}

function jitterFactor(random: () => number): number {
  const r = Math.min(Math.max(random(), 0), 1);
  return 1 - RETRY_JITTER + 2 * RETRY_JITTER * r;
}
