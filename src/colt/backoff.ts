/** Waiting between tries: Retry-After parsing and exponential backoff with jitter. */

/**
 * A `Retry-After` value in milliseconds from now: delay-seconds or an HTTP-date.
 * Returns null when absent or unreadable; a date in the past gives 0.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | null {
  if (value === null || value === undefined) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Only an HTTP-date (which names a weekday and GMT) is a date; a bare "1.5" is not.
  if (!/[a-z]/i.test(trimmed)) return null;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

export interface BackoffOptions {
  /** Delay before the first retry, before jitter. */
  baseMs: number;
  /** Upper bound of any delay, before jitter. */
  maxMs: number;
}

/**
 * "Equal jitter" backoff: half the exponential delay is fixed, half random, so
 * concurrent callers spread out yet none retries at once.
 * @param retry 1 for the first retry, 2 for the second…
 * @param random a value in [0, 1), injected so tests are deterministic
 */
export function backoffDelayMs(retry: number, options: BackoffOptions, random: () => number): number {
  const exponential = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, retry - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}
