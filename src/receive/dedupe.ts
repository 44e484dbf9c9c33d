/**
 * Dedupe keys (docs/design.md#http-answers): the sender's event id when the callback carries one,
 * otherwise a SHA-256 of the body's canonical JSON, so the same callback re-sent with
 * other whitespace or key order is still the same callback.
 */
import { extractEventId, type JsonObject } from './normalise.js';
import { isStorableText } from './storable-text.js';

/** JSON with object keys sorted (by UTF-16 code units), no insignificant whitespace. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  const parts = keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as JsonObject)[k])}`);
  return `{${parts.join(',')}}`;
}

export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The receivers whose callbacks are deduplicated apart: Colt numbers events per API, not across them. */
export type CallbackNamespace = 'order' | 'ticket';

/**
 * The prefix of each receiver's keys. Order callbacks keep the unprefixed keys they have had
 * since the first release, so a callback stored before an upgrade is still recognised when Colt
 * re-sends it; ticket notifications take `ticket:`, which no other key starts with (`event:`,
 * `event-json:`, `sha256:`, `reconciliation:`, `overdue:`, `relay:`). Ticket events stored
 * before the prefix existed are re-keyed by migration 0007_ticket-dedupe-keys.
 */
const NAMESPACE_PREFIX: Record<CallbackNamespace, string> = { order: '', ticket: 'ticket:' };

/**
 * `event:<id>` or `sha256:<hex>`, after the receiver's prefix. Prefixed so an event id can
 * never collide with a hash, nor an order callback with a ticket notification.
 * An event id Postgres text cannot hold (NUL, unpaired surrogates) is kept as its JSON
 * escape (`event-json:"\u0000"`), which stays distinct from every other id.
 * A body too deep to canonicalise safely (`deep`) is hashed as raw bytes.
 */
export async function dedupeKey(namespace: CallbackNamespace, body: JsonObject, deep: boolean, raw: Uint8Array): Promise<string> {
  const prefix = NAMESPACE_PREFIX[namespace];
  const eventId = extractEventId(body);
  if (eventId !== null) return prefix + (isStorableText(eventId) ? `event:${eventId}` : `event-json:${JSON.stringify(eventId)}`);
  return `${prefix}sha256:${await sha256Hex(deep ? raw : canonicalJson(body))}`;
}
