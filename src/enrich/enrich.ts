/**
 * Enrichment: decide whether a callback needs the order from `GET /order/{orderId}`,
 * fetch it, and fold the details into the event. Pure apart from the client call;
 * the dispatcher owns scheduling and storage.
 */
import type { ColtClient } from '../colt/colt.client.js';
import type { OrderDetails } from '../colt/order-details.js';
import { extractOrderDetails } from '../colt/order-details.js';
import type { NormalisedEvent } from '../event/event.js';
import { ORDER_OVERDUE_TYPE, isTerminal } from '../event/event.js';

export const ENRICH_MODES = ['missing', 'always', 'never'] as const;
/** ENRICH: `missing` fetches when the callback is thin or final, `always` for every event, `never` not at all. */
export type EnrichMode = (typeof ENRICH_MODES)[number];

export function isEnrichMode(value: unknown): value is EnrichMode {
  return typeof value === 'string' && (ENRICH_MODES as readonly string[]).includes(value);
}

/**
 * Waits before each enrichment retry, in seconds: five retries over ≈ 10 minutes, after
 * the client's own quick retries. Then the event goes on without order details.
 */
export const ENRICH_RETRY_SCHEDULE_S: readonly number[] = [10, 30, 60, 180, 300];

/**
 * Delay before the next enrichment try, or null when the schedule is exhausted.
 * A Retry-After from Colt wins when it asks for longer.
 * @param retriesDone retries already made (0 before the first retry)
 */
export function enrichRetryDelayMs(retriesDone: number, retryAfterMs?: number): number | null {
  const scheduled = ENRICH_RETRY_SCHEDULE_S[retriesDone];
  if (scheduled === undefined) return null;
  return Math.max(scheduled * 1000, retryAfterMs ?? 0);
}

/** Where a failure came from, for the operator: Colt's host, HTTP status and error code. */
export interface EnrichFailureCause {
  host?: string;
  status?: number;
  code?: string;
}

export type EnrichOutcome =
  | { kind: 'skipped' }
  | { kind: 'enriched'; details: OrderDetails; body: unknown }
  | ({ kind: 'retry'; reason: string; retryAfterMs?: number } & EnrichFailureCause)
  | ({ kind: 'failed'; reason: string } & EnrichFailureCause);

/**
 * Whether to fetch the order. With `missing`: when the callback lacks numbers, a known
 * order type or number type, or a customer reference, or when its status is terminal
 * (the final state is worth confirming).
 */
export function needsEnrichment(mode: EnrichMode, event: NormalisedEvent): boolean {
  if (mode === 'never' || event.orderId.trim() === '') return false;
  // Reconciliation events come from GET /order itself; order.overdue is about time, not details.
  if (event.source !== 'callback' || event.type === ORDER_OVERDUE_TYPE) return false;
  if (mode === 'always') return true;
  return (
    event.numbers.length === 0 ||
    event.orderType === 'unknown' ||
    event.numberType === 'unknown' ||
    event.customerRef === null ||
    isTerminal(event.status)
  );
}

/**
 * Fetches and reads the order when `needsEnrichment` says so. Never throws: a
 * retryable client failure gives `retry`, a permanent one (404, 403…) gives `failed`.
 * `client` is null when Colt credentials are not configured.
 */
export async function enrichEvent(client: ColtClient | null, mode: EnrichMode, event: NormalisedEvent): Promise<EnrichOutcome> {
  if (client === null || !needsEnrichment(mode, event)) return { kind: 'skipped' };
  let result: Awaited<ReturnType<ColtClient['getOrder']>>;
  try {
    result = await client.getOrder(event.orderId);
  } catch (error) {
    return { kind: 'retry', reason: `GET /order: ${error instanceof Error ? error.message : 'unexpected error'}` };
  }
  if (result.ok) return { kind: 'enriched', details: extractOrderDetails(result.body), body: result.body };
  const cause: EnrichFailureCause = {
    ...(result.host !== undefined && { host: result.host }),
    ...(result.status !== undefined && { status: result.status }),
    ...(result.code !== undefined && { code: result.code }),
  };
  if (!result.retryable) return { kind: 'failed', reason: result.reason, ...cause };
  return { kind: 'retry', reason: result.reason, ...cause, ...(result.retryAfterMs !== undefined && { retryAfterMs: result.retryAfterMs }) };
}

function asOrderRecord(body: unknown): Record<string, unknown> {
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : { value: body };
}

/**
 * The event with the order's details folded in: the order wins for orderType, numbers,
 * numberType and customerRef where it knows them; `order` becomes the body (a non-object
 * body is wrapped as `{ value }`). The status stays the callback's: monotonic order
 * status is handled by the store.
 */
export function mergeOrderDetails(event: NormalisedEvent, details: OrderDetails, body: unknown): NormalisedEvent {
  return {
    ...event,
    orderType: details.orderType !== 'unknown' ? details.orderType : event.orderType,
    numbers: details.numbers.length > 0 ? details.numbers : event.numbers,
    numberType: details.numberType !== 'unknown' ? details.numberType : event.numberType,
    customerRef: details.customerRef ?? event.customerRef,
    order: asOrderRecord(body),
  };
}
