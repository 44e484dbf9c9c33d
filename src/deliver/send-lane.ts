/**
 * Where a dispatcher's sends run: at most `concurrency` in flight, whoever claimed them (a
 * routing round that wrote them claimed, or a claim of due rows), and their outcomes
 * group-committed: the writes of sends that finish together go to the database as one
 * statement. A send's slot is freed as soon as the peer has answered, so the next send
 * does not wait for the previous one's write.
 */
import type { NormalisedEvent } from '../event/event.js';
import { createBatcher } from '../lib/batcher.js';
import type { TraceCarrier } from '../lib/tracing.js';
import type { ClaimedDelivery } from '../store/deliveries.repo.js';
import { recordOutcomes, type DeliveryOutcomeWrite } from '../store/delivery-outcomes.repo.js';
import { isInputRejection, retryIfTransient } from '../store/errors.js';
import { recordTry, tryDelivery, type SendOutcome, type TriedDelivery } from './send-delivery.js';
import type { DispatcherContext } from './dispatcher-deps.js';

/** One claimed delivery to send, with its event (in memory, or being loaded). */
export interface SendJob {
  delivery: ClaimedDelivery;
  event: NormalisedEvent | null | Promise<NormalisedEvent | null>;
  /** The event's stored trace context, when tracing is on (docs/operations.md#tracing). */
  trace?: TraceCarrier | null | Promise<TraceCarrier | null>;
}

export interface SendLane {
  /** Queues a send; resolves with its outcome once written. Rejects only when the database fails. */
  submit(job: SendJob): Promise<SendOutcome>;
  /** Jobs submitted and not yet settled: queued, sending, or waiting for their write. */
  pending(): number;
  /** Calls `listener` each time a job settles; returns the function that removes it. */
  onSettled(listener: () => void): () => void;
}

/** Most outcomes written by one statement. */
const MAX_OUTCOME_BATCH = 500;

export function createSendLane<R>(ctx: DispatcherContext<R>): SendLane {
  const recorder = createBatcher<DeliveryOutcomeWrite, boolean>({
    flush: (items) => retryIfTransient(() => recordOutcomes(ctx.store.db, items)),
    maxBatch: MAX_OUTCOME_BATCH,
    // PGlite is one connection: a second statement would only queue behind the first.
    maxConcurrent: ctx.store.kind === 'pglite' ? 1 : 2,
    // One bad text (a peer's answer Postgres refuses) must not fail the others' writes.
    isolate: isInputRejection,
  });
  const record = (write: DeliveryOutcomeWrite) => recorder.submit(write);
  const waiting: (() => void)[] = [];
  const listeners = new Set<() => void>();
  let sending = 0;
  let pending = 0;

  const startNext = () => {
    while (sending < ctx.concurrency && waiting.length > 0) {
      sending++;
      waiting.shift()!();
    }
  };
  const settled = () => {
    pending--;
    for (const listener of listeners) listener();
  };

  return {
    submit(job) {
      pending++;
      const tried = new Promise<TriedDelivery>((resolve, reject) => {
        waiting.push(() => {
          tryDelivery(ctx, job.delivery, job.event, job.trace)
            .then(resolve, reject)
            .finally(() => {
              sending--;
              startNext();
            });
        });
        startNext();
      });
      const outcome = tried.then((t) => recordTry(ctx, t, record));
      outcome.then(settled, settled);
      return outcome;
    },
    pending: () => pending,
    onSettled(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
