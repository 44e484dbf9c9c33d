/**
 * The Colt client's contract: what a call returns, what a call is, and the client's options
 * (docs/colt.md#api-errors for the errors and retries they describe).
 */
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import type { Tracer } from '../lib/tracing.js';
import type { Metrics } from '../lib/metrics.js';
import type { ColtRequest, FetchFn } from './colt-http.js';
import type { CredentialPair, CredentialStatus } from './credentials.js';
import type { ColtEnvironment } from './endpoints.js';

/** What `getOrder` returns: never throws; a failure says whether trying again later can help. */
export type GetOrderResult =
  | { ok: true; status: number; body: unknown; /** The answer's ETag, for a conditional write (If-Match). */ etag?: string }
  | {
      ok: false;
      retryable: boolean;
      reason: string;
      status?: number;
      code?: string;
      retryAfterMs?: number;
      /** The failure came from the token endpoint (configuration or gateway), not from this order. */
      tokenProblem?: boolean;
      /** A token failure that waiting alone will not fix (wrong COLT_TOKEN_URL, refused credentials). */
      permanentToken?: boolean;
      /** The Colt host the failed call went to (token or API). */
      host?: string;
    };

/** What any Colt call returns (as `getOrder`); `unknownOutcome` marks a creating call that may have created something. */
export type ColtResult = GetOrderResult | (Extract<GetOrderResult, { ok: false }> & { unknownOutcome: true });

export interface ColtClient {
  /** The order's details from `GET /order/{orderId}`. */
  getOrder(orderId: string): Promise<GetOrderResult>;
  /** A valid access token (cached); rejects with ColtTokenError. */
  getToken(): Promise<string>;
}

/** One call through the client: same token, tracking header, error table and retry rules as `getOrder`. */
export interface ColtCall {
  method: ColtRequest['method'];
  /** Below the numbers API base (`/numberCollection`), or an absolute URL (the ticket API). */
  path: string;
  query?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  /** Content type of `body`. @default "application/json" (e.g. "application/merge-patch+json" for a TMF PATCH) */
  contentType?: string;
  /** Extra request headers (e.g. If-Match). */
  headers?: Record<string, string>;
  /** The setting holding this call's base URL, named by 404/405 advice. @default "COLT_API_BASE_URL" */
  baseSetting?: string;
  /**
   * The call creates something at Colt (an order, a ticket): it is retried only when Colt's
   * answer proves nothing was created (429, 503, a refused token); a timeout, a network
   * error or another 5xx leaves the outcome unknown and is handed back with `unknownOutcome`.
   */
  creates?: boolean;
}

/** The whole client: `getOrder` plus any call, and which credential pair is in use. */
export interface ColtApi extends ColtClient {
  call(call: ColtCall): Promise<ColtResult>;
  /** Client ids only, never a secret. */
  credentials(): CredentialStatus;
}

export interface ColtClientOptions {
  /** OAuth2 client id (COLT_CLIENT_ID); or give `credentials`. */
  clientId?: string;
  /** OAuth2 client secret (COLT_CLIENT_SECRET). Never logged. */
  clientSecret?: string;
  /** Several pairs, tried in order; a pair refused by the token endpoint is skipped (rotation). */
  credentials?: CredentialPair[];
  /** Picks the base URLs (COLT_ENV). @default "sandbox" */
  environment?: ColtEnvironment;
  /** Numbers API base, overriding the environment's (COLT_API_BASE_URL). */
  apiBaseUrl?: string;
  /** Token URL, overriding the environment's (COLT_TOKEN_URL). */
  tokenUrl?: string;
  /** Correlation header sent with a fresh UUID on every call (COLT_TRACKING_HEADER). @default "APIGWTrackingId" */
  trackingHeader?: string;
  /** Optional consumer key (COLT_API_KEY), sent on every API call but never to the token endpoint. Requires `apiKeyHeader`. Never logged. */
  apiKey?: string;
  /** Header for `apiKey` (COLT_API_KEY_HEADER); Colt does not publish its name. */
  apiKeyHeader?: string;
  /** @default globalThis.fetch */
  fetch?: FetchFn;
  /** Token expiry and Retry-After dates are read from this clock. @default systemClock */
  clock?: Clock;
  /** Calls are logged at debug. @default a silent logger */
  logger?: Logger;
  /** Waits between tries. @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). @default Math.random */
  random?: () => number;
  /** A tracking id per call. @default crypto.randomUUID */
  newTrackingId?: () => string;
  /** Per-call timeout, including reading the body. @default 10000 */
  timeoutMs?: number;
  /** Tries per `getOrder` for 429, 5xx, network errors and timeouts. @default 3 */
  maxAttempts?: number;
  /** First backoff delay before jitter. @default 500 */
  backoffBaseMs?: number;
  /** Largest backoff delay before jitter. @default 8000 */
  backoffMaxMs?: number;
  /** Longest Retry-After waited inside one call; a longer one is handed back as `retryAfterMs`. @default 30000 */
  maxRetryAfterWaitMs?: number;
  /** Cap of the `retryAfterMs` handed back. @default 3600000 */
  retryAfterCapMs?: number;
  /**
   * Longest wait after a 429 without Retry-After (COLT_RATE_LIMIT_MAX_WAIT): waits double from
   * 1 s up to this, and a 429 after a wait this long ends the call. @default 60000
   */
  rateLimitMaxWaitMs?: number;
  /** Refresh the token this long before it expires. @default 60 */
  tokenRefreshMarginS?: number;
  /** Token lifetime assumed when the response has no `expires_in`. @default 1800 */
  defaultTokenLifetimeS?: number;
  /** Every HTTP call (outcome, duration) and token request is counted here. @default none */
  metrics?: Metrics;
  /** Every HTTP call is a CLIENT span (docs/operations.md#tracing). @default none */
  tracer?: Tracer;
}
