/**
 * Stage one of the dispatcher: a batch of claimed events is enriched (when configured) and
 * routed with the rules in force, then written in one statement that also retires their
 * outbox rows. Writing is idempotent, so an event processed twice (lost lease) is
 * notified once. Deliveries the dispatcher may send at once are written already claimed by
 * it and handed back with their event, to be sent without another claim or load.
 */
import type { NormalisedEvent } from '../event/event.js';
import type { ClaimedDelivery } from '../store/deliveries.repo.js';
import { rescheduleEventWork, type ClaimedEventWork } from '../store/event-work.repo.js';
import { loadEvent } from '../store/events.repo.js';
import { getOrderStatuses, recordEnrichError, saveOrderDetails } from '../store/orders.repo.js';
import { claimEventsToRoute, saveRouting, type GroupJoin, type RoutedEventWrite } from '../store/routing.repo.js';
import { mapWithConcurrency } from './concurrency.js';
import type { LeaseKeeper } from './lease-keeper.js';
import { nextRetryDelayMs } from './retry.js';
import { recordObservedStatus } from '../enrich/observed-status.js';
import type { EnrichOutcome, RouteGroupOutcome, RouteOutcome, DispatcherContext } from './dispatcher-deps.js';
import { channelSendIntervalMs, quietHold } from './pacing.js';
import type { QuietHoursConfig } from '../config/channel-config.js';
import type { TraceCarrier } from '../lib/tracing.js';
import { processEventSpan, routeSpan } from './spans.js';

/** GET /order calls in flight at once: Colt's API is one shared peer, whatever the send concurrency. */
export const MAX_ENRICH_CONCURRENCY = 8;

/** The event side of a tick's counts (TickResult has these fields). */
export interface EventCounts {
  events: number;
  eventsRouted: number;
  eventsDeferred: number;
  eventsFailed: number;
  deliveriesCreated: number;
}

/** A delivery written claimed by this dispatcher, with its event in memory: ready to send. */
export interface PreClaimedDelivery {
  delivery: ClaimedDelivery;
  event: NormalisedEvent;
  /** The event's stored trace context (tracing on). */
  trace?: TraceCarrier | null;
}

export interface RouteOptions {
  /** Most events to claim. */
  limit: number;
  /** Only this event (the Workers runtime processes a fresh callback at once). */
  eventId?: string;
  /** Renews the claimed events' leases while they are enriched and routed. */
  leases?: Pick<LeaseKeeper, 'holdEvents' | 'releaseEvents'>;
}

/** Enriched and routed, not yet written; or missing (its outbox row only is retired). */
type Ready =
  | { kind: 'routed'; work: ClaimedEventWork; event: NormalisedEvent; routed: RouteOutcome }
  | { kind: 'missing'; work: ClaimedEventWork };
type Prepared = Ready | { kind: 'deferred' | 'failed' };

/** Claims due events, routes them and writes their deliveries; never throws past the claim. */
export async function routeDueEvents<R>(
  ctx: DispatcherContext<R>,
  counts: EventCounts,
  options: RouteOptions,
): Promise<PreClaimedDelivery[]> {
  const claimed = await claimEventsToRoute(ctx.store.db, {
    now: new Date(ctx.clock.now()),
    limit: options.limit,
    leaseMs: ctx.leaseMs,
    ...(options.eventId !== undefined && { eventId: options.eventId }),
  });
  counts.events += claimed.length;
  if (claimed.length === 0) return [];
  const held = claimed.map((c) => ({ eventId: c.work.eventId, attempts: c.work.attempts }));
  options.leases?.holdEvents(held);
  try {
    const prepared = await mapWithConcurrency(claimed, Math.min(ctx.concurrency, MAX_ENRICH_CONCURRENCY), (c) =>
      processEventSpan(ctx.tracer, c, () => prepareEvent(ctx, c.work, c.event)),
    );
    for (const p of prepared) {
      if (p.kind === 'deferred') counts.eventsDeferred++;
      else if (p.kind === 'failed') counts.eventsFailed++;
    }
    const ready = prepared.filter((p): p is Ready => p.kind === 'routed' || p.kind === 'missing');
    const traces = new Map(claimed.map((c) => [c.work.eventId, c.trace]));
    // The sends of this round carry their event's trace, as later claims load it.
    return (await saveRouted(ctx, counts, ready)).map((p) => ({ ...p, trace: traces.get(p.delivery.eventId) ?? null }));
  } finally {
    options.leases?.releaseEvents(held);
  }
}

/**
 * Writes the routed events in one statement. When it fails for a batch, each event is
 * tried on its own so one event's bad data cannot hold back the others; an event whose
 * write fails is rescheduled.
 */
async function saveRouted<R>(ctx: DispatcherContext<R>, counts: EventCounts, ready: Ready[]): Promise<PreClaimedDelivery[]> {
  if (ready.length === 0) return [];
  const routed = ready.filter((p) => p.kind === 'routed');
  const now = new Date(ctx.clock.now());
  try {
    const written = await saveRouting(ctx.store.db, {
      now,
      leaseMs: ctx.leaseMs,
      routed: routed.map((p) => toWrite(ctx, p.event, p.routed, now)),
      missing: ready.filter((p) => p.kind === 'missing').map((p) => p.work.eventId),
    });
    counts.eventsRouted += routed.length;
    counts.deliveriesCreated += written.length;
    logRouted(ctx, routed, written);
    await logStaleSkipped(ctx, routed);
    const byId = new Map(routed.map((p) => [p.event.eventId, p.event]));
    return written.filter((d) => d.claimed).map((delivery) => ({ delivery, event: byId.get(delivery.eventId)! }));
  } catch (err) {
    if (ready.length > 1) return (await Promise.all(ready.map((p) => saveRouted(ctx, counts, [p])))).flat();
    const [only] = ready;
    if (only!.kind === 'routed') {
      await failEvent(ctx, only!.work, err);
      counts.eventsFailed++;
    }
    return [];
  }
}

function logRouted<R>(ctx: DispatcherContext<R>, routed: Extract<Ready, { kind: 'routed' }>[], written: { eventId: string }[]): void {
  const created = new Map<string, number>();
  for (const d of written) created.set(d.eventId, (created.get(d.eventId) ?? 0) + 1);
  for (const { event, routed: r } of routed) {
    const fields = { eventId: event.eventId, deliveries: created.get(event.eventId) ?? 0, skippedStale: r.skippedStale ?? false };
    ctx.logger.debug(fields, 'event routed');
  }
}

/**
 * A stale event no rule asked for is stored and processed but notifies nobody: say so, at
 * info, with the status its order had already reached, so the silence is explained.
 */
async function logStaleSkipped<R>(ctx: DispatcherContext<R>, routed: Extract<Ready, { kind: 'routed' }>[]): Promise<void> {
  const skipped = routed.filter((p) => p.routed.skippedStale && p.routed.deliveries.length === 0).map((p) => p.event);
  if (skipped.length === 0) return;
  const current = await getOrderStatuses(ctx.store.db, skipped.map((e) => e.orderId)).catch(() => new Map<string, string>());
  for (const e of skipped) {
    const orderStatus = current.get(e.orderId) ?? 'unknown';
    ctx.logger.info(
      { eventId: e.eventId, orderId: e.orderId, status: e.status, rawStatus: e.rawStatus, orderStatus },
      `stale ${e.status} callback not notified: order ${e.orderId} is already ${orderStatus} (only rules with stale: true get stale events)`,
    );
  }
}

/**
 * Paced channels (Slack, a `rateLimit`) wait for their send slot, which only a claim takes;
 * a channel in its quiet hours is written held to the window's end, saying so.
 */
function toWrite<R>(ctx: DispatcherContext<R>, event: NormalisedEvent, routed: RouteOutcome, now: Date): RoutedEventWrite {
  const policies = ctx.getChannelPolicies?.() ?? {};
  return {
    eventId: event.eventId,
    orderId: event.orderId,
    deliveries: routed.deliveries.map((d) => {
      const policy = policies[d.channel];
      if (d.group) {
        // A grouped delivery waits in its group, never claimed: quiet hours move the group's due time.
        const join = groupJoin(policy?.quietHours, d.group, now);
        return { channel: d.channel, channelType: d.channelType, rules: d.rules, claim: false, group: join };
      }
      const hold = quietHold(policy?.quietHours, now);
      const paced = channelSendIntervalMs(d.channelType, policy?.rateLimit, ctx.sendIntervalMs) > 0;
      const write = { channel: d.channel, channelType: d.channelType, rules: d.rules, claim: !paced && !hold };
      return hold ? { ...write, holdUntil: hold.until, note: hold.note } : write;
    }),
  };
}

/** A new group waits `wait`, and past the channel's quiet hours (a later window end is checked when it is due). */
function groupJoin(quietHours: QuietHoursConfig | undefined, group: RouteGroupOutcome, now: Date): GroupJoin {
  const waited = new Date(now.getTime() + group.waitMs);
  const dueAt = quietHold(quietHours, waited)?.until ?? waited;
  return { rule: group.rule, key: group.key, values: group.values, dueAt, intervalMs: group.intervalMs };
}

/** Enriches and routes one event; never throws (errors reschedule the event with a backoff). */
async function prepareEvent<R>(ctx: DispatcherContext<R>, work: ClaimedEventWork, loaded: NormalisedEvent | null): Promise<Prepared> {
  if (!loaded) return { kind: 'missing', work };
  try {
    const event = await enrichEvent(ctx, work, loaded);
    if (event === 'deferred') return { kind: 'deferred' };
    return { kind: 'routed', work, event, routed: routeSpan(ctx.tracer, event, () => ctx.route(ctx.getRules(), event)) };
  } catch (err) {
    await failEvent(ctx, work, err);
    return { kind: 'failed' };
  }
}

/** Never drops an event: it is retried at the enrichment pace, staying at its last step. */
async function failEvent<R>(ctx: DispatcherContext<R>, work: ClaimedEventWork, err: unknown): Promise<void> {
  const error = errorMessage(err);
  const step = Math.min(work.attempts - 1, ctx.enrichRetrySchedule.length - 1);
  const delay = nextRetryDelayMs(step, { schedule: ctx.enrichRetrySchedule, random: ctx.random }) ?? 60_000;
  ctx.logger.error({ eventId: work.eventId, attempts: work.attempts, err: error }, 'event processing failed');
  await rescheduleEventWork(ctx.store.db, work.eventId, new Date(ctx.clock.now() + delay), error).catch(() => {
    // The lease runs out and the event comes back anyway.
  });
}

/**
 * Fetches order details when an enricher is configured. A retryable failure defers the
 * event (bounded by the enrich schedule and ENRICH_MAX_WAIT); a permanent one, or running
 * out of time, is recorded on the order and the event goes on with what the callback
 * said, saying its details are missing. A later status in the details advances the order.
 */
async function enrichEvent<R>(
  ctx: DispatcherContext<R>,
  work: ClaimedEventWork,
  event: NormalisedEvent,
): Promise<NormalisedEvent | 'deferred'> {
  if (!ctx.enrich) return event;
  const db = ctx.store.db;
  const outcome = await ctx.enrich(event);
  const now = ctx.clock.now();
  switch (outcome.kind) {
    case 'skipped':
      return event;
    case 'enriched': {
      await saveOrderDetails(db, event.orderId, outcome.details, outcome.body, new Date(now));
      await advanceFromDetails(ctx, event, outcome.details, outcome.body, new Date(now));
      return (await loadEvent(db, event.eventId)) ?? event;
    }
    case 'retry': {
      if (work.attempts === 1) warnFirstFailure(ctx, event, outcome);
      const waitedMs = now - Date.parse(event.receivedAt);
      const leftMs = ctx.enrichMaxWaitMs - waitedMs;
      const scheduled = nextRetryDelayMs(work.attempts - 1, {
        schedule: ctx.enrichRetrySchedule,
        random: ctx.random,
        retryAfterMs: outcome.retryAfterMs,
      });
      if (scheduled !== null && leftMs > 0) {
        // The last try comes at ENRICH_MAX_WAIT at the latest, so the notification is not held past it.
        const delay = Math.min(scheduled, leftMs);
        await rescheduleEventWork(db, event.eventId, new Date(now + delay), outcome.reason);
        return 'deferred';
      }
      const why = leftMs <= 0 ? `waited ${Math.round(waitedMs / 1000)} s (ENRICH_MAX_WAIT)` : `gave up after ${work.attempts} tries`;
      return goWithoutDetails(ctx, event, `${why}: ${outcome.reason}`, now);
    }
    case 'failed':
      if (work.attempts === 1) warnFirstFailure(ctx, event, outcome);
      return goWithoutDetails(ctx, event, outcome.reason, now);
  }
}

/** The first failure of an event's enrichment, at warn with its cause: silence here cost operators minutes. */
function warnFirstFailure<R>(ctx: DispatcherContext<R>, event: NormalisedEvent, outcome: Extract<EnrichOutcome, { kind: 'retry' | 'failed' }>): void {
  const fields = {
    eventId: event.eventId,
    orderId: event.orderId,
    host: outcome.host ?? null,
    status: outcome.status ?? null,
    code: outcome.code ?? null,
    reason: outcome.reason,
    willRetry: outcome.kind === 'retry',
  };
  ctx.logger.warn(fields, 'enrichment failed: GET /order did not answer with the order');
}

async function goWithoutDetails<R>(ctx: DispatcherContext<R>, event: NormalisedEvent, reason: string, now: number): Promise<NormalisedEvent> {
  ctx.logger.warn({ eventId: event.eventId, orderId: event.orderId, reason }, 'enrichment given up: notifying without order details');
  await recordEnrichError(ctx.store.db, event.orderId, reason, new Date(now));
  return { ...event, detailsMissing: reason.slice(0, 1000) };
}

/** GET /order is authoritative: a later status there than the order's becomes a reconciliation event. */
async function advanceFromDetails<R>(
  ctx: DispatcherContext<R>,
  event: NormalisedEvent,
  details: Extract<EnrichOutcome, { kind: 'enriched' }>['details'],
  body: unknown,
  at: Date,
): Promise<void> {
  if (details.status === undefined) return;
  const observed = await recordObservedStatus(ctx.store.db, {
    orderId: event.orderId,
    details: { ...details, status: details.status },
    body,
    at,
  });
  if (observed.eventId !== null) {
    ctx.logger.info({ orderId: event.orderId, eventId: observed.eventId, status: observed.status }, 'GET /order reports a later status: reconciliation event stored');
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
