/**
 * Colt publishes no status or type vocabulary for callbacks, so every mapping here is
 * tolerant: case, spaces, underscores and hyphens are ignored, unknown words map to
 * 'unknown' and the raw word is kept beside the mapped one.
 */
import type { EventStatus, NumberType, OrderType } from './event.js';

/** "In Progress", "in_progress", "IN-PROGRESS" → "inprogress". */
export function vocabularyKey(raw: string): string {
  return raw.toLowerCase().replace(/[\s_\-.]/g, '');
}

/**
 * Status words: Colt-style and the TMF622 order states (docs/colt.md#what-colt-publishes). TMF mapping:
 * draft and acknowledged are a raised order; pending, held, inProgress and the two
 * cancellation-in-flight states (assessingCancellation, pendingCancellation) are still
 * in progress, since the order may yet complete; partial is final but not everything was
 * done, so it reads as failed (someone has to act; rawStatus keeps "partial").
 */
const STATUS_WORDS: Record<string, EventStatus> = {
  raised: 'raised',
  acknowledged: 'raised',
  submitted: 'raised',
  created: 'raised',
  draft: 'raised',
  new: 'raised',
  received: 'raised',
  accepted: 'raised',
  pending: 'in_progress',
  inprogress: 'in_progress',
  processing: 'in_progress',
  held: 'in_progress',
  onhold: 'in_progress',
  assessingcancellation: 'in_progress',
  pendingcancellation: 'in_progress',
  completed: 'completed',
  complete: 'completed',
  success: 'completed',
  successful: 'completed',
  done: 'completed',
  failed: 'failed',
  failure: 'failed',
  rejected: 'failed',
  error: 'failed',
  partial: 'failed',
  partiallycompleted: 'failed',
  cancelled: 'cancelled',
  canceled: 'cancelled',
};

/** Words around a status that carry no status of their own ("Order Completed", "Status: Raised"). */
const FILLER_WORDS = new Set(['order', 'orders', 'status', 'state', 'is', 'has', 'been', 'the', 'successfully', 'number', 'request']);

/** "Order Completed" → ["order", "completed"]; "inProgress" → ["in", "progress"] is avoided by trying the whole key first. */
function words(raw: string): string[] {
  return raw
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter(Boolean);
}

/**
 * The docs/design.md#normalised-event status of a word as sent. Tolerates case, separators and surrounding words:
 * the whole text is tried first, then without filler words ("Order Raised" → raised,
 * "Completed successfully" → completed); anything else is 'unknown'.
 */
export function mapStatus(raw: string | null): EventStatus {
  if (raw === null) return 'unknown';
  const whole = STATUS_WORDS[vocabularyKey(raw)];
  if (whole) return whole;
  const meaningful = words(raw).filter((w) => !FILLER_WORDS.has(w));
  return STATUS_WORDS[meaningful.join('')] ?? 'unknown';
}

/** Order types by keyword, most specific first ("Reservation Cancellation" is not a reservation). */
const ORDER_TYPE_KEYWORDS: [RegExp, OrderType][] = [
  // Not an order type Colt lists for IN numbers, and not an activation.
  [/deactiv|cease|disconnect/, 'unknown'],
  [/reserv\w*cancel|cancel\w*reserv/, 'reservation_cancellation'],
  // Cancelling an activation or an update is not one of Colt's four order types.
  [/cancel/, 'unknown'],
  [/activ/, 'activation'],
  [/address|customerdetails|updatecustomer/, 'address_update'],
  [/reserv/, 'reservation'],
];

/** A non-empty string as written, else null: these fields come from untrusted JSON. */
function text(raw: unknown): string | null {
  return typeof raw === 'string' && raw.trim() !== '' ? raw : null;
}

/**
 * "Number Reservation" → reservation, "Reservation Cancellation" → reservation_cancellation
 * (but "Cancel Activation" → unknown),
 * "Number Activation" → activation, "Number Address Update"/"Update Customer Details" →
 * address_update (the API's endpoint names work too); anything else → unknown.
 */
export function mapOrderType(raw: unknown): OrderType {
  const value = text(raw);
  if (value === null) return 'unknown';
  const key = vocabularyKey(value);
  for (const [pattern, type] of ORDER_TYPE_KEYWORDS) if (pattern.test(key)) return type;
  return 'unknown';
}

const NUMBER_TYPE_WORDS: Record<string, NumberType> = {
  geo: 'geo',
  geographic: 'geo',
  geographical: 'geo',
  freephone: 'freephone',
  tollfree: 'freephone',
  sharedcost: 'shared_cost',
  fullrate: 'full_rate',
  nationalrate: 'national_rate',
};

/** "IN Geo", "Freephone", "shared_cost" → the docs/design.md#normalised-event number type. */
export function mapNumberType(raw: unknown): NumberType {
  const value = text(raw);
  if (value === null) return 'unknown';
  const key = vocabularyKey(value).replace(/^in(?=[a-z])/, '').replace(/numbers?$/, '');
  return NUMBER_TYPE_WORDS[key] ?? 'unknown';
}
