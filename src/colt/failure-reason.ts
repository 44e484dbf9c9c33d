/**
 * Why Colt says an order failed (docs/design.md#failure-reason), picked from a
 * callback body or a GET /order body. Colt publishes no schema, so this looks in the usual
 * places nearest the root: flat fields (`failureReason`, `statusReason`, `reason`,
 * `errorCode`/`code`, `errorMessage` as text), and error objects (TM Forum's
 * `errorMessage: [{code, reason, message}]`, `error: {code, message}`, `errors: […]`,
 * `failureReason: {code, reason}`). The full body is always kept beside it.
 */
import type { EventFailure, EventSource, EventStatus, FailureSource } from '../event/event.js';
import { failureLine } from '../event/event.js';
import { collectObjects, scalarString, type JsonNode } from '../lib/json-walk.js';

/** Colt's reason for a failure, as far as it gave one: at least one part is set. */
export type ColtFailure = Omit<EventFailure, 'source'>;

/** Keys (json-walk's normalised form) whose object or list items are error records. */
const ERROR_CONTAINERS = new Set([
  'errormessage',
  'errormessages',
  'error',
  'errors',
  'errordetails',
  'failure',
  'failurereason',
  'statusreason',
  'reason',
  'fault',
]);

/** Inside an error record, most telling first. */
const RECORD_KEYS = {
  code: ['code', 'errorcode', 'reasoncode', 'failurecode'],
  reason: ['reason', 'failurereason', 'statusreason', 'title'],
  message: ['message', 'errormessage', 'detail', 'details', 'description', 'text'],
} as const;

/**
 * On an order or callback object: these name a failure by themselves; `code` and `message`
 * only count beside them, or on the order object itself (the root, or one with a status),
 * since nested records (a customer, a number range) may carry a `code` of their own.
 */
const FLAT_KEYS = {
  code: ['errorcode', 'failurecode', 'reasoncode', 'statusreasoncode'],
  reason: ['failurereason', 'statusreason', 'reason', 'rejectionreason', 'cancellationreason', 'errorreason', 'error'],
  message: ['errormessage', 'errordescription', 'errordetail', 'statusmessage'],
} as const;
const GENERIC_KEYS = { code: 'code', message: 'message' } as const;
const STATUS_KEYS = ['status', 'state', 'orderstatus'];

/**
 * Error fields deeper than this belong to some nested record, not the order. A list counts
 * as a level of its own: TMF's root → event → productOrder → errorMessage (list) → item is 4.
 */
const MAX_DEPTH = 5;
/** An object's own error records sit one level below it, or two when they are in a list. */
const RECORD_LEVELS = 2;
/** Each part is cut to this many characters: Colt's text is untrusted and lands in messages and tickets. */
const MAX_PART_CHARS = 400;

type Part = keyof ColtFailure;
const PARTS: Part[] = ['code', 'reason', 'message'];

function firstScalar(fields: ReadonlyMap<string, unknown>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const text = scalarString(fields.get(key));
    if (text) return text.length > MAX_PART_CHARS ? `${text.slice(0, MAX_PART_CHARS - 1)}…` : text;
  }
  return undefined;
}

/** What one object says about a failure (possibly nothing). */
function readNode(node: JsonNode): ColtFailure {
  const found: ColtFailure = {};
  if (node.parentKey !== null && ERROR_CONTAINERS.has(node.parentKey)) {
    for (const part of PARTS) {
      const value = firstScalar(node.fields, RECORD_KEYS[part]);
      if (value) found[part] = value;
    }
    return found;
  }
  for (const part of PARTS) {
    const value = firstScalar(node.fields, FLAT_KEYS[part]);
    if (value) found[part] = value;
  }
  const orderLike = node.depth === 0 || STATUS_KEYS.some((k) => node.fields.has(k));
  if (orderLike || Object.keys(found).length > 0) {
    found.code ??= firstScalar(node.fields, [GENERIC_KEYS.code]);
    found.message ??= firstScalar(node.fields, [GENERIC_KEYS.message]);
  }
  for (const part of PARTS) if (found[part] === undefined) delete found[part];
  return found;
}

/**
 * The failure a JSON body describes, or null when it says nothing usable. The shallowest
 * object that says something wins; objects just below it (its error records) fill in the
 * parts it lacks, so `{statusReason, errorMessage: [{code, message}]}` gives all three.
 */
export function findColtFailure(body: unknown): ColtFailure | null {
  const result: ColtFailure = {};
  let foundAt: number | null = null;
  for (const node of collectObjects(body)) {
    if (node.depth > MAX_DEPTH || (foundAt !== null && node.depth > foundAt + RECORD_LEVELS)) break;
    const found = readNode(node);
    if (Object.keys(found).length === 0) continue;
    foundAt ??= node.depth;
    for (const part of PARTS) if (result[part] === undefined && found[part] !== undefined) result[part] = found[part];
    if (PARTS.every((p) => result[p] !== undefined)) break;
  }
  return foundAt === null ? null : result;
}

/** Statuses whose events carry a failure: the order did not complete, and Colt may say why. */
const FAILED_STATUSES: ReadonlySet<EventStatus> = new Set(['failed', 'cancelled']);

/** What eventFailure reads of an event. */
export interface FailureInput {
  /** The stored type when it is not an order state (`order.overdue`, `relay.…`); null otherwise. */
  type: string | null;
  source: EventSource;
  status: EventStatus;
  /** The callback as received (a reconciliation event's is the GET /order body). */
  payload: unknown;
  /** The order's details (GET /order), when fetched. */
  details: unknown;
}

/**
 * An order event's failure: from its own body, else from the order's details. Only
 * `order.failed` and `order.cancelled` events have one; a reconciliation event's body is
 * the order's details, so its failure says `source: order`.
 */
export function eventFailure(input: FailureInput): EventFailure | null {
  if (input.type !== null || !FAILED_STATUSES.has(input.status)) return null;
  if (input.source !== 'callback' && input.source !== 'reconciliation') return null;
  const own = findColtFailure(input.payload);
  if (own) return { ...own, source: input.source === 'reconciliation' ? 'order' : 'callback' };
  const fromDetails = input.details === null || input.details === undefined ? null : findColtFailure(input.details);
  return fromDetails ? { ...fromDetails, source: 'order' satisfies FailureSource } : null;
}

/** `E-4021 · Address validation failed · Emergency address …` from a raw body, or null when it says nothing usable. */
export function coltFailureReason(rawBody: string | undefined): string | null {
  if (rawBody === undefined) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    return null;
  }
  const failure = findColtFailure(parsed);
  if (!failure) return null;
  const line = failure.reason && failure.message ? `${failureLine(failure)} · ${failure.message}` : failureLine(failure);
  return line.length > MAX_PART_CHARS ? `${line.slice(0, MAX_PART_CHARS - 1)}…` : line;
}
