/**
 * Colt's 429 (docs/colt.md#api-errors) is about the client as a whole, so every caller waits
 * it out. With `Retry-After`, Colt says how long; without it (Colt publishes neither its quota
 * nor how long to wait), the waits double from 1 s up to a cap (COLT_RATE_LIMIT_MAX_WAIT),
 * and start from 1 s again once a call goes through.
 */
import type { Clock } from '../lib/clock.js';

/** First wait after a 429 without Retry-After. */
export const RATE_LIMIT_FIRST_WAIT_MS = 1000;

export interface RateLimitWait {
  waitMs: number;
  /** This wait is the cap: a 429 after it ends the call. */
  atCap: boolean;
  /** Colt's Retry-After set the wait (not the doubling). */
  fromRetryAfter: boolean;
  /** 429s without Retry-After in a row, this one included. */
  streak: number;
}

export interface RateLimitGate {
  /** Time left of the current pause; 0 when calls may go. */
  remainingMs(): number;
  /** Records a 429 and pauses every caller; Colt's Retry-After when sent, else the next doubling wait. */
  throttled(retryAfterMs: number | undefined): RateLimitWait;
  /** A call was answered with something else than 429: the doubling starts over. */
  passed(): void;
}

/** The client's 429 state; `maxWaitMs` caps the doubling waits. */
export function createRateLimitGate(clock: Clock, maxWaitMs: number): RateLimitGate {
  let pausedUntilMs = 0;
  let streak = 0;
  return {
    remainingMs: () => Math.max(0, pausedUntilMs - clock.now()),
    throttled(retryAfterMs) {
      let wait: RateLimitWait;
      if (retryAfterMs !== undefined) {
        wait = { waitMs: retryAfterMs, atCap: false, fromRetryAfter: true, streak };
      } else {
        streak++;
        const doubled = RATE_LIMIT_FIRST_WAIT_MS * 2 ** (streak - 1);
        wait = { waitMs: Math.min(maxWaitMs, doubled), atCap: doubled >= maxWaitMs, fromRetryAfter: false, streak };
      }
      pausedUntilMs = Math.max(pausedUntilMs, clock.now() + wait.waitMs);
      return wait;
    },
    passed() {
      streak = 0;
    },
  };
}
