/**
 * Stage one of the worker: a claimed event is enriched (when configured), routed with the
 * rules in force, and its deliveries written in the transaction that retires its outbox
 * row. Writing is idempotent, so an event processed twice (lost lease) is notified once.
 */
import type { NormalisedEvent } from '../receive/event.js';
import { insertDeliveries } from '../store/deliveries.repo.js';
import { completeEventWork, rescheduleEventWork, type ClaimedEventWork } from '../store/event-work.repo.js';
import { loadEvent, markEventProcessed } from '../store/events.repo.js';
import { recordEnrichError, saveOrderDetails } from '../store/orders.repo.js';
import { nextRetryDelayMs } from './retry.js';
import type { WorkerContext } from './worker-deps.js';

/** processed: routed and retired; deferred: enrichment will be tried again; failed: an error, rescheduled. */
export type EventOutcome =
  | { kind: 'processed'; deliveriesCreated: number }
  | { kind: 'deferred' }
  | { kind: 'missing' }
  | { kind: 'failed'; error: string };

/** Processes one claimed event; never throws (errors reschedule the event with a backoff). */
export async function processEventWork<R>(ctx: WorkerContext<R>, work: ClaimedEventWork): Promise<EventOutcome> {
  try {
    return await processOrDefer(ctx, work);
  } catch (err) {
    const error = errorMessage(err);
    // Never drop an event: retry at the enrichment pace, staying at its last step.
    const step = Math.min(work.attempts - 1, ctx.enrichRetrySchedule.length - 1);
    const delay = nextRetryDelayMs(step, { schedule: ctx.enrichRetrySchedule, random: ctx.random }) ?? 60_000;
    ctx.logger.error({ eventId: work.eventId, attempts: work.attempts, err: error }, 'event processing failed');
    await rescheduleEventWork(ctx.store.db, work.eventId, new Date(ctx.clock.now() + delay), error).catch(() => {
      // The lease runs out and the event comes back anyway.
    });
    return { kind: 'failed', error };
  }
}

async function processOrDefer<R>(ctx: WorkerContext<R>, work: ClaimedEventWork): Promise<EventOutcome> {
  const db = ctx.store.db;
  const loaded = await loadEvent(db, work.eventId);
  if (!loaded) {
    await completeEventWork(db, work.eventId);
    return { kind: 'missing' };
  }
  const event = await enrichEvent(ctx, work, loaded);
  if (event === 'deferred') return { kind: 'deferred' };
  const routed = ctx.route(ctx.getRules(), event);
  const now = new Date(ctx.clock.now());
  const created = await db.transaction(async (tx) => {
    const ids = await insertDeliveries(
      tx,
      routed.deliveries.map((d) => ({
        eventId: event.eventId,
        orderId: event.orderId,
        channel: d.channel,
        channelType: d.channelType,
        rules: d.rules,
      })),
      now,
    );
    await markEventProcessed(tx, event.eventId, now);
    await completeEventWork(tx, event.eventId);
    return ids.length;
  });
  ctx.logger.debug(
    { eventId: event.eventId, deliveries: created, skippedStale: routed.skippedStale ?? false },
    'event routed',
  );
  return { kind: 'processed', deliveriesCreated: created };
}

/**
 * Fetches order details when an enricher is configured. A retryable failure defers the
 * event (bounded by the enrich schedule); a permanent one, or running out of tries, is
 * recorded on the order and the event goes on with what the callback said.
 */
async function enrichEvent<R>(
  ctx: WorkerContext<R>,
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
    case 'enriched':
      await saveOrderDetails(db, event.orderId, outcome.details, outcome.body, new Date(now));
      return (await loadEvent(db, event.eventId)) ?? event;
    case 'retry': {
      const delay = nextRetryDelayMs(work.attempts - 1, {
        schedule: ctx.enrichRetrySchedule,
        random: ctx.random,
        retryAfterMs: outcome.retryAfterMs,
      });
      if (delay !== null) {
        await rescheduleEventWork(db, event.eventId, new Date(now + delay), outcome.reason);
        return 'deferred';
      }
      const reason = `gave up after ${work.attempts} tries: ${outcome.reason}`;
      ctx.logger.warn({ eventId: event.eventId, orderId: event.orderId, reason }, 'enrichment exhausted');
      await recordEnrichError(db, event.orderId, reason, new Date(now));
      return event;
    }
    case 'failed':
      ctx.logger.warn({ eventId: event.eventId, orderId: event.orderId, reason: outcome.reason }, 'enrichment failed');
      await recordEnrichError(db, event.orderId, outcome.reason, new Date(now));
      return event;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
