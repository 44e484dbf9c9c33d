/**
 * The JSON shapes of the admin API, as zod schemas: the OpenAPI document is generated
 * from these, so the document and the answers cannot drift apart.
 */
import { z } from '@hono/zod-openapi';
import { ERROR_STATUS } from '../errors.js';
import { EVENT_SOURCES, EVENT_STATUSES, FAILURE_SOURCES, NUMBER_TYPES, ORDER_TYPES } from '../../event/event.js';

const isoTime = z.string().openapi({ format: 'date-time', example: '2026-11-26T10:15:00.000Z' });
const nullableTime = isoTime.nullable();
const uuid = z.string().openapi({ format: 'uuid' });

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_STATUS) as [keyof typeof ERROR_STATUS, ...(keyof typeof ERROR_STATUS)[]]),
      message: z.string(),
      issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi('Error', { description: 'Every error answer has this shape.' });

export const NumberRangeSchema = z
  .object({ start: z.string(), end: z.string(), country: z.string().nullable() })
  .openapi('NumberRange', { description: 'An inclusive E.164 range; one number has start = end.' });

export const EventSummarySchema = z
  .object({
    id: uuid,
    dedupeKey: z.string(),
    orderId: z.string(),
    status: z.string().openapi({ example: 'completed' }),
    rawStatus: z.string().nullable(),
    orderType: z.string(),
    numberType: z.string(),
    customerRef: z.string().nullable(),
    numbers: z.array(NumberRangeSchema),
    occurredAt: isoTime,
    receivedAt: isoTime,
    remoteAddr: z.string().nullable(),
    stale: z.boolean(),
    state: z.string().openapi({ description: 'received, then processed (enriched and routed)' }),
    source: z.string().openapi({ description: EVENT_SOURCES.join(', ') }),
    type: z.string().openapi({
      example: 'order.failed',
      description: 'order.<status>, order.overdue, ticket.<status>, relay.channel_disabled or relay.channel_enabled (docs/design.md#event-types).',
    }),
    processedAt: nullableTime,
    traceContext: z
      .object({ traceparent: z.string(), tracestate: z.string().optional() })
      .nullable()
      .openapi({
        example: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
        description: "The W3C trace context of the callback's request when tracing was on (its trace id is the second field); null otherwise (docs/operations.md#tracing).",
      }),
  })
  .openapi('EventSummary');

export const EventSchema = EventSummarySchema.extend({
  rawBody: z.string().openapi({ description: 'The body exactly as received.' }),
  payload: z.unknown().openapi({ description: 'The body parsed (jsonb).' }),
  headers: z.record(z.string(), z.string()).openapi({ description: 'Request headers, credentials removed.' }),
}).openapi('Event');

export const FailureSchema = z
  .object({
    code: z.string().optional().openapi({ example: 'E-4021' }),
    reason: z.string().optional().openapi({ example: 'Address validation failed' }),
    message: z.string().optional().openapi({ example: 'Emergency address could not be validated for +442079460000' }),
    source: z.enum(FAILURE_SOURCES).openapi({ description: 'callback: the callback said it; order: the order details (GET /order) did.' }),
  })
  .openapi('Failure', { description: "Why Colt says the order failed or was cancelled; each part only when Colt gave it." });

export const NormalisedEventSchema = z
  .object({
    eventId: z.string(),
    type: z.string().openapi({ example: 'order.completed', description: 'order.<status>, order.overdue, ticket.<status>… (docs/design.md#event-types)' }),
    source: z.enum(EVENT_SOURCES),
    orderId: z.string(),
    status: z.enum(EVENT_STATUSES),
    rawStatus: z.string().nullable(),
    orderType: z.enum(ORDER_TYPES),
    occurredAt: isoTime,
    receivedAt: isoTime,
    numbers: z.array(NumberRangeSchema),
    numberType: z.enum(NUMBER_TYPES),
    customerRef: z.string().nullable(),
    stale: z.boolean(),
    order: z.record(z.string(), z.unknown()).nullable(),
    detailsMissing: z.string().nullable().openapi({ description: 'Why order details are missing when enrichment gave up.' }),
    failure: FailureSchema.nullable().openapi({ description: 'Set on order.failed and order.cancelled events when Colt said why.' }),
    payload: z.unknown(),
  })
  .openapi('NormalisedEvent', { description: 'The event as rules, templates and webhooks see it (docs/design.md#normalised-event).' });

export const AttemptSchema = z
  .object({
    id: z.number().int(),
    deliveryId: uuid,
    attempt: z.number().int(),
    startedAt: isoTime,
    durationMs: z.number().int(),
    outcome: z.string().openapi({ description: 'delivered, retry, failed, dead or suppressed' }),
    code: z.string().nullable(),
    error: z.string().nullable(),
    response: z.string().nullable().openapi({ description: "Start of the peer's answer, at most 4 KiB." }),
  })
  .openapi('Attempt');

const deliveryFields = {
  id: uuid,
  eventId: uuid,
  orderId: z.string(),
  channel: z.string(),
  channelType: z.string(),
  rules: z.array(z.string()),
  generation: z.number().int().openapi({ description: '0 for the first routing, n for the nth replay.' }),
  status: z.string().openapi({ description: 'pending, grouped (waiting in its group), sending, delivered, retrying, dead or suppressed' }),
  groupId: uuid.nullable().openapi({ description: 'The delivery group (docs/design.md#grouping) it waits in or went out with, if its rule groups.' }),
  nextAttemptAt: isoTime,
  leaseUntil: nullableTime,
  lastError: z.string().nullable(),
  lastCode: z.string().nullable(),
  createdAt: isoTime,
  updatedAt: isoTime,
  deliveredAt: nullableTime,
  silenceId: uuid.nullable().openapi({ description: 'The silence that suppressed it (GET /api/silences), if one did.' }),
};

export const DeliverySchema = z
  .object({ ...deliveryFields, attempts: z.number().int().openapi({ description: 'Tries so far.' }) })
  .openapi('Delivery');

export const DeliveryGroupSchema = z
  .object({
    id: uuid,
    rule: z.string(),
    status: z.string().openapi({ description: 'open (accepting members), sending, retrying, delivered, dead or suppressed' }),
    byValues: z.record(z.string(), z.string().nullable()).openapi({ description: "The rule's group.by fields and this group's values." }),
    dueAt: isoTime.openapi({ description: 'When the group goes out (open) or is tried again (retrying).' }),
    sentAt: nullableTime.openapi({ description: 'Its last send attempt.' }),
    attempts: z.number().int(),
    members: z.number().int().openapi({ description: 'Deliveries in the group.' }),
  })
  .openapi('DeliveryGroup');

export const DeliveryWithAttemptsSchema = z
  .object({
    ...deliveryFields,
    attemptCount: z.number().int(),
    attempts: z.array(AttemptSchema),
    group: DeliveryGroupSchema.nullable().optional().openapi({ description: 'GET /api/deliveries/{id}: its group, when it has one.' }),
  })
  .openapi('DeliveryWithAttempts', { description: 'A delivery with its attempt log; `attemptCount` is the number of tries.' });

export const OrderSchema = z
  .object({
    orderId: z.string(),
    status: z.string(),
    statusRank: z.number().int(),
    orderType: z.string(),
    numberType: z.string(),
    numbers: z.array(NumberRangeSchema),
    customerRef: z.string().nullable(),
    details: z.unknown().openapi({ description: 'The body of GET /order/{orderId}, or null.' }),
    detailsFetchedAt: nullableTime,
    enrichError: z.string().nullable(),
    firstSeenAt: isoTime,
    updatedAt: isoTime,
    lastEventId: z.string().nullable(),
    statusSource: z.string().openapi({ description: 'callback or reconciliation: who set the current status.' }),
    reconcileBaseAt: nullableTime.openapi({ description: 'RECONCILE_AFTER counts from here.' }),
    reconcileChecks: z.number().int(),
    lastReconciledAt: nullableTime,
    lastReconcileResult: z.string().nullable(),
    overdueAt: nullableTime.openapi({ description: 'When its order.overdue event was written.' }),
    ticketId: z.string().nullable().openapi({ description: 'The Colt trouble ticket (TMF621) a colt-ticket channel opened for this order.' }),
    ticketStatus: z.string().nullable().openapi({ description: "The ticket's last known status as Colt spells it (inProgress, resolved…)." }),
    ticketUpdatedAt: nullableTime,
  })
  .openapi('Order');

export const EnrichmentPendingSchema = z
  .object({
    state: z.literal('pending'),
    eventId: uuid,
    attempt: z.number().int(),
    nextAt: isoTime,
    lastError: z.string().nullable(),
  })
  .nullable()
  .openapi('EnrichmentPending', { description: 'Set while an event waits for its order details: attempt n, next try, last error.' });

export const RejectedSchema = z
  .object({
    id: z.number().int(),
    remoteAddr: z.string().nullable(),
    reason: z.string(),
    count: z.number().int().openapi({ description: 'Requests refused from this address for this reason.' }),
    firstSeenAt: isoTime,
    lastSeenAt: isoTime,
    statusCode: z.number().int().openapi({ description: 'The answer to the latest of them (the sample).' }),
    message: z.string(),
    path: z.string(),
    contentType: z.string().nullable(),
    bodyExcerpt: z.string().nullable(),
    bodyBytes: z.number().int().nullable(),
  })
  .openapi('RejectedCallback');

/** `{ items, nextCursor }` of one list. */
export function pageOf<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({
      items: z.array(item),
      nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last.' }),
    })
    .openapi(name);
}

export const EventDetailSchema = z
  .object({
    event: EventSchema,
    normalised: NormalisedEventSchema,
    deliveries: z.array(DeliveryWithAttemptsSchema),
    enrichment: EnrichmentPendingSchema,
  })
  .openapi('EventDetail');

export const OrderTimelineSchema = z
  .object({
    order: OrderSchema,
    failure: FailureSchema.nullable().openapi({ description: 'Why the order failed or was cancelled, from its final event, else its details.' }),
    events: z.array(EventSummarySchema),
    deliveries: z.array(DeliveryWithAttemptsSchema),
    enrichment: EnrichmentPendingSchema,
  })
  .openapi('OrderTimeline');

export const ReplaySchema = z
  .object({
    eventId: uuid,
    generation: z.number().int(),
    replay: z.literal(true),
    deliveryIds: z.array(uuid),
    skippedStale: z.boolean().openapi({ description: 'The event is stale and no rule asked for stale events.' }),
  })
  .openapi('ReplayResult');

export const OpenOrderSchema = z
  .object({
    orderId: z.string(),
    status: z.string(),
    orderType: z.string(),
    firstSeenAt: isoTime,
    reconcileBaseAt: nullableTime.openapi({ description: 'RECONCILE_AFTER counts from here.' }),
    reconcileChecks: z.number().int(),
    lastReconciledAt: nullableTime,
    lastReconcileResult: z.string().nullable(),
    overdueAt: nullableTime.openapi({ description: 'When its order.overdue event was written.' }),
    ageMs: z.number().int().openapi({ description: 'Milliseconds since first seen.' }),
    slaMs: z.number().int().openapi({ description: 'ORDER_SLA of its type, in milliseconds.' }),
    overdue: z.boolean().openapi({ description: 'Past its SLA, or already reported overdue.' }),
    nextCheckAt: nullableTime.openapi({ description: 'Next GET /order check; null when RECONCILE is off or the order waits for its next event.' }),
  })
  .openapi('OpenOrder', { description: 'An order not yet completed, failed or cancelled, against its SLA.' });
