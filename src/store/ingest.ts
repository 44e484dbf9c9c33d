/**
 * The receiver's write path: callbacks → group-committed batches → one transaction each, each
 * callback waiting at most `timeoutMs` for its commit (a store that does not answer must not
 * make Colt wait: the receiver answers 503 and Colt retries).
 */
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
  /**
   * Longest a write waits for its commit (queueing, connecting, the statement) before it
   * rejects with StoreTimeoutError, which counts as the store being unavailable. A callback
   * still queued then is never written; one whose batch was already sent may commit later,
   * and the sender's retry is then answered as a duplicate. @default no limit
   */
  timeoutMs?: number;
}

/** A write that got no answer from the store in time: the store is taken to be unavailable. */
export class StoreTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`the store did not answer within ${timeoutMs} ms (CALLBACK_STORE_TIMEOUT)`);
    this.name = 'StoreTimeoutError';
  }
}

/** Runs `write` with a signal that aborts after `timeoutMs`, rejecting with StoreTimeoutError then. */
async function withDeadline<T>(timeoutMs: number | undefined, write: (signal?: AbortSignal) => Promise<T>): Promise<T> {
  if (timeoutMs === undefined) return write();
  const controller = new AbortController();
  const error = new StoreTimeoutError(timeoutMs);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    return await Promise.race([write(controller.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}

export function createCallbackWriter(store: Store, options: CallbackWriterOptions = {}): CallbackWriter {
  if (options.groupCommit === false) {
    return {
      write: (callback) => withDeadline(options.timeoutMs, async () => (await retryIfTransient(() => insertCallbacks(store.db, [callback])))[0]!),
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
  return { write: (callback) => withDeadline(options.timeoutMs, (signal) => batcher.submit(callback, signal)), drain: () => batcher.drain() };
}
