/**
 * Slows down guessing of ADMIN_TOKEN (docs/design.md#trust-and-proxies): failed sign-ins (dashboard login,
 * admin API) are counted per client address in a fixed window; each failure's answer is
 * held a little longer than the last, and past the limit the address is answered 429
 * with Retry-After until its window ends. Successes are not
 * counted. Memory is bounded: past `maxTracked` addresses the oldest entry is dropped.
 *
 * The counts live in this process (on Workers: in one isolate), so N processes allow up
 * to N × `maxFailures` guesses per window: still far too few to guess a 16+ character token.
 */
import type { Clock } from '../lib/clock.js';

export interface AuthThrottleOptions {
  clock: Clock;
  /** Failures allowed per address per window; the next attempt is refused. @default 5 */
  maxFailures?: number;
  /** @default 15 minutes */
  windowMs?: number;
  /** Addresses tracked at once. @default 10000 */
  maxTracked?: number;
  /** The n-th failure of a window is answered after n × this (at most 4 ×). @default 250 */
  failureDelayMs?: number;
  /** How a failure's answer is held. @default setTimeout */
  sleep?(ms: number): Promise<void>;
}

export interface AuthThrottle {
  /** Seconds the address must wait before trying again, or 0 when it may try now. */
  retryAfterS(address: string | null): number;
  /** Counts one failed attempt from the address; resolves once its answer may go out. */
  failed(address: string | null): Promise<void>;
}

interface Window {
  startedAt: number;
  failures: number;
}

/** Requests whose address the runtime cannot tell share one bucket: they are not let through unthrottled. */
const UNKNOWN_ADDRESS = 'unknown';

export function createAuthThrottle(options: AuthThrottleOptions): AuthThrottle {
  const maxFailures = options.maxFailures ?? 5;
  const windowMs = options.windowMs ?? 15 * 60 * 1000;
  const maxTracked = options.maxTracked ?? 10_000;
  const failureDelayMs = options.failureDelayMs ?? 250;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const hold = (failures: number) => (failureDelayMs > 0 ? sleep(Math.min(failures, 4) * failureDelayMs) : Promise.resolve());
  const windows = new Map<string, Window>();

  /** The address's window if it is still open; a closed one is forgotten. */
  function current(key: string, now: number): Window | undefined {
    const window = windows.get(key);
    if (window && now - window.startedAt >= windowMs) {
      windows.delete(key);
      return undefined;
    }
    return window;
  }

  return {
    retryAfterS(address) {
      const now = options.clock.now();
      const window = current(address ?? UNKNOWN_ADDRESS, now);
      if (!window || window.failures < maxFailures) return 0;
      return Math.max(1, Math.ceil((window.startedAt + windowMs - now) / 1000));
    },
    failed(address) {
      const key = address ?? UNKNOWN_ADDRESS;
      const now = options.clock.now();
      const window = current(key, now);
      if (window) {
        window.failures++;
        return hold(window.failures);
      }
      // Map order is insertion order: the first key is the oldest window.
      if (windows.size >= maxTracked) windows.delete(windows.keys().next().value!);
      windows.set(key, { startedAt: now, failures: 1 });
      return hold(1);
    },
  };
}

/** Slows the answers to an address that keeps sending refused callbacks. */
export interface RefusalPacer {
  /** Counts one refusal; returns how long to hold its answer (0: answer now). */
  pauseMs(address: string | null): number;
}

export interface RefusalPacerOptions {
  clock: Clock;
  /** Refusals per address per second answered at once. @default 20 */
  freePerSecond?: number;
  /** How long later ones wait for their answer. @default 1000 */
  pauseMs?: number;
  /** @default 10000 */
  maxTracked?: number;
}

/**
 * A tarpit for refusal floods: past `freePerSecond` refusals a second from one address, each
 * answer is held for `pauseMs`. A flooding client waiting for answers (one request at a
 * time per connection) then sends about one request a second per connection, so it cannot
 * take the event loop from real callbacks. Colt's accepted callbacks are never paused.
 */
export function createRefusalPacer(options: RefusalPacerOptions): RefusalPacer {
  const free = options.freePerSecond ?? 20;
  const pause = options.pauseMs ?? 1000;
  const maxTracked = options.maxTracked ?? 10_000;
  const windows = new Map<string, { startedAt: number; refusals: number }>();
  return {
    pauseMs(address) {
      const key = address ?? UNKNOWN_ADDRESS;
      const now = options.clock.now();
      let window = windows.get(key);
      if (!window || now - window.startedAt >= 1000) {
        // Re-inserted, so Map order stays oldest first: the first key is the one to drop.
        windows.delete(key);
        if (windows.size >= maxTracked) windows.delete(windows.keys().next().value!);
        window = { startedAt: now, refusals: 0 };
        windows.set(key, window);
      }
      return ++window.refusals > free ? pause : 0;
    },
  };
}
