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

const STATUS_WORDS: Record<string, EventStatus> = {
  raised: 'raised',
  acknowledged: 'raised',
  submitted: 'raised',
  created: 'raised',
  pending: 'in_progress',
  inprogress: 'in_progress',
  held: 'in_progress',
  completed: 'completed',
  complete: 'completed',
  success: 'completed',
  successful: 'completed',
  failed: 'failed',
  failure: 'failed',
  rejected: 'failed',
  error: 'failed',
  cancelled: 'cancelled',
  canceled: 'cancelled',
};

export function mapStatus(raw: string | null): EventStatus {
  if (raw === null) return 'unknown';
  return STATUS_WORDS[vocabularyKey(raw)] ?? 'unknown';
}

/** Order types by keyword, most specific first ("Reservation Cancellation" is not a reservation). */
const ORDER_TYPE_KEYWORDS: [RegExp, OrderType][] = [
  // Not an order type Colt lists for IN numbers, and not an activation.
  [/deactiv|cease|disconnect/, 'unknown'],
  [/cancel/, 'reservation_cancellation'],
  [/activ/, 'activation'],
  [/address|customerdetails|updatecustomer/, 'address_update'],
  [/reserv/, 'reservation'],
];

/** A non-empty string as written, else null: these fields come from untrusted JSON. */
function text(raw: unknown): string | null {
  return typeof raw === 'string' && raw.trim() !== '' ? raw : null;
}

/**
 * "Number Reservation" → reservation, "Reservation Cancellation" → reservation_cancellation,
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

/** "IN Geo", "Freephone", "shared_cost" → the §4.2 number type. */
export function mapNumberType(raw: unknown): NumberType {
  const value = text(raw);
  if (value === null) return 'unknown';
  const key = vocabularyKey(value).replace(/^in(?=[a-z])/, '').replace(/numbers?$/, '');
  return NUMBER_TYPE_WORDS[key] ?? 'unknown';
}
