/**
 * The delivery worker: claims due events (enrich, route, write deliveries) and due
 * deliveries (send, record, retry) from the Postgres outbox. `tick()` does one bounded
 * round and is what tests drive; `start()` ticks until idle, then sleeps until `wake()`
 * or the poll interval. Several workers (processes, isolates) may share one database.
 */
import type { NormalisedEvent } from '../receive/event.js';
import { claimDueDeliveries } from '../store/deliveries.repo.js';
import { claimEventWork } from '../store/event-work.repo.js';
import { loadEvent } from '../store/events.repo.js';
import { mapWithConcurrency } from './concurrency.js';
import { errorMessage, processEventWork } from './process-event.js';
import { ENRICH_RETRY_SCHEDULE_S, RETRY_SCHEDULE_S } from './retry.js';
import { sendDelivery, type SendOutcome } from './send-delivery.js';
import type { WorkerContext, WorkerDeps } from './worker-deps.js';

export type { EnrichOutcome, RouteOutcome, WorkerDeps, WorkerLogger } from './worker-deps.js';

/** Counts of one tick. */
export interface TickResult {
  /** Events claimed; of which routed, deferred (enrichment retry) and failed (rescheduled). */
  events: number;
  eventsRouted: number;
  eventsDeferred: number;
  eventsFailed: number;
  /** Delivery rows written by routing. */
  deliveriesCreated: number;
  /** Deliveries claimed; of which each outcome. */
  claimed: number;
  delivered: number;
  retried: number;
  dead: number;
  suppressed: number;
  /** Another worker took the delivery over before this one finished. */
  leaseLost: number;
  /** Unexpected errors (e.g. the database went away mid-send); the lease brings the row back. */
  errors: number;
  /** Nothing was claimed: the loop may sleep. */
  idle: boolean;
}

export interface Worker {
  /** One bounded round: claim and process due events, then claim and send due deliveries. */
  tick(): Promise<TickResult>;
  /** Runs ticks in the background until stop(). */
  start(): void;
  /** Something new is due (the receiver stored an event): tick now instead of after the poll interval. */
  wake(): void;
  /** Finishes the in-flight tick and stops the loop. */
  stop(): Promise<void>;
}

/** @default values of WorkerDeps */
export const WORKER_DEFAULTS = {
  leaseMs: 120_000,
  batchSize: 50,
  concurrency: 8,
  pollIntervalMs: 1_000,
  sendIntervalMs: { slack: 1_000 },
} as const;

export function createWorker<Rules>(deps: WorkerDeps<Rules>): Worker {
  const ctx: WorkerContext<Rules> = {
    ...deps,
    random: deps.random ?? Math.random,
    retrySchedule: deps.retrySchedule ?? RETRY_SCHEDULE_S,
    enrichRetrySchedule: deps.enrichRetrySchedule ?? ENRICH_RETRY_SCHEDULE_S,
    sendIntervalMs: deps.sendIntervalMs ?? WORKER_DEFAULTS.sendIntervalMs,
    leaseMs: deps.leaseMs ?? WORKER_DEFAULTS.leaseMs,
    batchSize: deps.batchSize ?? WORKER_DEFAULTS.batchSize,
    concurrency: deps.concurrency ?? WORKER_DEFAULTS.concurrency,
    pollIntervalMs: deps.pollIntervalMs ?? WORKER_DEFAULTS.pollIntervalMs,
  };
  const loop = createLoop(() => tick(ctx), ctx);
  return { tick: () => loop.tick(), start: loop.start, wake: loop.wake, stop: loop.stop };
}

async function tick<R>(ctx: WorkerContext<R>): Promise<TickResult> {
  const result = emptyTick();
  await processEvents(ctx, result);
  await sendDeliveries(ctx, result);
  result.idle = result.events === 0 && result.claimed === 0;
  return result;
}

async function processEvents<R>(ctx: WorkerContext<R>, result: TickResult): Promise<void> {
  const work = await claimEventWork(ctx.store.db, {
    now: new Date(ctx.clock.now()),
    limit: ctx.batchSize,
    leaseMs: ctx.leaseMs,
  });
  result.events = work.length;
  const outcomes = await mapWithConcurrency(work, ctx.concurrency, (w) => processEventWork(ctx, w));
  for (const o of outcomes) {
    if (o.kind === 'processed') {
      result.eventsRouted++;
      result.deliveriesCreated += o.deliveriesCreated;
    } else if (o.kind === 'deferred') result.eventsDeferred++;
    else if (o.kind === 'failed') result.eventsFailed++;
  }
}

const OUTCOME_COUNTER: Record<SendOutcome, keyof TickResult> = {
  delivered: 'delivered',
  retried: 'retried',
  dead: 'dead',
  suppressed: 'suppressed',
  'lease-lost': 'leaseLost',
};

async function sendDeliveries<R>(ctx: WorkerContext<R>, result: TickResult): Promise<void> {
  const claimed = await claimDueDeliveries(ctx.store.db, {
    now: new Date(ctx.clock.now()),
    limit: ctx.batchSize,
    leaseMs: ctx.leaseMs,
    sendIntervalMs: ctx.sendIntervalMs,
  });
  result.claimed = claimed.length;
  const events = new Map<string, Promise<NormalisedEvent | null>>();
  const load = (eventId: string) => {
    let p = events.get(eventId);
    if (!p) events.set(eventId, (p = loadEvent(ctx.store.db, eventId)));
    return p;
  };
  await mapWithConcurrency(claimed, ctx.concurrency, async (d) => {
    try {
      const outcome = await sendDelivery(ctx, d, load);
      (result[OUTCOME_COUNTER[outcome]] as number)++;
    } catch (err) {
      result.errors++;
      const fields = { deliveryId: d.id, channel: d.channel, err: errorMessage(err) };
      ctx.logger.error(fields, 'delivery failed unexpectedly; its lease will bring it back');
    }
  });
}

function emptyTick(): TickResult {
  return {
    events: 0,
    eventsRouted: 0,
    eventsDeferred: 0,
    eventsFailed: 0,
    deliveriesCreated: 0,
    claimed: 0,
    delivered: 0,
    retried: 0,
    dead: 0,
    suppressed: 0,
    leaseLost: 0,
    errors: 0,
    idle: true,
  };
}

/**
 * Serialises ticks (a manual tick() waits for the loop's) and runs the background loop:
 * tick while there is work, otherwise sleep until wake() or the poll interval.
 */
function createLoop(runTick: () => Promise<TickResult>, ctx: WorkerContext<unknown>) {
  let inFlight: Promise<unknown> = Promise.resolve();
  let running: Promise<void> | null = null;
  let stopping = false;
  let woken = false;
  let interrupt: (() => void) | null = null;

  const serialTick = (): Promise<TickResult> => {
    const next = inFlight.then(runTick, runTick);
    inFlight = next.catch(() => undefined);
    return next;
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        interrupt = null;
        resolve();
      }
      interrupt = done;
    });
  const run = async () => {
    while (!stopping) {
      // A wake() from here on (even mid-tick) means "look again before sleeping".
      woken = false;
      let busy = false;
      try {
        busy = !(await serialTick()).idle;
      } catch (err) {
        ctx.logger.error({ err: errorMessage(err) }, 'worker tick failed');
      }
      if (stopping) break;
      if (busy || woken) continue;
      await sleep(ctx.pollIntervalMs);
    }
  };
  return {
    tick: serialTick,
    start: () => {
      if (running) return;
      stopping = false;
      running = run();
    },
    wake: () => {
      woken = true;
      interrupt?.();
    },
    stop: async () => {
      stopping = true;
      interrupt?.();
      await running;
      running = null;
      await inFlight;
    },
  };
}
