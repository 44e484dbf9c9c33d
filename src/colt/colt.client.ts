/**
 * Colt numbers API client: OAuth2 token cache, `GET /order/{orderId}`, retries.
 * Runtime-free: fetch, clock, logger, sleep and randomness are injected, so it runs on
 * Node and Workers and tests never really wait.
 */
import { systemClock } from '../lib/clock.js';
import { createSilentLogger } from '../lib/logger.js';
import { coltOutcomeOfStatus, monotonicSeconds, type Metrics } from '../lib/metrics.js';
import { backoffDelayMs } from './backoff.js';
import { parseRetryAfter } from '../lib/retry-after.js';
import { ColtTokenError, adviceForStatus, isRetryableStatus, parseColtErrorBody } from './colt-errors.js';
import type { ColtApi, ColtCall, ColtClientOptions, ColtResult, GetOrderResult } from './colt-client.types.js';
import type { ColtExchange, ColtTransport } from './colt-http.js';
import { createColtTransport } from './colt-http.js';
import { tracedTransport } from './colt-spans.js';
import { resolveColtEndpoints } from './endpoints.js';
import { createCredentialRotation, type CredentialPair } from './credentials.js';
import { createTokenCache, requestToken } from './token-cache.js';
import { coltHostKind } from './environment.js';
import { createRateLimitGate, type RateLimitWait } from './rate-limit.js';
import { resourcePath, type PathRefusal } from './resource-id.js';

export type { ColtApi, ColtCall, ColtClient, ColtClientOptions, ColtResult, GetOrderResult } from './colt-client.types.js';

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

/** `/order/{orderId}` with the id as one path segment, or a permanent failure (colt/resource-id.ts). */
export function orderPath(orderId: unknown): string | PathRefusal {
  return resourcePath('/order', orderId, 'GET /order', 'order id');
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
  const rateLimitMaxWaitMs = options.rateLimitMaxWaitMs ?? 60_000;
  const endpoints = resolveColtEndpoints(options.environment ?? 'sandbox', options);
  const trackingHeader = options.trackingHeader ?? 'APIGWTrackingId';
  const tokenContext = { trackingHeader, tokenKind: coltHostKind(new URL(endpoints.tokenUrl).host) };
  const transport = tracedTransport(options.tracer, instrumented(options.metrics, createColtTransport({
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    clock,
    logger,
    trackingHeader,
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
        context: tokenContext,
      }).catch((error: unknown) => {
        options.metrics?.tokenFailure();
        throw error;
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
      headers: {
        ...call.headers,
        authorization: `Bearer ${token}`,
        ...(call.body !== undefined && { 'content-type': call.contentType ?? 'application/json' }),
      },
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
    if (status >= 200 && status < 300) {
      const etag = exchange.headers.get('etag');
      return { ok: true, status, body: parseBody(text), ...(etag !== null && { etag }) };
    }
    const body = parseColtErrorBody(text);
    const orderLookup = call.method === 'GET' && call.path.startsWith('/order/');
    const advice = adviceForStatus(status, { orderLookup, baseSetting: call.baseSetting ?? 'COLT_API_BASE_URL' });
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
    if (!call.creates || status < 500 || NOTHING_CREATED.has(status)) return failure;
    // Colt says "retry" after a 500, but publishes no idempotency key: a blind retry could create twice (docs/colt.md#api-errors).
    return { ...failure, unknownOutcome: true, reason: `${failure.reason}; Colt may have acted on it, so it was not retried: check before sending it again` };
  }

  /** One try; a 401 refreshes the token and repeats the call, once per call. */
  async function tryOnce(call: ColtCall, state: { refreshed: boolean }): Promise<ColtResult> {
    let token: string;
    try {
      token = await tokens.get();
    } catch (error) {
      return tokenFailure(warnOnce(error));
    }
    let exchange = await send(call, token);
    if (exchange.kind === 'response' && exchange.status === 401 && !state.refreshed) {
      state.refreshed = true;
      logger.debug({ path: call.path, trackingId: exchange.trackingId }, 'colt token refused, refreshing');
      try {
        token = await tokens.refreshAfterRejection(token);
      } catch (error) {
        return tokenFailure(warnOnce(error));
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
  const gate = createRateLimitGate(clock, rateLimitMaxWaitMs);
  function pausedResult(call: ColtCall): Failure | null {
    const remainingMs = gate.remainingMs();
    if (remainingMs <= 0) return null;
    return {
      ok: false,
      retryable: true,
      status: 429,
      retryAfterMs: remainingMs,
      reason: `${call.method} ${call.path}: not sent, Colt answered 429 (too many requests) and the client waits ${Math.ceil(remainingMs / 1000)} s more. Back off and retry later.`,
    };
  }

  /** A 429: pauses every caller; without Retry-After the wait grows (logged), which the result carries. */
  function throttled<T extends Failure>(call: ColtCall, result: T): { result: T; wait: RateLimitWait } {
    const wait = gate.throttled(result.retryAfterMs);
    if (!wait.fromRetryAfter) {
      logger.warn(
        { path: call.path, status: 429, streak: wait.streak, waitMs: wait.waitMs, maxWaitMs: rateLimitMaxWaitMs },
        `colt answered 429 without Retry-After (${wait.streak} in a row): waiting ${Math.ceil(wait.waitMs / 1000)} s before the next call (COLT_RATE_LIMIT_MAX_WAIT caps the wait)`,
      );
    }
    return { result: { ...result, retryAfterMs: wait.waitMs }, wait };
  }

  /**
   * Tries again while waiting can help; a creating call only when nothing was created. A 429
   * without Retry-After is tried again after growing waits until one of the cap's length has
   * not helped; other failures get `maxAttempts` tries.
   */
  async function run(call: ColtCall): Promise<ColtResult> {
    const state = { refreshed: false };
    let waitedCap = false;
    for (let attempt = 1; ; ) {
      const paused = pausedResult(call);
      let result = withHost(paused ?? (await tryOnce(call, state)));
      let wait: RateLimitWait | null = null;
      if (!paused && !result.ok && result.status === 429) ({ result, wait } = throttled(call, result));
      else if (!paused) gate.passed();
      if (result.ok || !result.retryable || result.permanentToken || 'unknownOutcome' in result) return result;
      const doubling = wait !== null && !wait.fromRetryAfter;
      if (doubling ? waitedCap : attempt++ >= maxAttempts) return result;
      const waitMs = result.retryAfterMs ?? backoffDelayMs(attempt - 1, backoff, random);
      if (waitMs > maxRetryAfterWaitMs) return result;
      if (doubling) waitedCap = wait!.atCap;
      logger.debug({ path: call.path, attempt, waitMs, status: result.status ?? null }, 'colt call retrying');
      await sleep(waitMs);
    }
  }

  /** A token failure that waiting will not fix (an HTML page, a redirect): warned once per cause, naming the setting. */
  let lastTokenWarning = '';
  function warnOnce(error: unknown): unknown {
    // Keyed without the tracking id, which differs on every request.
    const cause = error instanceof ColtTokenError ? `${error.status} ${error.meaning} ${error.nextStep}` : '';
    if (error instanceof ColtTokenError && !error.retryable && error.status !== 401 && cause !== lastTokenWarning) {
      lastTokenWarning = cause;
      logger.warn({ status: error.status, code: error.code, host: hosts.token }, error.message);
    }
    return error;
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
