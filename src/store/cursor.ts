/**
 * Keyset pagination for the admin lists: a cursor is the sort key of the last row shown,
 * as base64url JSON. Opaque to callers; decoding a forged or stale one fails cleanly.
 */
import { fromBase64Url, toBase64Url } from '../lib/base64.js';

/** Rows per page when the caller does not say. */
export const DEFAULT_PAGE_LIMIT = 50;
/** Most rows per page, whatever the caller asks. */
export const MAX_PAGE_LIMIT = 200;

/** One page of a list, newest first; `nextCursor` is null on the last page. */
export type Page<T> = { items: T[]; nextCursor: string | null };

/** A cursor that was not produced by this list (the HTTP layer answers 400). */
export class InvalidCursorError extends Error {
  constructor() {
    super('invalid cursor');
    this.name = 'InvalidCursorError';
  }
}

/** The page size to use: default 50, at least 1, at most 200. */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_PAGE_LIMIT;
  return Math.min(MAX_PAGE_LIMIT, Math.max(1, Math.trunc(limit)));
}

export function encodeCursor(key: readonly (string | number)[]): string {
  return toBase64Url(new TextEncoder().encode(JSON.stringify(key)));
}

function decodeRaw(cursor: string): unknown {
  const bytes = cursor.length >= 1 && cursor.length <= 512 ? fromBase64Url(cursor) : null;
  if (!bytes) throw new InvalidCursorError();
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new InvalidCursorError();
  }
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a well-formed UUID: other strings never reach a uuid column (Postgres would raise). */
export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

/** A `[time, id]` cursor (events, deliveries); `id` is a UUID. */
export function decodeTimeIdCursor(cursor: string): { at: Date; id: string } {
  const key = decodeRaw(cursor);
  if (!Array.isArray(key) || key.length !== 2) throw new InvalidCursorError();
  const [at, id] = key as unknown[];
  if (typeof at !== 'string' || typeof id !== 'string' || !isUuid(id)) throw new InvalidCursorError();
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) throw new InvalidCursorError();
  return { at: date, id };
}

/** A `[time, text]` cursor (orders: updated at, order id). */
export function decodeTimeTextCursor(cursor: string): { at: Date; key: string } {
  const raw = decodeRaw(cursor);
  if (!Array.isArray(raw) || raw.length !== 2) throw new InvalidCursorError();
  const [at, key] = raw as unknown[];
  if (typeof at !== 'string' || typeof key !== 'string') throw new InvalidCursorError();
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) throw new InvalidCursorError();
  return { at: date, key };
}

/** A `[time, serial]` cursor (refused callbacks: last seen, row id). */
export function decodeTimeSerialCursor(cursor: string): { at: Date; id: number } {
  const raw = decodeRaw(cursor);
  if (!Array.isArray(raw) || raw.length !== 2) throw new InvalidCursorError();
  const [at, id] = raw as unknown[];
  if (typeof at !== 'string' || !Number.isSafeInteger(id)) throw new InvalidCursorError();
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) throw new InvalidCursorError();
  return { at: date, id: id as number };
}

/**
 * Cuts the `limit + 1` rows a query fetched to one page; the extra row only says that
 * there is a next page, whose cursor is the key of the last row kept.
 */
export function toPage<T>(rows: T[], limit: number, keyOf: (row: T) => (string | number)[]): Page<T> {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  return { items, nextCursor: encodeCursor(keyOf(items[items.length - 1]!)) };
}
