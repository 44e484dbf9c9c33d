/**
 * Which request headers of a callback are kept with it (and shown by the API and dashboard).
 * Credentials never are: the configured token and signature headers by name, whatever they
 * are called (`x-colt-pass`), and anything whose name says it carries one. A secret dropped
 * before storing stays hidden after the configuration changes; a scrub of known values
 * could not promise that for a rotated token.
 */
import type { Env } from '../config/env.js';

/** Names that say a header carries a credential. */
const SENSITIVE_HEADER = /auth|token|secret|cookie|key|password|pass|signature/i;

/** Longest header value kept. */
const MAX_HEADER_VALUE = 1024;

/** The header names the configuration uses for callback credentials (lower case). */
export function credentialHeaders(env: Pick<Env, 'CALLBACK_TOKEN_HEADER' | 'CALLBACK_HMAC_HEADER'>): Set<string> {
  return new Set(['authorization', 'proxy-authorization', 'cookie', env.CALLBACK_TOKEN_HEADER.toLowerCase(), env.CALLBACK_HMAC_HEADER.toLowerCase()]);
}

/** `headers` without credentials, values cut to 1 KiB. Accepts a request's Headers or a stored record. */
export function storableHeaders(headers: Headers | Record<string, string>, credentials: Set<string>): Record<string, string> {
  const entries = headers instanceof Headers ? [...headers.entries()] : Object.entries(headers);
  const out: Record<string, string> = {};
  for (const [name, value] of entries) {
    if (!credentials.has(name.toLowerCase()) && !SENSITIVE_HEADER.test(name)) out[name] = value.slice(0, MAX_HEADER_VALUE);
  }
  return out;
}

/**
 * A stored event as the API and dashboard show it: its headers filtered again with today's
 * configuration, for rows stored before a header name became a credential.
 */
export function withStorableHeaders<T extends { event: { headers: Record<string, string> } }>(detail: T, credentials: Set<string>): T {
  return { ...detail, event: { ...detail.event, headers: storableHeaders(detail.event.headers, credentials) } };
}
