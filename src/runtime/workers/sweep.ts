/**
 * The cron sweep: ticks the outbox worker until nothing is due or the invocation's budget
 * is spent, and keeps the refusal audit within its bound. Overlapping sweeps (a slow
 * minute, several isolates, a queue wake-up) are safe: every claim is `FOR UPDATE SKIP
 * LOCKED` with a lease, and a sweep cut short by the runtime leaves rows whose lease brings
 * them back.
 */
import type { TickResult, Dispatcher } from '../../deliver/dispatcher.js';
import { pruneRefusals, REFUSAL_KEEP_ROWS } from '../../store/refusals.repo.js';
import { invocationStore } from './invocation.js';
import type { WorkerScope } from './scope.js';

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
  /** Run the periodic rounds (reconciliation, circuit breaker) on the first tick. @default true */
  maintenance?: boolean;
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
    const result = await worker.tick(undefined, { maintenance: ticks === 0 && options.maintenance !== false });
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

/** What the cron did: the outbox sweep (none when the rules are invalid), and the refusal audit kept to its bound. */
export type OutboxSweepResult = Partial<SweepResult> & { refusalsPruned: boolean };

/**
 * The cron's run: sweeps the outbox (or, with invalid rules, logs why nothing is delivered, at
 * every run), then prunes the refusal audit to its REFUSAL_KEEP_ROWS most recent pairs: the
 * bound holds whatever the isolates count and however long they live.
 */
export async function sweepOutbox(scope: WorkerScope, options: SweepOptions = {}): Promise<OutboxSweepResult> {
  const { logger, rulesProblem } = scope.state;
  const dispatcher = scope.dispatcher();
  if (!dispatcher) logger.error({ problems: rulesProblem }, 'the rules are invalid: nothing is delivered until RULES is fixed (callbacks are still stored)');
  const swept = dispatcher ? await sweepDueWork(dispatcher, options) : {};
  await scope.state.refusals.flush();
  const refusalsPruned = await pruneRefusals(invocationStore().db, REFUSAL_KEEP_ROWS).then(
    () => true,
    (err: unknown) => {
      logger.warn({ err: { message: (err as Error).message } }, 'could not prune the refusal audit; the next sweep tries again');
      return false;
    },
  );
  return { ...swept, refusalsPruned };
}
