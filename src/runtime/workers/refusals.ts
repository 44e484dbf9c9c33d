/**
 * The refusal audit on Workers (docs/security.md): refused callbacks are counted in the
 * isolate's memory per (address, reason), as on Node, and written together at most once per
 * REFUSAL_WRITE_MS, by whichever invocation is running then, so a flood of refused requests
 * costs one database connection per interval and isolate, not one per request. No timer
 * outlives an invocation on Workers: counts taken while a write is not yet allowed are
 * written by the first invocation that finds them, which waits in its waitUntil until it may.
 * The table's size is bounded by the cron sweep (sweep.ts), whatever the isolates do.
 */
import type { Clock } from '../../lib/clock.js';
import { systemClock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { Store } from '../../store/db.js';
import { createRefusalRecorder, type RefusalRecorder } from '../../store/refusal-recorder.js';

/** Least time between two writes of an isolate's refusal counts. */
export const REFUSAL_WRITE_MS = 1_000;
/** Refusals counted since the last write that make the next invocation write at once (memory). */
export const REFUSAL_WRITE_AFTER = 1_000;

export interface IsolateRefusals extends RefusalRecorder {
  /**
   * For an invocation's waitUntil: writes the unwritten counts, at once when the last write is
   * REFUSAL_WRITE_MS old, else after waiting for that (one invocation waits; the others
   * return at once). Never throws: the recorder logs a failed write and keeps its counts.
   */
  settle(): Promise<void>;
}

export interface IsolateRefusalsOptions {
  /** @default systemClock */
  clock?: Clock;
  /** @default a setTimeout promise */
  sleep?: (ms: number) => Promise<void>;
}

export function createIsolateRefusals(store: Store, logger: Logger, options: IsolateRefusalsOptions = {}): IsolateRefusals {
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  // Writes happen in settle(), awaited by an invocation: never in the background of another.
  const recorder = createRefusalRecorder(store, { logger, flushIntervalMs: null, maxPending: Number.POSITIVE_INFINITY });
  let unwritten = 0;
  let lastWriteAt = Number.NEGATIVE_INFINITY;
  let waiting = false;

  const write = async () => {
    unwritten = 0;
    lastWriteAt = clock.now();
    await recorder.flush().catch(() => {
      // The recorder kept the counts: the next invocation tries again.
      unwritten = Math.max(unwritten, 1);
    });
  };

  return {
    record(refusal) {
      unwritten++;
      return recorder.record(refusal);
    },
    flush: write,
    close: recorder.close,
    async settle() {
      if (unwritten === 0) return;
      const wait = lastWriteAt + REFUSAL_WRITE_MS - clock.now();
      if (wait <= 0 || unwritten >= REFUSAL_WRITE_AFTER) return write();
      if (waiting) return;
      waiting = true;
      try {
        await sleep(wait);
      } finally {
        waiting = false;
      }
      if (unwritten > 0) await write();
    },
  };
}
