/**
 * Callback → normalised event (docs/design.md#normalised-event). Colt's callback body is unpublished, so
 * this accepts a TMF event envelope and a flat Colt-style object, and never trusts a
 * field's type: anything unexpected is ignored, never thrown on.
 */
import type { CallbackFields, NormalisedEvent } from '../event/event.js';
import { reportedEventType } from '../event/event.js';
import { collectObjects } from '../lib/json-walk.js';
import { extractNumberRanges } from '../colt/order-numbers.js';
import { eventFailure } from '../colt/failure-reason.js';
import { storableText } from './storable-text.js';
import { mapNumberType, mapOrderType, mapStatus } from '../event/vocabulary.js';

/** The fields of one callback, before it is stored: defined with the event, re-exported for the receive path. */
export type { CallbackFields } from '../event/event.js';

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An own property, never one inherited through a `__proto__` key. */
export function own(obj: unknown, key: string): unknown {
  return isObject(obj) && Object.hasOwn(obj, key) ? obj[key] : undefined;
}

function path(obj: unknown, keys: string[]): unknown {
  return keys.reduce<unknown>((value, key) => own(value, key), obj);
}

/** A non-empty string, or a finite number as a string; otherwise null. */
function asId(value: unknown): string | null {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function firstString(obj: unknown, keys: string[]): string | null {
  for (const key of keys) {
    const value = asId(own(obj, key));
    if (value !== null) return value;
  }
  return null;
}

/** The object that describes the order: the TMF event's order, else the flat body. */
export function orderObject(body: JsonObject): JsonObject {
  const event = own(body, 'event');
  for (const key of ['productOrder', 'serviceOrder', 'order']) {
    const order = own(event, key);
    if (isObject(order)) return order;
  }
  return body;
}

/** True for a TMF envelope, whose top-level `id` is the event's, not the order's. */
function isEnvelope(body: JsonObject): boolean {
  return isObject(own(body, 'event'));
}

/** Order id from `orderId`, `orderID`, the TMF order's `id`, or a flat body's `id`. */
export function extractOrderId(body: JsonObject): string | null {
  const direct = firstString(body, ['orderId', 'orderID', 'order_id']);
  if (direct) return direct;
  for (const key of ['productOrder', 'serviceOrder', 'order']) {
    const id = asId(path(body, ['event', key, 'id']));
    if (id) return id;
  }
  return isEnvelope(body) ? null : asId(own(body, 'id'));
}

/** The sender's event id: `eventId`, or a TMF envelope's `id`. */
export function extractEventId(body: JsonObject): string | null {
  return asId(own(body, 'eventId')) ?? (isEnvelope(body) ? asId(own(body, 'id')) : null);
}

const STATUS_KEYS = ['orderStatus', 'status', 'state'];
const TIME_KEYS = ['eventTime', 'timeOccurred', 'timeOcurred', 'occurredAt', 'timestamp', 'statusChangeDate'];
const CUSTOMER_KEYS = ['customerRef', 'customerReference', 'endCustomerReference', 'externalId', 'customerOrderReference'];

function extractTime(body: JsonObject, order: JsonObject): string | null {
  for (const source of [body, order]) {
    const raw = firstString(source, TIME_KEYS);
    if (raw !== null) {
      const ms = Date.parse(raw);
      if (Number.isFinite(ms)) return new Date(ms).toISOString();
    }
  }
  return null;
}

/** The fields, or why none can be taken (`message`: the 400's message, when not the receiver's "no order" one). */
export type ExtractResult = { ok: true; fields: CallbackFields } | { ok: false; issues: { path: string; message: string }[]; message?: string };

/** `text` made storable, or null. */
const storableOrNull = (text: string | null) => (text === null ? null : storableText(text));

/**
 * Pulls the docs/design.md#normalised-event fields out of a parsed callback body. Every text is made storable (NUL
 * and unpaired surrogates become U+FFFD, as in the payload's jsonb copy): a field the
 * store would refuse must not cost the callback, or the batch it is written with.
 */
export function extractCallbackFields(body: JsonObject): ExtractResult {
  const orderId = storableOrNull(extractOrderId(body));
  if (orderId === null) {
    return {
      ok: false,
      issues: [
        {
          path: 'orderId',
          message: 'no order id: expected orderId, orderID, id, or event.productOrder.id / event.serviceOrder.id / event.order.id',
        },
      ],
    };
  }
  const order = orderObject(body);
  const rawStatus = firstString(order, STATUS_KEYS) ?? firstString(body, STATUS_KEYS);
  const rawType = firstString(order, ['orderType', 'orderCategory', 'category']) ?? firstString(body, ['orderType']);
  const rawNumberType = firstString(order, ['numberType', 'productType']) ?? firstString(body, ['numberType']);
  const customerRef = firstString(order, CUSTOMER_KEYS) ?? firstString(body, CUSTOMER_KEYS) ?? asId(path(order, ['customer', 'reference']));
  return {
    ok: true,
    fields: {
      orderId,
      status: mapStatus(rawStatus),
      rawStatus: storableOrNull(rawStatus),
      orderType: mapOrderType(rawType),
      numberType: mapNumberType(rawNumberType),
      customerRef: storableOrNull(customerRef),
      numbers: extractNumberRanges(collectObjects(order)).map((n) => ({
        start: storableText(n.start),
        end: storableText(n.end),
        country: storableOrNull(n.country),
      })),
      occurredAt: extractTime(body, order),
    },
  };
}

export interface NormaliseContext {
  eventId: string;
  receivedAt: Date;
  stale?: boolean;
}

/** The whole docs/design.md#normalised-event event of a callback, before enrichment (`order` is null). */
export function normaliseCallback(body: JsonObject, ctx: NormaliseContext): ExtractResult & { event?: NormalisedEvent } {
  const result = extractCallbackFields(body);
  if (!result.ok) return result;
  const { occurredAt, source = 'callback', ...fields } = result.fields;
  const receivedAt = ctx.receivedAt.toISOString();
  return {
    ...result,
    event: {
      eventId: ctx.eventId,
      type: reportedEventType(source, fields.status, fields.rawStatus),
      source,
      ...fields,
      occurredAt: occurredAt ?? receivedAt,
      receivedAt,
      stale: ctx.stale ?? false,
      order: null,
      detailsMissing: null,
      failure: eventFailure({ type: null, source, status: fields.status, payload: body, details: null }),
      payload: body,
    },
  };
}
