/**
 * The dispatcher: claims due events (enrich, route, write deliveries) and due
 * deliveries (send, record, retry) from the Postgres outbox. Deliveries a routing round
 * may send at once are written already claimed and sent with the event still in memory.
 * `tick()` does one bounded round and waits for its sends (what tests and the Workers
 * runtime drive); `start()` runs rounds as a continuous pipeline (dispatch-loop.ts) until
 * stop(). Several dispatchers (processes, isolates) may share one database.
 */
import { claimDueDeliveries } from '../store/deliveries.repo.js';
import { claimDueGroups } from '../store/delivery-groups.repo.js';
import { holdQuietDeliveries, type QuietChannelHold } from '../store/delivery-claim.repo.js';
import { loadEventTraces, loadEvents } from '../store/events.repo.js';
import { errorMessage, routeDueEvents } from './process-event.js';
import { ENRICH_RETRY_SCHEDULE_S, RETRY_SCHEDULE_S } from './retry.js';
import type { SendOutcome } from './send-delivery.js';
import type { ChannelPolicies } from '../config/channel-config.js';
import { createLeaseKeeper, type LeaseKeeper } from './lease-keeper.js';
import { createSendLane, type SendJob, type SendLane } from './send-lane.js';
import { createSilenceIndex, type SilenceIndex } from './silence-index.js';
import { sendGroup } from './group-send.js';
import type { DispatcherContext, DispatcherDeps } from './dispatcher-deps.js';
import { channelIntervals, quietChannels } from './pacing.js';
import { createLoop, type StageRun } from './dispatch-loop.js';

export type { EnrichOutcome, RouteOutcome, DispatcherDeps, DispatcherLogger } from './dispatcher-deps.js';

/** Counts of one tick. */
export interface TickResult {
  /** Events claimed; of which routed, deferred (enrichment retry) and failed (rescheduled). */
  events: number;
  eventsRouted: number;
  eventsDeferred: number;
  eventsFailed: number;
  /** Delivery rows written by routing. */
  deliveriesCreated: number;
  /** Deliveries claimed (written claimed by routing, or claimed when due); of which each outcome. */
  claimed: number;
  delivered: number;
  retried: number;
  dead: number;
  suppressed: number;
  /** Another dispatcher took the delivery over before this one finished. */
  leaseLost: number;
  /** Delivery groups claimed and sent (docs/design.md#grouping); their outcomes count in delivered/retried/dead/suppressed, once per group. */
  groups: number;
  /** Unexpected errors (e.g. the database went away mid-send); the lease brings the row back. */
  errors: number;
  /** Open orders checked with GET /order by reconciliation, and the events it wrote (later statuses, order.overdue). */
  reconcileChecked: number;
  reconcileEvents: number;
  /** Channels the circuit breaker disabled (each with its relay.channel_disabled event). */
  channelsDisabled: number;
  /** Nothing was claimed: the loop may sleep. */
  idle: boolean;
}

/** Narrows a tick to one event's work (the Workers runtime processes a fresh callback at once). */
export interface TickScope {
  eventId: string;
}

/** How an unscoped tick runs. */
export interface TickOptions {
  /**
   * Run the periodic rounds (reconciliation, circuit breaker) before the work. A sweep of
   * many ticks asks for them on its first tick only. @default true
   */
  maintenance?: boolean;
}

export interface Dispatcher {
  /**
   * One bounded round: claim and process due events, then claim and send due deliveries;
   * resolves when every send is written. Ticks run one at a time; beside a running loop
   * they share the work like another dispatcher would.
   */
  tick(scope?: TickScope, options?: TickOptions): Promise<TickResult>;
  /** Runs the claim stages in the background until stop(). */
  start(): void;
  /** Something new is due (the receiver stored an event): route now instead of after the poll interval. */
  wake(): void;
  /** Finishes the stages' runs in progress and their sends, and stops the loop. */
  stop(): Promise<void>;
  /**
   * Renews the leases of the work this dispatcher holds now (the heartbeat does it every
   * `leaseRenewMs`); resolves with how many were renewed.
   */
  renewLeases(): Promise<number>;
  /** The silences its sends check (docs/design.md#silences); invalidate() after creating or expiring one in this process. */
  silences: SilenceIndex;
}

/** @default values of DispatcherDeps */
export const DISPATCHER_DEFAULTS = {
  // Short, because live dispatchers renew what they hold: a dispatcher's work resumes within it.
  leaseMs: 20_000,
  // Measured on the 2-core machine (bench/deliver.bench.ts): 32 sends in flight keep the
  // event loop busy while a batch of 100 amortises each claim's round trip.
  batchSize: 100,
  concurrency: 32,
  pollIntervalMs: 1_000,
  sendIntervalMs: { slack: 1_000 },
  reconcileIntervalMs: 30_000,
  enrichMaxWaitMs: 120_000,
} as const;

export function createDispatcher<Rules>(deps: DispatcherDeps<Rules>): Dispatcher {
  const leaseMs = deps.leaseMs ?? DISPATCHER_DEFAULTS.leaseMs;
  const ctx: DispatcherContext<Rules> = {
    ...deps,
    random: deps.random ?? Math.random,
    retrySchedule: deps.retrySchedule ?? RETRY_SCHEDULE_S,
    enrichRetrySchedule: deps.enrichRetrySchedule ?? ENRICH_RETRY_SCHEDULE_S,
    sendIntervalMs: deps.sendIntervalMs ?? DISPATCHER_DEFAULTS.sendIntervalMs,
    leaseMs,
    leaseRenewMs: deps.leaseRenewMs ?? Math.floor(leaseMs / 4),
    batchSize: deps.batchSize ?? DISPATCHER_DEFAULTS.batchSize,
    concurrency: deps.concurrency ?? DISPATCHER_DEFAULTS.concurrency,
    pollIntervalMs: deps.pollIntervalMs ?? DISPATCHER_DEFAULTS.pollIntervalMs,
    reconcileIntervalMs: deps.reconcileIntervalMs ?? DISPATCHER_DEFAULTS.reconcileIntervalMs,
    enrichMaxWaitMs: deps.enrichMaxWaitMs ?? DISPATCHER_DEFAULTS.enrichMaxWaitMs,
    silences:
      deps.silences ??
      createSilenceIndex({
        db: deps.store.db,
        clock: deps.clock,
        ...(deps.silenceCache && { cache: deps.silenceCache }),
        onInvalid: (silence, problem) => deps.logger.warn({ silenceId: silence.id, problem }, 'silence skipped: its match no longer compiles'),
      }),
  };
  const lane = createSendLane(ctx);
  const leases = createLeaseKeeper(ctx);
  // A stage that throws lost its database (the lease brings back whatever it had claimed).
  const reportingErrors = <T>(run: Promise<T>) =>
    run.catch((err: unknown) => {
      ctx.metrics?.storeError();
      throw err;
    });
  // The loop looks for due groups once per poll interval (a group's due time is never urgent
  // to the millisecond), or again at once when the last look found a full batch.
  let groupsLookedAt = 0;
  let groupsSaturated = false;
  const groupsDue = () => {
    if (!groupsSaturated && Date.now() - groupsLookedAt < ctx.pollIntervalMs) return false;
    groupsLookedAt = Date.now();
    return true;
  };
  const loop = createLoop({
    routeEvents: (limit) => reportingErrors(routeStage(ctx, lane, leases, limit, emptyTick())),
    claimDue: (limit) =>
      reportingErrors(
        dueStage(ctx, lane, leases, limit, emptyTick(), undefined, groupsDue()).then((run) => {
          groupsSaturated = run.groupsSaturated;
          return run;
        }),
      ),
    pending: lane.pending,
    onSettled: lane.onSettled,
    batchSize: ctx.batchSize,
    // Enough claimed work to keep every send slot busy while the next batch is claimed.
    capacity: 2 * Math.max(ctx.batchSize, ctx.concurrency),
    pollIntervalMs: ctx.pollIntervalMs,
    logger: ctx.logger,
  });
  let ticks: Promise<unknown> = Promise.resolve();
  const tick = (scope?: TickScope, options?: TickOptions): Promise<TickResult> => {
    const run = () => runTick(ctx, lane, leases, scope, options);
    const next = ticks.then(run, run);
    ticks = next.catch(() => undefined);
    return next;
  };
  const reconcileTimer = startReconcileTimer(ctx, loop.wake);
  const stop = async () => {
    await reconcileTimer.stop();
    await loop.stop();
    await ticks;
  };
  const start = () => {
    loop.start();
    reconcileTimer.start();
  };
  return { tick, start, wake: loop.wake, stop, renewLeases: leases.renew, silences: ctx.silences };
}

/**
 * Routes due events, then claims due deliveries (so a paced delivery routed now is claimed
 * now too), and waits for every send it started. The routed deliveries' sends start before
 * the claim, so they overlap it.
 */
async function runTick<R>(
  ctx: DispatcherContext<R>,
  lane: SendLane,
  leases: LeaseKeeper,
  scope?: TickScope,
  options?: TickOptions,
): Promise<TickResult> {
  const result = emptyTick();
  // A fresh callback's tick (Workers) stays about that callback; the cron's first tick reconciles.
  if (!scope && options?.maintenance !== false) await maintenanceRound(ctx, result);
  const routed = await routeStage(ctx, lane, leases, ctx.batchSize, result, scope);
  // An event this tick routed itself, all of whose deliveries were written claimed, leaves nothing to claim.
  const settled = scope !== undefined && routed.claimed > 0 && !routed.followUp;
  const due = settled
    ? null
    : await dueStage(ctx, lane, leases, ctx.batchSize, result, scope, !scope).catch(async (err: unknown) => {
        await routed.done;
        throw err;
      });
  await Promise.all([routed.done, due?.done]);
  result.idle =
    result.events === 0 && result.claimed === 0 && result.reconcileEvents === 0 && result.channelsDisabled === 0 && result.groups === 0;
  return result;
}

/** One reconciliation round; its failure is logged, never the tick's. */
async function reconcileRound<R>(ctx: DispatcherContext<R>, result: TickResult): Promise<void> {
  if (!ctx.reconcile) return;
  try {
    const counts = await ctx.reconcile();
    result.reconcileChecked += counts.checked;
    result.reconcileEvents += counts.advanced + counts.overdue;
  } catch (err) {
    ctx.metrics?.storeError();
    ctx.logger.error({ err: errorMessage(err) }, 'reconciliation round failed; the next round tries again');
  }
}

/** One circuit-breaker round; its failure is logged, never the tick's. */
async function breakerRound<R>(ctx: DispatcherContext<R>, result: TickResult): Promise<void> {
  if (!ctx.breaker) return;
  try {
    result.channelsDisabled += await ctx.breaker();
  } catch (err) {
    ctx.metrics?.storeError();
    ctx.logger.error({ err: errorMessage(err) }, 'circuit-breaker round failed; the next round tries again');
  }
}

/** The periodic rounds: reconciliation, then the circuit breaker. */
async function maintenanceRound<R>(ctx: DispatcherContext<R>, result: TickResult): Promise<void> {
  await reconcileRound(ctx, result);
  await breakerRound(ctx, result);
}

/** Runs the periodic rounds every `reconcileIntervalMs` until stopped (a real timer: it paces Colt calls). */
function startReconcileTimer<R>(ctx: DispatcherContext<R>, onEvents: () => void) {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const schedule = () => {
    if (stopped || (!ctx.reconcile && !ctx.breaker)) return;
    timer = setTimeout(() => {
      const result = emptyTick();
      running = maintenanceRound(ctx, result).then(() => {
        if (result.reconcileEvents > 0 || result.channelsDisabled > 0) onEvents();
        schedule();
      });
    }, ctx.reconcileIntervalMs);
  };
  return {
    start: schedule,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

const OUTCOME_COUNTER: Record<SendOutcome, keyof TickResult> = {
  delivered: 'delivered',
  retried: 'retried',
  dead: 'dead',
  suppressed: 'suppressed',
  'lease-lost': 'leaseLost',
};

/**
 * Queues sends on the lane, counting their outcomes into `result`; `done` settles when all
 * are written. Each delivery's lease is renewed from the moment it is queued until then.
 */
function sender<R>(ctx: DispatcherContext<R>, lane: SendLane, leases: LeaseKeeper, result: TickResult) {
  const sends: Promise<void>[] = [];
  const send = (job: SendJob) => {
    leases.holdDelivery(job.delivery);
    sends.push(
      lane.submit(job).finally(() => leases.releaseDelivery(job.delivery)).then(
        (outcome) => void (result[OUTCOME_COUNTER[outcome]] as number)++,
        (err: unknown) => {
          result.errors++;
          ctx.metrics?.storeError();
          const fields = { deliveryId: job.delivery.id, channel: job.delivery.channel, err: errorMessage(err) };
          ctx.logger.error(fields, 'delivery failed unexpectedly; its lease will bring it back');
        },
      ),
    );
  };
  return { send, done: () => Promise.all(sends).then(() => undefined) };
}

/** Routes up to `limit` due events; the deliveries written claimed go to the lane at once. */
async function routeStage<R>(
  ctx: DispatcherContext<R>,
  lane: SendLane,
  leases: LeaseKeeper,
  limit: number,
  result: TickResult,
  scope?: TickScope,
): Promise<StageRun> {
  const { send, done } = sender(ctx, lane, leases, result);
  const before = { events: result.events, created: result.deliveriesCreated };
  const preClaimed = await routeDueEvents(ctx, result, { limit, leases, ...(scope && { eventId: scope.eventId }) });
  result.claimed += preClaimed.length;
  for (const job of preClaimed) send(job);
  const events = result.events - before.events;
  const created = result.deliveriesCreated - before.created;
  return { claimed: events, saturated: events >= limit, followUp: created > preClaimed.length, done: done() };
}

/**
 * Claims up to `limit` due deliveries, loads their events in one query and queues their
 * sends; with `groups`, also claims due delivery groups and sends them.
 */
async function dueStage<R>(
  ctx: DispatcherContext<R>,
  lane: SendLane,
  leases: LeaseKeeper,
  limit: number,
  result: TickResult,
  scope?: TickScope,
  groups = false,
): Promise<StageRun & { groupsSaturated: boolean }> {
  const { send, done } = sender(ctx, lane, leases, result);
  const now = new Date(ctx.clock.now());
  const policies = ctx.getChannelPolicies?.() ?? {};
  const quiet = quietChannels(policies, now);
  await holdQuietDeliveries(ctx.store.db, now, quiet);
  const claimed = await claimDueDeliveries(ctx.store.db, {
    now,
    limit,
    leaseMs: ctx.leaseMs,
    sendIntervalMs: ctx.sendIntervalMs,
    channelIntervalMs: channelIntervals(policies, ctx.sendIntervalMs),
    quietChannels: quiet.map((q) => q.channel),
    ...(scope && { eventId: scope.eventId }),
  });
  result.claimed += claimed.length;
  if (claimed.length > 0) {
    const events = loadEvents(ctx.store.db, claimed.map((d) => d.eventId));
    // Tracing on: each attempt's span joins its event's trace (docs/operations.md#tracing).
    const traces = ctx.tracer?.enabled ? loadEventTraces(ctx.store.db, claimed.map((d) => d.eventId)).catch(() => null) : null;
    for (const d of claimed) {
      const event = events.then((m) => m.get(d.eventId) ?? null);
      // The send awaits its event only once it has a slot: a failure is handled there, not unhandled till then.
      event.catch(() => undefined);
      send({ delivery: d, event, ...(traces && { trace: traces.then((m) => m?.get(d.eventId) ?? null) }) });
    }
  }
  const grouped = groups ? await groupStage(ctx, leases, result, { now, policies, quiet }) : { claimed: 0, done: Promise.resolve() };
  return {
    claimed: claimed.length + grouped.claimed,
    saturated: claimed.length >= limit,
    groupsSaturated: grouped.claimed >= GROUP_BATCH,
    done: Promise.all([done(), grouped.done]).then(() => undefined),
  };
}

/** Groups claimed per round: each is one message (and loads its members), so a few at a time. */
export const GROUP_BATCH = 25;

/**
 * Claims due delivery groups (channels in quiet hours hold theirs to the window's end)
 * and sends each as one message; `done` settles when every outcome is written.
 */
async function groupStage<R>(
  ctx: DispatcherContext<R>,
  leases: LeaseKeeper,
  result: TickResult,
  round: { now: Date; policies: ChannelPolicies; quiet: QuietChannelHold[] },
): Promise<{ claimed: number; done: Promise<void> }> {
  const claimed = await claimDueGroups(ctx.store.db, {
    now: round.now,
    limit: GROUP_BATCH,
    leaseMs: ctx.leaseMs,
    sendIntervalMs: ctx.sendIntervalMs,
    channelIntervalMs: channelIntervals(round.policies, ctx.sendIntervalMs),
    quiet: round.quiet,
  });
  result.groups += claimed.length;
  const sends = claimed.map((group) => {
    // Renewed while its members load and the message goes out, like a delivery's.
    leases.holdGroup(group);
    return sendGroup(ctx, group)
      .finally(() => leases.releaseGroup(group))
      .then(
      (outcome) => void (result[OUTCOME_COUNTER[outcome]] as number)++,
      (err: unknown) => {
        result.errors++;
        ctx.metrics?.storeError();
        ctx.logger.error({ groupId: group.id, channel: group.channel, err: errorMessage(err) }, 'group send failed unexpectedly; its lease will bring it back');
      },
    );
  });
  return { claimed: claimed.length, done: Promise.all(sends).then(() => undefined) };
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
    groups: 0,
    errors: 0,
    reconcileChecked: 0,
    reconcileEvents: 0,
    channelsDisabled: 0,
    idle: true,
  };
}
