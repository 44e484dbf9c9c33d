/**
 * The receiver's audit of refused callbacks, coalesced: refusals are counted in memory
 * per (address, reason) and written as one upsert per flush (every `flushIntervalMs`), so
 * an unauthenticated flood costs one statement a second, not one per request, and cannot
 * slow real callbacks' writes. Nothing is dropped silently: a failed write keeps its
 * counts for the next flush (and says so in the log), and `close()` flushes what is left.
 */
import type { Logger } from '../lib/logger.js';
import type { Store } from './db.js';
import { storeErrorMessage } from './errors.js';
import { pruneRefusals, REFUSAL_KEEP_ROWS, upsertRefusals, type Refusal, type RefusalAggregate } from './refusals.repo.js';

export type { Refusal };

export interface RefusalRecorder {
  /** Counts a refusal; in coalescing mode it returns at once and is written at the next flush. */
  record(refusal: Refusal): Promise<void>;
  /** Writes everything counted so far. */
  flush(): Promise<void>;
  /** Stops the timer and flushes. */
  close(): Promise<void>;
}

export interface RefusalRecorderOptions {
  logger: Logger;
  /**
   * How often counts are written; 0 writes each refusal as it comes; null never on its own:
   * the runtime calls flush() (Workers, where no timer outlives an invocation). @default 1000
   */
  flushIntervalMs?: number | null;
  /** Distinct pairs held before a flush is started early. @default 1000 */
  maxPending?: number;
}

/** Flushes between prunes of the least recently seen pairs. */
const PRUNE_EVERY_FLUSHES = 60;

const pairKey = (r: Refusal) => `${r.remoteAddr ?? ''}\u0000${r.reason}`;

function merge(into: Map<string, RefusalAggregate>, key: string, add: RefusalAggregate): void {
  const held = into.get(key);
  if (!held) {
    into.set(key, add);
    return;
  }
  held.count += add.count;
  if (add.firstSeenAt < held.firstSeenAt) held.firstSeenAt = add.firstSeenAt;
  if (add.sample.at >= held.sample.at) held.sample = add.sample;
}

export function createRefusalRecorder(store: Store, options: RefusalRecorderOptions): RefusalRecorder {
  const interval = options.flushIntervalMs ?? 1000;
  const maxPending = options.maxPending ?? 1000;
  let pending = new Map<string, RefusalAggregate>();
  let writing: Promise<void> | null = null;
  let flushes = 0;

  async function write(batch: Map<string, RefusalAggregate>): Promise<void> {
    try {
      await upsertRefusals(store.db, [...batch.values()]);
      for (const a of batch.values()) {
        options.logger.info({ remoteAddr: a.sample.remoteAddr, reason: a.sample.reason, count: a.count }, 'callbacks refused');
      }
      if (++flushes % PRUNE_EVERY_FLUSHES === 0) await pruneRefusals(store.db, REFUSAL_KEEP_ROWS);
    } catch (error) {
      // Keep the counts: the next flush writes them with whatever came since.
      for (const [key, a] of batch) merge(pending, key, a);
      const count = [...batch.values()].reduce((n, a) => n + a.count, 0);
      // The database's own message: drizzle's wrapper repeats the statement's parameters (body excerpts).
      options.logger.warn({ err: { message: storeErrorMessage(error) }, count }, 'could not record refused callbacks; will retry');
      throw error;
    }
  }

  async function writePending(): Promise<void> {
    while (pending.size > 0) {
      const batch = pending;
      pending = new Map();
      await write(batch);
    }
  }

  function flush(): Promise<void> {
    // One write at a time: pairs are distinct within an upsert, and rows see counts in order.
    // `.finally` runs after the assignment even when there is nothing to write.
    writing ??= writePending().finally(() => {
      writing = null;
    });
    return writing;
  }

  const background = () => flush().catch(() => {}); // logged in write()
  const timer = interval !== null && interval > 0 ? setInterval(background, interval) : null;
  (timer as { unref?(): void } | null)?.unref?.();

  return {
    async record(refusal) {
      merge(pending, pairKey(refusal), { count: 1, firstSeenAt: refusal.at, sample: refusal });
      if (interval === 0) return flush();
      if (pending.size >= maxPending) void background();
    },
    flush,
    async close() {
      if (timer) clearInterval(timer);
      await writing?.catch(() => {});
      await flush();
    },
  };
}
