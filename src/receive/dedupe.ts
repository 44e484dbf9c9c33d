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

/** The callback kinds whose keys are told apart: Colt numbers events per API, not across them. */
export type CallbackKindName = 'order' | 'ticket';

/**
 * `event:<id>` or `sha256:<hex>`. Prefixed so an event id can never collide with a hash.
 * An event id Postgres text cannot hold (NUL, unpaired surrogates) is kept as its JSON
 * escape (`event-json:"\u0000"`), which stays distinct from every other id.
 * A body too deep to canonicalise safely (`deep`) is hashed as raw bytes.
 *
 * Order callbacks and ticket notifications share this key, as every release has written it,
 * so a callback stored by an earlier release (or by one running beside this one during a
 * rolling upgrade) is still found. When the key is already held by an event of the other
 * kind, the store files the callback under secondaryDedupeKey instead (events.repo.ts).
 */
export async function dedupeKey(body: JsonObject, deep: boolean, raw: Uint8Array): Promise<string> {
  const eventId = extractEventId(body);
  if (eventId !== null) return isStorableText(eventId) ? `event:${eventId}` : `event-json:${JSON.stringify(eventId)}`;
  return `sha256:${await sha256Hex(deep ? raw : canonicalJson(body))}`;
}

/**
 * The key of a callback whose dedupeKey is held by an event of the other kind (an order
 * callback and a ticket notification with the same eventId): `order:` or `ticket:` before it,
 * which no other key starts with (`event:`, `sha256:`, `reconciliation:`, `overdue:`, `relay:`).
 */
export function secondaryDedupeKey(kind: CallbackKindName, key: string): string {
  return `${kind}:${key}`;
}
