/**
 * The normalised event (docs/design.md#normalised-event): the names rules, templates and webhooks see.
 * Changing a name here breaks users' rules files and downstream systems.
 */
import { TICKET_STATUSES, normaliseTicketStatus } from './ticket-status.js';

export const EVENT_STATUSES = ['raised', 'in_progress', 'completed', 'failed', 'cancelled', 'unknown'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

export const ORDER_TYPES = [
  'reservation',
  'reservation_cancellation',
  'activation',
  'address_update',
  'unknown',
] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

export const NUMBER_TYPES = ['geo', 'freephone', 'shared_cost', 'full_rate', 'national_rate', 'unknown'] as const;
export type NumberType = (typeof NUMBER_TYPES)[number];

/**
 * Who told us (docs/design.md#event-types): Colt called us, we asked Colt (docs/design.md#reconciliation), a trouble ticket
 * (docs/design.md#trouble-tickets), or the relay itself (`relay.channel_disabled`, docs/design.md#circuit-breaker).
 */
export const EVENT_SOURCES = ['callback', 'reconciliation', 'ticket', 'relay'] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];

/**
 * The type of an event stored from what Colt said (docs/design.md#event-types): `ticket.<status>` for a ticket
 * notification, `order.<status>` for order state. Other kinds of event name themselves
 * (`order.overdue`…).
 */
export function reportedEventType(source: EventSource, status: EventStatus, rawStatus: string | null): string {
  return source === 'ticket' ? `ticket.${normaliseTicketStatus(rawStatus)}` : `order.${status}`;
}

/** The type of the event an open order yields past its SLA (docs/design.md#reconciliation). */
export const ORDER_OVERDUE_TYPE = 'order.overdue';

/**
 * The type of the event the relay routes when a channel is disabled: by the circuit breaker
 * (docs/design.md#circuit-breaker), by a webhook answering 410, or by an operator.
 */
export const CHANNEL_DISABLED_TYPE = 'relay.channel_disabled';

/** The type of the event the relay routes when an operator enables a disabled channel again. */
export const CHANNEL_ENABLED_TYPE = 'relay.channel_enabled';

/** The relay's own event types (`source: relay`): about a channel, not an order. */
export const RELAY_EVENT_TYPES = [CHANNEL_DISABLED_TYPE, CHANNEL_ENABLED_TYPE] as const;

/**
 * Every event type a rule can meet (docs/design.md#event-types), for `rules check` and suggestions:
 * `order.<status>`, `order.overdue`, `ticket.<status>` and the relay's own.
 */
export function knownEventTypes(): string[] {
  return [
    ...EVENT_STATUSES.map((s) => `order.${s}`),
    ORDER_OVERDUE_TYPE,
    ...TICKET_STATUSES.map((s) => `ticket.${s}`),
    ...RELAY_EVENT_TYPES,
  ];
}

/** Where an event's failure reason was found: the callback itself, or the order's details (GET /order). */
export const FAILURE_SOURCES = ['callback', 'order'] as const;
export type FailureSource = (typeof FAILURE_SOURCES)[number];

/**
 * Why Colt says an order failed (or was cancelled), as far as it said: a code, a short
 * reason, a longer message (docs/design.md#failure-reason). Each part is absent when Colt
 * gave none; at least one is present.
 */
export interface EventFailure {
  code?: string;
  reason?: string;
  message?: string;
  source: FailureSource;
}

/** `E-4021 · Address validation failed` (the message stands in for a missing reason). */
export function failureLine(failure: Pick<EventFailure, 'code' | 'reason' | 'message'>): string {
  return [failure.code, failure.reason ?? failure.message].filter(Boolean).join(' · ');
}

/** An inclusive range of E.164 numbers; a single number has start === end. */
export interface NumberRange {
  start: string;
  end: string;
  /** ISO 3166-1 alpha-2 when known. */
  country: string | null;
}

/** "+3338250010–+3338250019" or a single number; ranges separated by commas. */
export function formatNumbers(numbers: NumberRange[]): string {
  return numbers.map((n) => (n.start === n.end ? n.start : `${n.start}–${n.end}`)).join(', ');
}

/** The docs/design.md#normalised-event fields of one callback as the receiver extracted them: what the store ingests. */
export interface CallbackFields {
  orderId: string;
  status: EventStatus;
  rawStatus: string | null;
  orderType: OrderType;
  numberType: NumberType;
  customerRef: string | null;
  numbers: NumberRange[];
  /** ISO time the callback says the change happened, or null. */
  occurredAt: string | null;
  /** Who told us. @default "callback" */
  source?: EventSource;
}

export interface NormalisedEvent {
  /** Our id of the stored callback. */
  eventId: string;
  /** `order.<status>`, `order.overdue`… (docs/design.md#event-types): a webhook's `type` is this. */
  type: string;
  /** `callback`, `reconciliation` or `ticket` (docs/design.md#event-types). */
  source: EventSource;
  orderId: string;
  status: EventStatus;
  /** The status string exactly as sent, or null when the callback carried none. */
  rawStatus: string | null;
  orderType: OrderType;
  /** ISO 8601. The callback's own time when it has one, else the receive time. */
  occurredAt: string;
  /** ISO 8601. */
  receivedAt: string;
  numbers: NumberRange[];
  numberType: NumberType;
  customerRef: string | null;
  /** True when the order had already reached a later status when this arrived. */
  stale: boolean;
  /** Order details from GET /order/{orderId}, or null. */
  order: Record<string, unknown> | null;
  /**
   * Why the order's details are missing when they were wanted and enrichment gave up
   * (Colt unreachable past ENRICH_MAX_WAIT, order unknown to Colt…); null otherwise.
   */
  detailsMissing: string | null;
  /**
   * Why the order failed or was cancelled, from the callback, else from the order's details
   * (re-read whenever the event is loaded, so details fetched later fill it); null for other
   * statuses and when Colt said nothing usable.
   */
  failure: EventFailure | null;
  /** The callback as received (parsed). */
  payload: unknown;
}

/**
 * Status ranks for monotonic order state: raised → in_progress → terminal.
 * The terminal states share a rank, so one terminal state never replaces another.
 */
export const STATUS_RANK: Record<EventStatus, number> = {
  unknown: -1,
  raised: 0,
  in_progress: 1,
  completed: 2,
  failed: 2,
  cancelled: 2,
};

export function isTerminal(status: EventStatus): boolean {
  return STATUS_RANK[status] === 2;
}
