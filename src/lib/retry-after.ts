/** Wait used when a peer rate-limits or times out without saying how long (docs/design.md#retries). */
export const DEFAULT_BACKOFF_MS = 60_000;

/**
 * Parses an HTTP `Retry-After` value: delay-seconds or an HTTP date (RFC 9110 §10.2.3).
 * Returns milliseconds from `nowMs`, or undefined when the header is absent or unreadable.
 * Not capped here: the dispatcher caps it (1 h) because the cap is policy, not parsing.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Only accept something that looks like a date, so "soon" or "-5" are not read as times.
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
