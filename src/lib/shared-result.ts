/**
 * One result for many callers: while `produce` runs, every caller waits for that run (single
 * flight), and a success is handed to every caller for `maxAgeMs` after its run started. A
 * failure reaches the callers that waited for it and is not kept: the next call runs again.
 * What /metrics is built from (runtime/node/store-gauges.ts, prom-metrics.ts): fifty scrapers
 * then cost what one does.
 */
export function sharedResult<T>(produce: () => Promise<T>, options: { maxAgeMs: number; now?: () => number }): () => Promise<T> {
  const now = options.now ?? Date.now;
  let inFlight: Promise<T> | null = null;
  let last: { startedAt: number; value: T } | null = null;
  return () => {
    if (inFlight) return inFlight;
    const startedAt = now();
    if (last && startedAt - last.startedAt < options.maxAgeMs) return Promise.resolve(last.value);
    const running = produce().then(
      (value) => {
        last = { startedAt, value };
        inFlight = null;
        return value;
      },
      (error: unknown) => {
        inFlight = null;
        throw error;
      },
    );
    inFlight = running;
    return running;
  };
}
