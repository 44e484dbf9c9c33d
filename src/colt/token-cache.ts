/**
 * OAuth2 client-credentials token for Colt: fetched on demand, cached until shortly
 * before it expires, and refreshed by one request however many callers are waiting.
 */
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { CHECK_TOKEN_URL, ColtTokenError, parseColtErrorBody, type TokenContext } from './colt-errors.js';
import type { ColtTransport } from './colt-http.js';
import { parseRetryAfter } from '../lib/retry-after.js';

export interface IssuedToken {
  accessToken: string;
  /** Lifetime in seconds as Colt stated it (or the default when it did not). */
  expiresInS: number;
}

export interface TokenRequestOptions {
  transport: ColtTransport;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Lifetime assumed when the response has no usable `expires_in`. */
  defaultLifetimeS: number;
  /** Reads an HTTP-date Retry-After against this time. */
  nowMs: () => number;
  /** Named in the advice of a failure (tracking header, sandbox or production host). */
  context?: TokenContext;
}

/** HTTP Basic credentials, UTF-8 safe (btoa alone only takes Latin-1). */
export function basicAuthorization(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}

function positiveSeconds(value: unknown): number | null {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : null;
}

/** The JSON object of a token answer, or null when the answer is not one. */
function tokenFields(text: string): { access_token?: unknown; expires_in?: unknown } | null {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

const mediaType = (contentType: string | null) => (contentType ?? '').split(';')[0]!.trim().toLowerCase();

function isHtml(contentType: string | null, text: string): boolean {
  return mediaType(contentType) === 'text/html' || /^\s*</.test(text);
}

/** What came back instead of a token, for the message: an HTML page, other text, JSON without access_token. */
function notATokenAnswer(contentType: string | null, text: string, fields: object | null): string {
  const type = mediaType(contentType);
  if (isHtml(contentType, text)) return `an HTML page (${type || 'no content type'}), not JSON with an access_token: this URL is not a token endpoint`;
  if (fields) return 'JSON without an access_token: this URL is not an OAuth2 token endpoint';
  return `${type || 'a body'} that is not JSON with an access_token: this URL is not a token endpoint`;
}

/** " to host/path" of a redirect's Location, without its query (which may carry anything). */
function redirectTarget(location: string | null, base: string): string {
  if (!location) return '';
  try {
    const url = new URL(location, base);
    return ` to ${url.host}${url.pathname}`;
  } catch {
    return '';
  }
}

/** One token request; throws ColtTokenError (never with a credential in it) on any failure. */
export async function requestToken(options: TokenRequestOptions): Promise<IssuedToken> {
  const exchange = await options.transport({
    method: 'POST',
    url: options.tokenUrl,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: basicAuthorization(options.clientId, options.clientSecret),
    },
    body: 'grant_type=client_credentials',
    omitApiKey: true,
  });
  if (exchange.kind === 'no_response') {
    throw new ColtTokenError({ status: 0, trackingId: exchange.trackingId, meaning: exchange.message, retryable: true });
  }
  const { status, text, trackingId } = exchange;
  const context = options.context ?? {};
  if (status >= 300 && status < 400) {
    // Colt documents no redirect: the URL is not its token endpoint (a portal page, a login form).
    const location = redirectTarget(exchange.headers.get('location'), options.tokenUrl);
    throw new ColtTokenError({ status, trackingId, context, retryable: false, meaning: `a redirect${location}, not followed`, nextStep: CHECK_TOKEN_URL });
  }
  if (status < 200 || status >= 300) {
    const body = parseColtErrorBody(text);
    // The token API documents its own rate limit (429) and 503 "retry": honour their Retry-After.
    const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(exchange.headers.get('retry-after'), options.nowMs()) : null;
    // An HTML error page in place of Colt's JSON error: another server answered (a portal, a proxy's login).
    const htmlPage = status >= 400 && status < 500 && status !== 429 && isHtml(exchange.headers.get('content-type'), text);
    throw new ColtTokenError({
      status,
      code: body.code,
      coltMessage: body.message ?? body.reason,
      trackingId,
      retryAfterMs,
      context,
      ...(htmlPage && { meaning: `an HTML page in place of Colt's JSON error`, nextStep: CHECK_TOKEN_URL }),
    });
  }
  const fields = tokenFields(text);
  if (typeof fields?.access_token !== 'string' || fields.access_token === '') {
    throw new ColtTokenError({ status, trackingId, context, retryable: false, meaning: notATokenAnswer(exchange.headers.get('content-type'), text, fields), nextStep: CHECK_TOKEN_URL });
  }
  return {
    accessToken: fields.access_token,
    expiresInS: positiveSeconds(fields.expires_in) ?? options.defaultLifetimeS,
  };
}

export interface TokenCacheOptions {
  /** Fetches a new token; called by at most one caller at a time. */
  fetchToken: () => Promise<IssuedToken>;
  clock: Clock;
  logger: Logger;
  /** Refresh this long before expiry (at most half the lifetime, for short-lived tokens). */
  refreshMarginS: number;
}

export interface TokenCache {
  /** A token valid for at least the refresh margin: the cached one, or a new one. */
  get(): Promise<string>;
  /**
   * The API refused `rejected` (401): refresh once, unless another caller already
   * replaced it or is replacing it, in which case share that result.
   */
  refreshAfterRejection(rejected: string): Promise<string>;
}

/** A single-flight token cache over `fetchToken`. */
export function createTokenCache(options: TokenCacheOptions): TokenCache {
  const { clock, logger } = options;
  let cached: { value: string; refreshAtMs: number } | null = null;
  let inflight: Promise<string> | null = null;
  // Colt asked us (Retry-After) not to ask for a token before this time.
  let blocked: { untilMs: number; error: ColtTokenError } | null = null;

  const stillBlocked = (): ColtTokenError | null => {
    if (!blocked) return null;
    const remainingMs = blocked.untilMs - clock.now();
    if (remainingMs <= 0) {
      blocked = null;
      return null;
    }
    const { error } = blocked;
    return new ColtTokenError({
      status: error.status,
      ...(error.code !== null && { code: error.code }),
      trackingId: error.trackingId,
      meaning: `${error.meaning}; Colt asked to wait (Retry-After), ${Math.ceil(remainingMs / 1000)} s left`,
      retryable: true,
      retryAfterMs: remainingMs,
    });
  };

  const refresh = (): Promise<string> => {
    const wait = stillBlocked();
    if (wait) return Promise.reject(wait);
    inflight ??= (async () => {
      try {
        // Lifetime counts from the request, not the response: errs on the early side.
        const requestedAt = clock.now();
        const issued = await options.fetchToken();
        const marginS = Math.min(options.refreshMarginS, issued.expiresInS / 2);
        cached = { value: issued.accessToken, refreshAtMs: requestedAt + (issued.expiresInS - marginS) * 1000 };
        logger.debug({ expiresInS: issued.expiresInS }, 'colt token issued');
        return issued.accessToken;
      } catch (error) {
        if (error instanceof ColtTokenError && error.retryAfterMs !== null && error.retryAfterMs > 0) {
          blocked = { untilMs: clock.now() + error.retryAfterMs, error };
        }
        throw error;
      } finally {
        inflight = null;
      }
    })();
    return inflight;
  };

  const fresh = (): string | null => (cached && clock.now() < cached.refreshAtMs ? cached.value : null);

  return {
    get: () => {
      if (inflight) return inflight;
      const current = fresh();
      return current !== null ? Promise.resolve(current) : refresh();
    },
    refreshAfterRejection: (rejected) => {
      if (inflight) return inflight;
      const current = fresh();
      if (current !== null && current !== rejected) return Promise.resolve(current);
      cached = null;
      return refresh();
    },
  };
}
