/**
 * Slows down guessing of ADMIN_TOKEN and METRICS_TOKEN (docs/design.md#trust-and-proxies): failed
 * sign-ins (dashboard login, admin API, /metrics) are counted per client address in a fixed
 * window, and per socket peer too unless that peer is a proxy named by CIDR (so a caller that
 * rotates X-Forwarded-For in hop-count mode still runs out of tries); each failure's answer is
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

/**
 * Who an attempt is counted against: one address, or several (the client X-Forwarded-For
 * names and the socket peer it came through, lib/client-address.ts attemptAddresses). Null
 * stands for an address the runtime cannot tell.
 */
export type AttemptAddresses = string | null | readonly (string | null)[];

export interface AuthThrottle {
  /** Seconds before the addresses may try again (the longest wait of any), or 0 when they may try now. */
  retryAfterS(addresses: AttemptAddresses): number;
  /** Counts one failed attempt against each address; resolves once its answer may go out. */
  failed(addresses: AttemptAddresses): Promise<void>;
}

interface Window {
  startedAt: number;
  failures: number;
}

/** Requests whose address the runtime cannot tell share one bucket: they are not let through unthrottled. */
const UNKNOWN_ADDRESS = 'unknown';

/** The distinct bucket keys of `addresses`. */
function keysOf(addresses: AttemptAddresses): string[] {
  const list = typeof addresses === 'string' || addresses === null ? [addresses] : addresses;
  return [...new Set(list.map((a) => a ?? UNKNOWN_ADDRESS))];
}

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

  /** Counts a failure against one key; its failures in the window so far. */
  function count(key: string, now: number): number {
    const window = current(key, now);
    if (window) return ++window.failures;
    // Map order is insertion order: the first key is the oldest window.
    if (windows.size >= maxTracked) windows.delete(windows.keys().next().value!);
    windows.set(key, { startedAt: now, failures: 1 });
    return 1;
  }

  return {
    retryAfterS(addresses) {
      const now = options.clock.now();
      let wait = 0;
      for (const key of keysOf(addresses)) {
        const window = current(key, now);
        if (window && window.failures >= maxFailures) wait = Math.max(wait, Math.ceil((window.startedAt + windowMs - now) / 1000), 1);
      }
      return wait;
    },
    failed(addresses) {
      const now = options.clock.now();
      return hold(Math.max(...keysOf(addresses).map((key) => count(key, now))));
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
