/**
 * Colt numbers API client: OAuth2 token cache, `GET /order/{orderId}`, retries.
 * Runtime-free: fetch, clock, logger, sleep and randomness are injected, so it runs on
 * Node and Workers and tests never really wait.
 */
import type { Clock } from '../lib/clock.js';
import { systemClock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { createSilentLogger } from '../lib/logger.js';
import { coltOutcomeOfStatus, monotonicSeconds, type Metrics } from '../lib/metrics.js';
import { backoffDelayMs } from './backoff.js';
import { parseRetryAfter } from '../lib/retry-after.js';
import { ColtTokenError, adviceForStatus, isRetryableStatus, parseColtErrorBody } from './colt-errors.js';
import type { ColtExchange, ColtRequest, ColtTransport, FetchFn } from './colt-http.js';
import { createColtTransport } from './colt-http.js';
import { tracedTransport } from './colt-spans.js';
import type { Tracer } from '../lib/tracing.js';
import type { ColtEnvironment } from './endpoints.js';
import { resolveColtEndpoints } from './endpoints.js';
import { createCredentialRotation, type CredentialPair, type CredentialStatus } from './credentials.js';
import { createTokenCache, requestToken } from './token-cache.js';

/** What `getOrder` returns: never throws; a failure says whether trying again later can help. */
export type GetOrderResult =
  | { ok: true; status: number; body: unknown }
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
  /** Refresh the token this long before it expires. @default 60 */
  tokenRefreshMarginS?: number;
  /** Token lifetime assumed when the response has no `expires_in`. @default 1800 */
  defaultTokenLifetimeS?: number;
  /** Every HTTP call (outcome, duration) and token request is counted here. @default none */
  metrics?: Metrics;
  /** Every HTTP call is a CLIENT span (docs/operations.md#tracing). @default none */
  tracer?: Tracer;
}

type Failure = Extract<GetOrderResult, { ok: false }>;

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function parseBody(text: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * A token failure is about the relay's configuration or Colt's gateway, never about one
 * order: it stays retryable for the caller (enrichment waits, it does not give the order
 * up), while `tokenProblem` tells the client's own loop not to hammer a refusing endpoint.
 */
function tokenFailure(error: unknown): Failure & { tokenProblem: true } {
  if (!(error instanceof ColtTokenError)) {
    return { ok: false, retryable: true, tokenProblem: true, reason: `Colt token: ${error instanceof Error ? error.message : 'unexpected error'}` };
  }
  return {
    ok: false,
    retryable: true,
    tokenProblem: true,
    reason: error.message,
    ...(error.status !== 0 && { status: error.status }),
    ...(error.code !== null && { code: error.code }),
    ...(error.retryAfterMs !== null && { retryAfterMs: error.retryAfterMs }),
    ...(!error.retryable && { permanentToken: true }),
  };
}

/** Counts and times every exchange with Colt, token calls included. */
function instrumented(metrics: Metrics | undefined, transport: ColtTransport): ColtTransport {
  if (!metrics) return transport;
  return async (request) => {
    const started = monotonicSeconds();
    const exchange = await transport(request);
    const outcome =
      exchange.kind === 'response' ? coltOutcomeOfStatus(exchange.status) : exchange.timedOut ? 'timeout' : 'network_error';
    metrics.coltCall(outcome, monotonicSeconds() - started);
    return exchange;
  };
}

/**
 * `/order/{orderId}` with the id as one path segment, or a permanent failure. Encoding keeps
 * `/`, `?` and `#` inside the segment, but `.` and `..` survive it and a URL parser resolves
 * them as dot segments (`/order/..` is the API root), so they are refused.
 */
export function orderPath(orderId: unknown): string | { ok: false; retryable: false; reason: string } {
  if (typeof orderId !== 'string' || orderId.trim() === '') return { ok: false, retryable: false, reason: 'GET /order: empty order id' };
  if (orderId === '.' || orderId === '..') {
    return { ok: false, retryable: false, reason: `GET /order: order id "${orderId}" is not an order id (a path segment "${orderId}" would leave /order/)` };
  }
  return `/order/${encodeURIComponent(orderId)}`;
}

/** The pairs from `credentials`, or from `clientId`/`clientSecret`. */
function credentialPairs(options: ColtClientOptions): CredentialPair[] {
  if (options.credentials && options.credentials.length > 0) return options.credentials;
  if (!options.clientId || !options.clientSecret) throw new TypeError('Colt client: clientId and clientSecret (or credentials) are required');
  return [{ clientId: options.clientId, clientSecret: options.clientSecret }];
}

/** Answers that prove a creating call created nothing: throttled, or the service was not there. */
const NOTHING_CREATED = new Set([429, 503]);

/** Creates a client; throws on contradictory options (fail fast at startup). */
export function createColtClient(options: ColtClientOptions): ColtApi {
  const pairs = credentialPairs(options);
  if (options.apiKey && !options.apiKeyHeader) {
    throw new TypeError('Colt client: apiKeyHeader (COLT_API_KEY_HEADER) is required with apiKey; Colt does not publish its name');
  }
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createSilentLogger();
  const sleep = options.sleep ?? realSleep;
  const random = options.random ?? Math.random;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const backoff = { baseMs: options.backoffBaseMs ?? 500, maxMs: options.backoffMaxMs ?? 8000 };
  const maxRetryAfterWaitMs = options.maxRetryAfterWaitMs ?? 30_000;
  const retryAfterCapMs = options.retryAfterCapMs ?? 3_600_000;
  const endpoints = resolveColtEndpoints(options.environment ?? 'sandbox', options);
  const transport = tracedTransport(options.tracer, instrumented(options.metrics, createColtTransport({
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    clock,
    logger,
    trackingHeader: options.trackingHeader ?? 'APIGWTrackingId',
    apiKey: options.apiKey,
    apiKeyHeader: options.apiKeyHeader,
    timeoutMs: options.timeoutMs ?? 10_000,
    newTrackingId: options.newTrackingId ?? (() => crypto.randomUUID()),
  })), endpoints);
  const rotation = createCredentialRotation({
    pairs,
    clock,
    logger,
    ...(options.metrics && { onChange: (event: 'in_use' | 'refused', clientId: string) => options.metrics!.coltCredential(event, clientId) }),
    requestWith: (pair) => {
      options.metrics?.tokenRefresh();
      return requestToken({
        transport,
        tokenUrl: endpoints.tokenUrl,
        clientId: pair.clientId,
        clientSecret: pair.clientSecret,
        defaultLifetimeS: options.defaultTokenLifetimeS ?? 1800,
        nowMs: () => clock.now(),
      });
    },
  });
  const tokens = createTokenCache({
    clock,
    logger,
    refreshMarginS: options.tokenRefreshMarginS ?? 60,
    fetchToken: () => rotation.fetchToken(),
  });

  const urlOf = (call: ColtCall): string => {
    const base = /^https?:\/\//.test(call.path) ? call.path : endpoints.apiBaseUrl + call.path;
    const query = call.query && Object.keys(call.query).length > 0 ? `?${new URLSearchParams(call.query).toString()}` : '';
    return base + query;
  };
  const send = (call: ColtCall, token: string) =>
    transport({
      method: call.method,
      url: urlOf(call),
      headers: { authorization: `Bearer ${token}`, ...(call.body !== undefined && { 'content-type': 'application/json' }) },
      ...(call.body !== undefined && { body: JSON.stringify(call.body) }),
    });

  function toResult(call: ColtCall, exchange: ColtExchange): ColtResult {
    const where = `${call.method} ${/^https?:\/\//.test(call.path) ? new URL(call.path).pathname : call.path}`;
    if (exchange.kind === 'no_response') {
      const reason = `${where}: ${exchange.message} [tracking id ${exchange.trackingId}]`;
      if (call.creates) return { ok: false, retryable: true, unknownOutcome: true, reason: `${reason}; Colt may have acted on it: check before sending it again` };
      return { ok: false, retryable: true, reason };
    }
    const { status, text, trackingId } = exchange;
    if (status >= 200 && status < 300) return { ok: true, status, body: parseBody(text) };
    const body = parseColtErrorBody(text);
    const advice = adviceForStatus(status);
    const colt = body.message ?? body.reason;
    const retryAfterMs = parseRetryAfter(exchange.headers.get('retry-after'), clock.now());
    const refused = status === 401 ? ' after a token refresh' : '';
    const failure: Failure = {
      ok: false,
      retryable: isRetryableStatus(status),
      reason: `${where}: HTTP ${status}${refused}, ${advice.meaning}${colt ? ` (Colt: ${colt})` : ''}. ${advice.nextStep} [tracking id ${trackingId}]`,
      status,
      ...(body.code !== undefined && { code: body.code }),
      ...(retryAfterMs !== undefined && isRetryableStatus(status) && { retryAfterMs: Math.min(retryAfterMs, retryAfterCapMs) }),
    };
    return call.creates && status >= 500 && !NOTHING_CREATED.has(status) ? { ...failure, unknownOutcome: true } : failure;
  }

  /** One try; a 401 refreshes the token and repeats the call, once per call. */
  async function tryOnce(call: ColtCall, state: { refreshed: boolean }): Promise<ColtResult> {
    let token: string;
    try {
      token = await tokens.get();
    } catch (error) {
      return tokenFailure(error);
    }
    let exchange = await send(call, token);
    if (exchange.kind === 'response' && exchange.status === 401 && !state.refreshed) {
      state.refreshed = true;
      logger.debug({ path: call.path, trackingId: exchange.trackingId }, 'colt token refused, refreshing');
      try {
        token = await tokens.refreshAfterRejection(token);
      } catch (error) {
        return tokenFailure(error);
      }
      exchange = await send(call, token);
    }
    return toResult(call, exchange);
  }

  const hostOf = (url: string) => new URL(url).host;
  const hosts = { api: hostOf(endpoints.apiBaseUrl), token: hostOf(endpoints.tokenUrl) };
  /** Names the host a failure came from (operators need it when several URLs are configured). */
  const withHost = <T extends ColtResult>(result: T): T =>
    result.ok || result.host !== undefined ? result : { ...result, host: result.tokenProblem ? hosts.token : hosts.api };

  // Colt's 429 is about this client as a whole: every caller (enrichment, reconciliation) waits it out.
  let pausedUntilMs = 0;
  function pausedResult(call: ColtCall): Failure | null {
    const remainingMs = pausedUntilMs - clock.now();
    if (remainingMs <= 0) return null;
    return {
      ok: false,
      retryable: true,
      status: 429,
      retryAfterMs: remainingMs,
      reason: `${call.method} ${call.path}: not sent, Colt answered 429 (too many requests) and asked to wait ${Math.ceil(remainingMs / 1000)} s more. Back off and retry later (Retry-After is honoured).`,
    };
  }

  /** Tries again while waiting can help; a creating call only when nothing was created. */
  async function run(call: ColtCall): Promise<ColtResult> {
    const state = { refreshed: false };
    for (let attempt = 1; ; attempt++) {
      const paused = pausedResult(call);
      const result = withHost(paused ?? (await tryOnce(call, state)));
      if (!paused && !result.ok && result.status === 429 && result.retryAfterMs !== undefined) {
        pausedUntilMs = Math.max(pausedUntilMs, clock.now() + result.retryAfterMs);
      }
      if (result.ok || !result.retryable || result.permanentToken || attempt >= maxAttempts || 'unknownOutcome' in result) return result;
      const waitMs = result.retryAfterMs ?? backoffDelayMs(attempt, backoff, random);
      if (waitMs > maxRetryAfterWaitMs) return result;
      logger.debug({ path: call.path, attempt, waitMs, status: result.status ?? null }, 'colt call retrying');
      await sleep(waitMs);
    }
  }

  return {
    getToken: () => tokens.get(),
    credentials: () => rotation.status(),
    call: run,
    async getOrder(orderId) {
      const path = orderPath(orderId);
      if (typeof path !== 'string') return path;
      return run({ method: 'GET', path });
    },
  };
}
