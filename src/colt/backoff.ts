/** Waiting between tries: exponential backoff with jitter (Retry-After: src/lib/retry-after.ts). */

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
