/** The receiver's write path: callbacks → group-committed batches → one transaction each. */
import { createBatcher } from '../lib/batcher.js';
import type { Store } from './db.js';
import { isStoreUnavailable, retryIfTransient } from './errors.js';
import { insertCallbacks, type NewCallback, type StoredCallback } from './events.repo.js';

export interface CallbackWriter {
  /** Resolves once the callback (or its original) is committed. */
  write(callback: NewCallback): Promise<StoredCallback>;
  drain(): Promise<void>;
}

export interface CallbackWriterOptions {
  /** Coalesce concurrent writes into shared transactions. @default true */
  groupCommit?: boolean;
  /** @default 256 */
  maxBatch?: number;
  /** Batches in flight at once (each is one statement on one pooled connection). @default 4 */
  maxConcurrent?: number;
  /** Observes each committed batch (metrics, benchmarks). */
  onFlush?(size: number, durationMs: number): void;
}

export function createCallbackWriter(store: Store, options: CallbackWriterOptions = {}): CallbackWriter {
  if (options.groupCommit === false) {
    return {
      write: async (callback) => (await retryIfTransient(() => insertCallbacks(store.db, [callback])))[0]!,
      drain: async () => {},
    };
  }
  const batcher = createBatcher<NewCallback, StoredCallback>({
    flush: async (items) => {
      const started = performance.now();
      const results = await retryIfTransient(() => insertCallbacks(store.db, items));
      options.onFlush?.(items.length, performance.now() - started);
      return results;
    },
    maxBatch: options.maxBatch,
    maxConcurrent: store.kind === 'pglite' ? 1 : (options.maxConcurrent ?? 4),
    // A batch that failed for any reason but the store being down is split until the
    // callback that fails alone is found: one poison callback never fails its neighbours.
    isolate: (error) => !isStoreUnavailable(error),
  });
  return { write: (callback) => batcher.submit(callback), drain: () => batcher.drain() };
}
