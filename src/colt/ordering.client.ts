/**
 * Colt's ordering API (docs/colt.md#endpoints): the number inventory and the four
 * ordering POSTs, through the same client as GET /order (token, tracking header, error
 * table, retries). Colt publishes no body schemas, so bodies pass through as given once
 * they are known to be JSON objects; an ordering POST is never retried after a timeout.
 */
import type { ColtApi, ColtResult } from './colt.client.js';

/** The ordering POSTs, by the CLI's name for them. */
export const ORDERING_OPERATIONS = {
  reserve: { path: '/numberCollectionReservation', label: 'Number Reservation' },
  'cancel-reservation': { path: '/numberCollectionReservationCancellation', label: 'Number Reservation Cancellation' },
  activate: { path: '/numberCollectionActivation', label: 'Number Activation' },
  'update-address': { path: '/numberCollectionUpdateCustomerDetails', label: 'Number Address Update' },
} as const;

export type OrderingOperation = keyof typeof ORDERING_OPERATIONS;

export function isOrderingOperation(value: string): value is OrderingOperation {
  return Object.hasOwn(ORDERING_OPERATIONS, value);
}

/** A result, or the body refused before anything was sent. */
export type OrderingResult = ColtResult | { ok: false; retryable: false; reason: string; invalidBody: true };

export interface OrderingClient {
  /** `GET /numberCollection` with the given query parameters (country, numberType, status…). */
  listNumbers(params?: Record<string, string>): Promise<ColtResult>;
  /** One of the four ordering POSTs with `body` as given (a JSON object). */
  submit(operation: OrderingOperation, body: unknown): Promise<OrderingResult>;
}

/** Whether `value` is a plain JSON object (what every ordering POST takes). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The order id in an ordering answer (`orderId`, `orderID`, `id`), or null (a cancellation creates none). */
export function orderIdOf(body: unknown): string | null {
  if (!isJsonObject(body)) return null;
  for (const key of ['orderId', 'orderID', 'id']) {
    const value = body[key];
    if (typeof value === 'string' && value.trim() !== '') return value;
    if (typeof value === 'number') return String(value);
  }
  return null;
}

export function createOrderingClient(colt: Pick<ColtApi, 'call'>): OrderingClient {
  return {
    listNumbers: (params = {}) => colt.call({ method: 'GET', path: '/numberCollection', query: params }),
    async submit(operation, body) {
      const { path, label } = ORDERING_OPERATIONS[operation];
      if (!isJsonObject(body)) {
        return { ok: false, retryable: false, invalidBody: true, reason: `${label} (POST ${path}): the body must be a JSON object` };
      }
      return colt.call({ method: 'POST', path, body, creates: true });
    },
  };
}
