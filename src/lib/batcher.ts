/**
 * Group commit: concurrent callers' items are coalesced into batches that one `flush`
 * writes together (one multi-row insert, one commit). Each caller's promise settles
 * only when its own batch has settled, so an answer never runs ahead of durability.
 *
 * An idle batcher flushes at once (no added latency); under load, items gather while
 * earlier flushes are in flight, so batches grow with the load.
 */
export interface BatcherOptions<I, R> {
  /** Writes the items; returns one result per item, in order. */
  flush(items: I[]): Promise<R[]>;
  /** @default 256 */
  maxBatch?: number;
  /** Flushes in flight at once (overlaps one batch's commit with the next one's statements). @default 2 */
  maxConcurrent?: number;
  /**
   * When a batch of several items fails with an error this says may be caused by some
   * item's content, the batch is split in halves and each half flushed again (down to
   * single items), so one bad item cannot fail the others: the innocent ones succeed
   * and only the item that fails alone gets the error.
   */
  isolate?(error: unknown): boolean;
  /** Defers the first flush until the current I/O callbacks have queued their items. */
  defer?(fn: () => void): void;
}

export interface Batcher<I, R> {
  /**
   * Queues the item; the promise settles with its batch. When `signal` aborts while the item
   * still waits in the queue, the item is taken out (never written) and the promise rejects
   * with the signal's reason; once its batch is being written, the abort changes nothing.
   */
  submit(item: I, signal?: AbortSignal): Promise<R>;
  /** Resolves when everything submitted so far has settled. */
  drain(): Promise<void>;
}

interface Pending<I, R> {
  item: I;
  resolve(result: R): void;
  reject(error: unknown): void;
}

const defaultDefer = (fn: () => void) =>
  typeof setImmediate === 'function' ? setImmediate(fn) : queueMicrotask(fn);

export function createBatcher<I, R>(options: BatcherOptions<I, R>): Batcher<I, R> {
  const maxBatch = options.maxBatch ?? 256;
  const maxConcurrent = options.maxConcurrent ?? 2;
  const defer = options.defer ?? defaultDefer;
  const queue: Pending<I, R>[] = [];
  const inFlight = new Set<Promise<void>>();
  let scheduled = false;

  async function run(batch: Pending<I, R>[]): Promise<void> {
    try {
      const results = await options.flush(batch.map((p) => p.item));
      for (const [i, p] of batch.entries()) p.resolve(results[i]!);
    } catch (error) {
      if (batch.length > 1 && options.isolate?.(error)) {
        // Bisect: about 2·log2(n) extra flushes per bad item instead of n single ones.
        const half = Math.ceil(batch.length / 2);
        await Promise.all([run(batch.slice(0, half)), run(batch.slice(half))]);
      } else {
        for (const p of batch) p.reject(error);
      }
    }
  }

  function pump(): void {
    scheduled = false;
    while (queue.length > 0 && inFlight.size < maxConcurrent) {
      const batch = queue.splice(0, maxBatch);
      const done: Promise<void> = run(batch).finally(() => {
        inFlight.delete(done);
        pump();
      });
      inFlight.add(done);
    }
  }

  return {
    submit(item, signal) {
      return new Promise<R>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const pending: Pending<I, R> = { item, resolve, reject };
        queue.push(pending);
        if (signal) {
          const leave = () => {
            const at = queue.indexOf(pending);
            if (at < 0) return; // already being written
            queue.splice(at, 1);
            reject(signal.reason);
          };
          signal.addEventListener('abort', leave, { once: true });
          const settled = () => signal.removeEventListener('abort', leave);
          pending.resolve = (result) => {
            settled();
            resolve(result);
          };
          pending.reject = (error) => {
            settled();
            reject(error);
          };
        }
        if (!scheduled && inFlight.size < maxConcurrent) {
          scheduled = true;
          defer(pump);
        }
      });
    },
    async drain() {
      while (queue.length > 0 || inFlight.size > 0) {
        await Promise.allSettled([...inFlight]);
        if (queue.length > 0 && inFlight.size === 0) pump();
      }
    },
  };
}
