/**
 * The dispatcher's spans (docs/operations.md#tracing). Its work on an event happens after the
 * callback was answered, possibly in another process, so each span starts from the trace
 * context stored with the event: `process event` (enrichment's Colt calls and `route` inside)
 * and one `deliver <channel>` per delivery attempt (the channel's own CLIENT spans inside) are
 * children of the callback's SERVER span. Without tracing each helper just runs its work.
 */
import type { NormalisedEvent } from '../event/event.js';
import { inSpan, type TraceCarrier, type Tracer } from '../lib/tracing.js';
import type { ClaimedDelivery } from '../store/deliveries.repo.js';
import type { ClaimedEventWork } from '../store/event-work.repo.js';
import type { SendResult } from './channel.js';
import type { RouteOutcome } from './dispatcher-deps.js';

/** An event's span attributes. */
const eventAttributes = (eventId: string, event: NormalisedEvent | null) => ({
  'colt_relay.event.id': eventId,
  'colt.order.id': event?.orderId || undefined,
  'colt_relay.event.type': event?.type,
});

/**
 * Processing one claimed event (enrich, route) in a `process event` span, child of the
 * event's stored trace (a new trace when it has none). `failed` and `deferred` outcomes say so.
 */
export function processEventSpan<T extends { kind: string }>(
  tracer: Tracer | undefined,
  claimed: { work: ClaimedEventWork; event: NormalisedEvent | null; trace: TraceCarrier | null },
  run: () => Promise<T>,
): Promise<T> {
  if (!tracer?.enabled) return run();
  const attributes = { ...eventAttributes(claimed.work.eventId, claimed.event), 'colt_relay.event.attempt': claimed.work.attempts };
  return inSpan(tracer, 'process event', { parent: claimed.trace, attributes }, async (span) => {
    const outcome = await run();
    span.setAttributes({ 'colt_relay.event.outcome': outcome.kind });
    if (outcome.kind === 'failed') span.fail('event processing failed; rescheduled');
    return outcome;
  });
}

/** Routing one event (pure, synchronous) in a `route` span naming the channels it chose. */
export function routeSpan(tracer: Tracer | undefined, event: NormalisedEvent, route: () => RouteOutcome): RouteOutcome {
  if (!tracer?.enabled) return route();
  const span = tracer.startSpan('route', { attributes: eventAttributes(event.eventId, event) });
  try {
    const routed = route();
    span.setAttributes({
      'colt_relay.route.deliveries': routed.deliveries.length,
      'colt_relay.route.channels': routed.deliveries.map((d) => d.channel).join(','),
      'colt_relay.route.skipped_stale': routed.skippedStale ?? false,
    });
    return routed;
  } catch (error) {
    span.fail(error instanceof Error ? error.message : String(error), error);
    throw error;
  } finally {
    span.end();
  }
}

/**
 * One delivery attempt in a `deliver <channel>` span, child of the event's stored trace; a
 * result that is not ok marks it failed with the reason.
 */
export async function deliverySpan(
  tracer: Tracer | undefined,
  claimed: ClaimedDelivery,
  event: NormalisedEvent,
  trace: TraceCarrier | null | Promise<TraceCarrier | null> | undefined,
  send: () => Promise<SendResult>,
): Promise<SendResult> {
  if (!tracer?.enabled) return send();
  const parent = (await Promise.resolve(trace).catch(() => null)) ?? null;
  const attributes = {
    ...eventAttributes(claimed.eventId, event),
    'colt_relay.channel': claimed.channel,
    'colt_relay.channel_type': claimed.channelType,
    'colt_relay.delivery.id': claimed.id,
    'colt_relay.delivery.attempt': claimed.attempts,
  };
  return inSpan(tracer, `deliver ${claimed.channel}`, { parent, attributes }, async (span) => {
    const result = await send();
    span.setAttributes({ 'colt_relay.delivery.result': result.ok ? 'ok' : result.retryable ? 'retryable' : 'permanent', 'colt_relay.delivery.code': result.code });
    if (!result.ok) span.fail(result.reason);
    return result;
  });
}

/**
 * One grouped message (many events) in a `deliver <channel> group` span: a trace of its own,
 * linked to the trace of every event it speaks for.
 */
export async function groupDeliverySpan(
  tracer: Tracer | undefined,
  group: { id: string; channel: string; channelType: string; rule: string; attempts: number },
  memberTraces: () => Promise<TraceCarrier[]>,
  send: () => Promise<SendResult>,
): Promise<SendResult> {
  if (!tracer?.enabled) return send();
  const links = await memberTraces().catch(() => []);
  const attributes = {
    'colt_relay.channel': group.channel,
    'colt_relay.channel_type': group.channelType,
    'colt_relay.group.id': group.id,
    'colt_relay.group.rule': group.rule,
    'colt_relay.group.events': links.length,
    'colt_relay.delivery.attempt': group.attempts,
  };
  return inSpan(tracer, `deliver ${group.channel} group`, { parent: null, links, attributes }, async (span) => {
    const result = await send();
    span.setAttributes({ 'colt_relay.delivery.result': result.ok ? 'ok' : result.retryable ? 'retryable' : 'permanent', 'colt_relay.delivery.code': result.code });
    if (!result.ok) span.fail(result.reason);
    return result;
  });
}
