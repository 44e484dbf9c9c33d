/**
 * The dispatcher's background loop: a continuous pipeline rather than tick-sized lockstep.
 * Two claim stages run side by side, each in its own loop: routing new events (woken by
 * the receiver) and claiming due deliveries (retries, paced channels, other dispatchers'
 * abandoned rows; woken by the poll). A stage only claims; the sends it starts run on in
 * the send lane while the stages claim more, as long as the lane has room. A callback
 * stored mid-round therefore waits at most for the routing round in progress, never for
 * a batch's slowest send.
 */
import type { DispatcherLogger } from './dispatcher-deps.js';

/** What one run of a stage claimed; its sends settle later. */
export interface StageRun {
  /** Rows claimed (events, or deliveries). */
  claimed: number;
  /** The limit was reached: more is probably due right now. */
  saturated: boolean;
  /** Deliveries were written that only the due stage can claim (paced or held channels). */
  followUp?: boolean;
  /** Settles when every send the run started is written. Never rejects. */
  done: Promise<void>;
}

/** Claims at most `limit` rows and starts their sends. */
export type Stage = (limit: number) => Promise<StageRun>;

export interface LoopDeps {
  routeEvents: Stage;
  claimDue: Stage;
  /** Deliveries claimed by this dispatcher and not yet written (queued, sending, writing). */
  pending(): number;
  /** Calls the listener whenever pending() goes down; returns the unsubscribe function. */
  onSettled(listener: () => void): () => void;
  batchSize: number;
  /** Most pending deliveries before the stages stop claiming. */
  capacity: number;
  pollIntervalMs: number;
  logger: DispatcherLogger;
}

export interface Loop {
  start(): void;
  wake(): void;
  stop(): Promise<void>;
}

export function createLoop(deps: LoopDeps): Loop {
  const inFlight = new Set<Promise<void>>();
  const room = () => deps.capacity - deps.pending();
  // Room for a whole batch: claiming a few rows at a time would cost a statement each.
  const hasRoom = () => room() >= Math.min(deps.batchSize, deps.capacity);
  const track = (run: StageRun): StageRun => {
    inFlight.add(run.done);
    void run.done.finally(() => inFlight.delete(run.done));
    return run;
  };
  const dueLoop = stageLoop('claim due deliveries', (limit) => deps.claimDue(limit).then(track), deps, room, hasRoom);
  const eventLoop = stageLoop('route events', (limit) => deps.routeEvents(limit).then(track), deps, room, hasRoom, (run) => {
    if (run.followUp) dueLoop.nudge();
  });
  return {
    start: () => {
      eventLoop.start();
      dueLoop.start();
    },
    wake: eventLoop.nudge,
    stop: async () => {
      await Promise.all([eventLoop.stop(), dueLoop.stop()]);
      await Promise.all([...inFlight]);
    },
  };
}

/**
 * Runs a stage while it finds a full batch and the lane has room; otherwise sleeps until
 * nudged, the poll interval passes, or (when the lane was full) room frees up.
 */
function stageLoop(
  name: string,
  stage: Stage,
  deps: LoopDeps,
  room: () => number,
  hasRoom: () => boolean,
  after?: (run: StageRun) => void,
) {
  let running: Promise<void> | null = null;
  let stopping = false;
  let nudged = false;
  let interrupt: (() => void) | null = null;

  const sleep = (ms: number, untilRoom: boolean) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      const unsubscribe = untilRoom ? deps.onSettled(() => hasRoom() && done()) : () => {};
      function done() {
        clearTimeout(timer);
        unsubscribe();
        interrupt = null;
        resolve();
      }
      interrupt = done;
      if (untilRoom && hasRoom()) done();
    });

  const once = async (): Promise<'again' | 'sleep' | 'full'> => {
    const space = room();
    if (space <= 0) return 'full';
    try {
      const run = await stage(Math.min(deps.batchSize, space));
      after?.(run);
      if (!run.saturated) return 'sleep';
      return hasRoom() ? 'again' : 'full';
    } catch (err) {
      deps.logger.error({ stage: name, err: err instanceof Error ? err.message : String(err) }, 'dispatcher stage failed');
      return 'sleep';
    }
  };

  const run = async () => {
    while (!stopping) {
      // A nudge from here on (even mid-run) means "look again before sleeping".
      nudged = false;
      const next = await once();
      if (stopping) break;
      if (next === 'again' || (nudged && room() > 0)) continue;
      await sleep(deps.pollIntervalMs, next === 'full' || nudged);
    }
  };

  return {
    start: () => {
      if (running) return;
      stopping = false;
      running = run();
    },
    nudge: () => {
      nudged = true;
      interrupt?.();
    },
    stop: async () => {
      stopping = true;
      interrupt?.();
      await running;
      running = null;
    },
  };
}
