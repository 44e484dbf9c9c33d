/**
 * One HTTP exchange with Colt: a fresh tracking id, the optional consumer key, a
 * timeout, and a debug log line. Credentials pass through in `headers` but are never
 * logged: the log line names the method, path, status, duration and tracking id only.
 */
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { redactUrlCredentials } from '../lib/url-credentials.js';

/** The subset of `fetch` the client uses; inject the runtime's or a test's. */
export type FetchFn = (input: string, init: RequestInit) => Promise<Response>;

export interface ColtRequest {
  method: 'GET' | 'POST' | 'PATCH';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Leave the consumer key off: the token endpoint refuses a second auth mechanism (400 005). */
  omitApiKey?: boolean;
}

export type ColtExchange =
  | { kind: 'response'; status: number; headers: Headers; text: string; trackingId: string }
  | { kind: 'no_response'; timedOut: boolean; message: string; trackingId: string };

export interface ColtTransportOptions {
  fetch: FetchFn;
  clock: Clock;
  logger: Logger;
  /** Name of the correlation header sent on every call. */
  trackingHeader: string;
  /** Consumer key and the header it goes in; sent only when both are set. */
  apiKey?: string | undefined;
  apiKeyHeader?: string | undefined;
  /** Abort a call (including reading its body) after this long. */
  timeoutMs: number;
  /** A new id per call; Web Crypto's UUID by default. */
  newTrackingId: () => string;
}

export type ColtTransport = (request: ColtRequest) => Promise<ColtExchange>;

/**
 * Why a fetch failed, without the request (whose headers hold credentials) and without any
 * password of its URL (fetch refuses a URL with credentials and quotes it whole).
 */
function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return 'network error';
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : '';
  return redactUrlCredentials(detail ? `${error.message}: ${detail}` : error.message);
}

/** A function that performs Colt calls with the shared headers, timeout and logging. */
export function createColtTransport(options: ColtTransportOptions): ColtTransport {
  const { clock, logger } = options;
  return async (request) => {
    const trackingId = options.newTrackingId();
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    headers[options.trackingHeader] = trackingId;
    if (options.apiKey && options.apiKeyHeader && !request.omitApiKey) headers[options.apiKeyHeader] = options.apiKey;
    const path = new URL(request.url).pathname;
    const started = clock.now();
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), options.timeoutMs);
    try {
      const response = await options.fetch(request.url, {
        method: request.method,
        headers,
        ...(request.body !== undefined && { body: request.body }),
        signal: controller.signal,
        redirect: 'manual',
      });
      const text = await response.text();
      logger.debug(
        { method: request.method, path, status: response.status, durationMs: clock.now() - started, trackingId },
        'colt call',
      );
      return { kind: 'response', status: response.status, headers: response.headers, text, trackingId };
    } catch (error) {
      const timedOut = controller.signal.aborted;
      const message = timedOut ? `timeout after ${options.timeoutMs} ms` : describeFetchError(error);
      logger.debug(
        { method: request.method, path, status: null, durationMs: clock.now() - started, trackingId, error: message },
        'colt call failed',
      );
      return { kind: 'no_response', timedOut, message, trackingId };
    } finally {
      clearTimeout(timer);
    }
  };
}
