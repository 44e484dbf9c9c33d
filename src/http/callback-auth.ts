/**
 * Callback authentication (docs/design.md#configuration). Colt does not publish how it authenticates
 * to the callback URL, so every method is offered; each configured method must pass
 * (an IP allow-list plus a token, say). Comparisons are constant-time.
 */
import type { Env } from '../config/env.js';
import { ipAllowed, type Cidr } from '../lib/cidr.js';
import { hmacSha256, timingSafeEqualText, toBase64, toHex } from '../lib/crypto.js';

export interface CallbackAuthConfig {
  token?: string;
  /** Lower-case header name that may carry the token. */
  tokenHeader: string;
  /** `user:password`. */
  basic?: string;
  hmacSecret?: string;
  /** Lower-case header name of the body signature. */
  hmacHeader: string;
  allowedIps: Cidr[];
}

export function callbackAuthFromEnv(env: Env): CallbackAuthConfig {
  return {
    token: env.CALLBACK_TOKEN,
    tokenHeader: env.CALLBACK_TOKEN_HEADER,
    basic: env.CALLBACK_BASIC_AUTH,
    hmacSecret: env.CALLBACK_HMAC_SECRET,
    hmacHeader: env.CALLBACK_HMAC_HEADER,
    allowedIps: env.CALLBACK_ALLOWED_IPS,
  };
}

export interface AuthFailure {
  message: string;
  /** Answer with `WWW-Authenticate: Basic`. */
  basicChallenge: boolean;
}

export interface AuthRequest {
  headers: Headers;
  pathToken: string | undefined;
  remoteAddr: string | null;
}

function authorization(headers: Headers, scheme: string): string | undefined {
  const value = headers.get('authorization');
  if (!value) return undefined;
  const [given, ...rest] = value.trim().split(/\s+/);
  return given?.toLowerCase() === scheme.toLowerCase() ? rest.join(' ') : undefined;
}

function decodeBasic(credentials: string): string | undefined {
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(credentials), (c) => c.charCodeAt(0)));
  } catch {
    return undefined;
  }
}

/** Checks everything that does not need the body: IP, token, Basic. Null when it all passes. */
export async function checkRequestAuth(config: CallbackAuthConfig, req: AuthRequest): Promise<AuthFailure | null> {
  if (config.allowedIps.length > 0 && !ipAllowed(req.remoteAddr, config.allowedIps)) {
    return { message: 'source address not allowed', basicChallenge: false };
  }
  if (config.basic) {
    const given = authorization(req.headers, 'basic');
    const decoded = given === undefined ? undefined : decodeBasic(given);
    if (decoded === undefined || !(timingSafeEqualText(decoded, config.basic))) {
      return { message: 'missing or invalid Basic credentials', basicChallenge: true };
    }
  }
  if (config.token) {
    const candidates = [
      config.basic ? undefined : authorization(req.headers, 'bearer'),
      req.headers.get(config.tokenHeader) ?? undefined,
      req.pathToken,
    ].filter((v): v is string => v !== undefined && v !== '');
    let ok = false;
    for (const candidate of candidates) ok = timingSafeEqualText(candidate, config.token) || ok;
    if (!ok) return { message: 'missing or invalid callback token', basicChallenge: false };
  } else if (req.pathToken !== undefined) {
    return { message: 'path tokens are not configured (CALLBACK_TOKEN)', basicChallenge: false };
  }
  return null;
}

/**
 * HMAC-SHA256 of the raw body, sent as hex or base64, optionally prefixed `sha256=`.
 * Null when it matches or no HMAC secret is configured.
 */
export async function checkBodySignature(
  config: CallbackAuthConfig,
  headers: Headers,
  body: Uint8Array,
): Promise<AuthFailure | null> {
  if (!config.hmacSecret) return null;
  const given = headers.get(config.hmacHeader)?.trim().replace(/^sha256=/i, '');
  if (!given) return { message: `missing body signature header ${config.hmacHeader}`, basicChallenge: false };
  const mac = await hmacSha256(config.hmacSecret, body);
  const hex = toHex(mac);
  const matches = /^[0-9a-f]+$/i.test(given)
    ? timingSafeEqualText(given.toLowerCase(), hex)
    : timingSafeEqualText(given, toBase64(mac));
  return matches ? null : { message: 'body signature does not match', basicChallenge: false };
}
