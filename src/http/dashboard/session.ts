/**
 * Dashboard session cookies and CSRF tokens, runtime-free (Web Crypto only).
 *
 * A session cookie is `v1.<expiresAtMs>.<id>.<mac>`: the MAC is HMAC-SHA256 under a key
 * derived from ADMIN_TOKEN, so rotating the token logs everyone out, and a forged cookie
 * is refused before the database is asked. The id names a `dashboard_sessions` row
 * (store/sessions.repo.ts): logout revokes it. The CSRF token of a session is an HMAC of
 * its id under the same key (a different label), so a form token only works with the
 * cookie it was issued for.
 */
import { fromBase64Url, toBase64Url } from '../../lib/base64.js';

const encoder = new TextEncoder();

/** Name of the session cookie. Not `__Host-`: that prefix needs Secure, and plain-http localhost must work. */
export const SESSION_COOKIE = 'colt_relay_session';
/** Name of the login form's double-submit cookie (there is no session yet to bind a token to). */
export const LOGIN_CSRF_COOKIE = 'colt_relay_login';
/** How long a session lasts: one on-call night. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** A verified session. */
export interface Session {
  /** Random, per login: the CSRF token is bound to it. */
  id: string;
  expiresAt: number;
}

// Labels keep the derived key and each MAC's purpose apart, so one MAC can never stand in for another.
const KEY_LABEL = 'colt-relay dashboard key v1';
const SESSION_LABEL = 'session';
const CSRF_LABEL = 'csrf';

let cached: { token: string; key: Promise<CryptoKey> } | undefined;

/** The HMAC key for sessions: HMAC(ADMIN_TOKEN, label), never the token itself. */
export function sessionKey(adminToken: string): Promise<CryptoKey> {
  if (cached?.token !== adminToken) cached = { token: adminToken, key: deriveKey(adminToken) };
  return cached.key;
}

async function deriveKey(adminToken: string): Promise<CryptoKey> {
  const master = await crypto.subtle.importKey('raw', encoder.encode(adminToken), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const derived = await crypto.subtle.sign('HMAC', master, encoder.encode(KEY_LABEL));
  return crypto.subtle.importKey('raw', derived, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

function macBytes(text: string): Uint8Array | null {
  // Canonical base64url only (fromBase64Url): one MAC must not have many spellings.
  return text.length >= 1 && text.length <= 200 ? fromBase64Url(text) : null;
}

/** A random base64url string of `bytes` random bytes. */
export function randomToken(bytes = 16): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

async function mac(key: CryptoKey, label: string, data: string): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(`${label}.${data}`))));
}

/** crypto.subtle.verify compares in constant time. */
async function macMatches(key: CryptoKey, label: string, data: string, given: string): Promise<boolean> {
  const bytes = macBytes(given);
  if (!bytes) return false;
  return crypto.subtle.verify('HMAC', key, bytes as Uint8Array<ArrayBuffer>, encoder.encode(`${label}.${data}`));
}

/** A new session for a successful login, and its cookie value. */
export async function issueSession(adminToken: string, nowMs: number): Promise<{ session: Session; cookie: string }> {
  const session = { id: randomToken(16), expiresAt: nowMs + SESSION_TTL_MS };
  const body = `${session.expiresAt}.${session.id}`;
  const signature = await mac(await sessionKey(adminToken), SESSION_LABEL, body);
  return { session, cookie: `v1.${body}.${signature}` };
}

/**
 * The session a cookie value proves, or null: wrong shape, wrong MAC (forged, or signed
 * under an older ADMIN_TOKEN), expired, or expiring further ahead than we ever issue.
 */
export async function verifySession(adminToken: string, cookie: string | undefined, nowMs: number): Promise<Session | null> {
  if (!cookie || cookie.length > 300) return null;
  const parts = cookie.split('.');
  if (parts.length !== 4 || parts[0] !== 'v1') return null;
  const [, expires, id, signature] = parts as [string, string, string, string];
  if (!/^\d{1,16}$/.test(expires) || !/^[A-Za-z0-9_-]{16,64}$/.test(id)) return null;
  const expiresAt = Number(expires);
  if (expiresAt <= nowMs || expiresAt > nowMs + SESSION_TTL_MS) return null;
  const ok = await macMatches(await sessionKey(adminToken), SESSION_LABEL, `${expires}.${id}`, signature);
  return ok ? { id, expiresAt } : null;
}

/** The CSRF token forms of this session carry. */
export async function csrfToken(adminToken: string, session: Session): Promise<string> {
  return mac(await sessionKey(adminToken), CSRF_LABEL, session.id);
}

/** True when `given` is this session's CSRF token (constant-time). */
export async function csrfTokenMatches(adminToken: string, session: Session, given: unknown): Promise<boolean> {
  if (typeof given !== 'string') return false;
  return macMatches(await sessionKey(adminToken), CSRF_LABEL, session.id, given);
}
