/**
 * The cron sweep: ticks the outbox worker until nothing is due or the invocation's budget
 * is spent. Overlapping sweeps (a slow minute, several isolates) are safe: every claim is
 * `FOR UPDATE SKIP LOCKED` with a lease, and a sweep cut short by the runtime leaves rows
 * whose lease brings them back.
 */
import type { TickResult, Dispatcher } from '../../deliver/dispatcher.js';

/** @default values of SweepOptions */
export const SWEEP_DEFAULTS = {
  /** No new tick starts after this long: a cron every minute gets about 30 s of wall time. */
  budgetMs: 20_000,
  maxTicks: 50,
  /** Wait before looking again after a tick finds nothing, once: paced channels (Slack, 1/s) free up by then. */
  idleWaitMs: 1_100,
} as const;

export interface SweepOptions {
  /** @default SWEEP_DEFAULTS.budgetMs */
  budgetMs?: number;
  /** @default SWEEP_DEFAULTS.maxTicks */
  maxTicks?: number;
  /** @default SWEEP_DEFAULTS.idleWaitMs */
  idleWaitMs?: number;
  /** @default Date.now */
  now?: () => number;
  /** @default a setTimeout promise */
  sleep?: (ms: number) => Promise<void>;
}

/** The ticks' counts added up, and why the sweep stopped. */
export type SweepResult = Omit<TickResult, 'idle'> & {
  ticks: number;
  /** idle: nothing left that is due; budget: time or tick limit reached with work perhaps left for the next cron. */
  stopped: 'idle' | 'budget';
};

const COUNTS = [
  'events',
  'eventsRouted',
  'eventsDeferred',
  'eventsFailed',
  'deliveriesCreated',
  'claimed',
  'delivered',
  'retried',
  'dead',
  'suppressed',
  'leaseLost',
  'groups',
  'errors',
  'reconcileChecked',
  'reconcileEvents',
  'channelsDisabled',
] as const satisfies ReadonlyArray<keyof TickResult>;

/**
 * Runs bounded ticks (the periodic rounds on the first only): stops after a tick that finds nothing, unless the tick before it did
 * find work, in which case it waits `idleWaitMs` and looks once more (a paced channel's
 * next message becomes sendable only after its interval).
 */
export async function sweepDueWork(worker: Pick<Dispatcher, 'tick'>, options: SweepOptions = {}): Promise<SweepResult> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const budgetMs = options.budgetMs ?? SWEEP_DEFAULTS.budgetMs;
  const maxTicks = options.maxTicks ?? SWEEP_DEFAULTS.maxTicks;
  const started = now();
  const totals = Object.fromEntries(COUNTS.map((k) => [k, 0])) as Omit<SweepResult, 'ticks' | 'stopped'>;
  let ticks = 0;
  let foundWork = false;
  while (ticks < maxTicks && now() - started < budgetMs) {
    // Reconciliation and the circuit breaker once per sweep, not once per tick.
    const result = await worker.tick(undefined, ticks === 0 ? {} : { maintenance: false });
    ticks++;
    for (const key of COUNTS) totals[key] += result[key];
    if (!result.idle) {
      foundWork = true;
      continue;
    }
    if (!foundWork) return { ...totals, ticks, stopped: 'idle' };
    foundWork = false;
    await sleep(options.idleWaitMs ?? SWEEP_DEFAULTS.idleWaitMs);
  }
  return { ...totals, ticks, stopped: 'budget' };
}
