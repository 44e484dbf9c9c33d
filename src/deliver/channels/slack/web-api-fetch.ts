/**
 * The part of `@slack/web-api` the Slack channel uses (`new WebClient(…)`,
 * `chat.postMessage`, `chat.update`, `ErrorCode`, `LogLevel`), over plain `fetch`.
 *
 * Why: on Cloudflare Workers the real package costs ≈ 23 KiB gzip of a 250 KiB budget
 * and calls `fetch` as a method (`this.fetchFn(…)`), which workerd refuses. wrangler.toml
 * and vitest.workers.config.ts alias `@slack/web-api` to this module, so
 * `slack.channel.ts` and `slack-errors.ts` run unchanged on both runtimes.
 *
 * Same wire format as web-api (form-encoded, objects as JSON strings, Bearer token) and
 * the same error shapes (`code`, `data`, `retryAfter`, `statusCode`, `original`), so
 * `classifySlackError` maps them alike. It never retries and always rejects rate-limited
 * calls: the outbox owns retries (docs/design.md#retries), as web-api is configured on Node.
 */
import { redactUrlCredentials } from '../../../lib/url-credentials.js';

/** web-api's error codes (its `ErrorCode` enum values). */
export const ErrorCode = {
  RequestError: 'slack_webapi_request_error',
  HTTPError: 'slack_webapi_http_error',
  PlatformError: 'slack_webapi_platform_error',
  RateLimitedError: 'slack_webapi_rate_limited_error',
} as const;

/** web-api's log levels; only the names matter here. */
export const LogLevel = { ERROR: 'error', WARN: 'warn', INFO: 'info', DEBUG: 'debug' } as const;

/** web-api's logger interface (accepted and used for request failures only). */
export interface Logger {
  debug(...msg: unknown[]): void;
  info(...msg: unknown[]): void;
  warn(...msg: unknown[]): void;
  error(...msg: unknown[]): void;
  setLevel(level: string): void;
  getLevel(): string;
  setName(name: string): void;
}

/** The constructor options slack.channel.ts passes; retry options are accepted and ignored. */
export interface WebClientOptions {
  /** @default "https://slack.com/api/" */
  slackApiUrl?: string;
  /** @default globalThis.fetch, called unbound */
  fetch?: typeof fetch;
  /** Per call, in ms; 0 for none. @default 0 */
  timeout?: number;
  logger?: Logger;
  retryConfig?: unknown;
  rejectRateLimitedCalls?: boolean;
}

/** A Web API answer: `ok`, the method's fields, and `response_metadata`. */
export type WebApiResult = Record<string, unknown> & {
  ok: boolean;
  error?: string;
  channel?: string;
  ts?: string;
  response_metadata?: { retryAfter?: number; [key: string]: unknown };
};

/** An error carrying web-api's `code` and the fields classifySlackError reads. */
export class SlackFetchError extends Error {
  constructor(
    message: string,
    readonly code: (typeof ErrorCode)[keyof typeof ErrorCode],
    fields: Partial<Pick<SlackFetchError, 'data' | 'retryAfter' | 'statusCode' | 'body' | 'original'>> = {},
  ) {
    super(message);
    this.name = 'SlackFetchError';
    Object.assign(this, fields);
  }
  data?: WebApiResult;
  retryAfter?: number;
  statusCode?: number;
  body?: unknown;
  original?: Error;
}

function retryAfterSeconds(response: Response): number | undefined {
  const seconds = Number.parseInt(response.headers.get('retry-after') ?? '', 10);
  return Number.isNaN(seconds) ? undefined : seconds;
}

/** Form-encodes arguments as web-api does: objects and arrays become JSON strings. */
export function encodeSlackArgs(args: Record<string, unknown>): string {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(args)) {
    if (value === undefined || value === null) continue;
    form.append(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  return form.toString();
}

/** A fetch-based stand-in for web-api's `WebClient`, limited to the methods the channel calls. */
export class WebClient {
  readonly chat: {
    postMessage: (args: Record<string, unknown>) => Promise<WebApiResult>;
    update: (args: Record<string, unknown>) => Promise<WebApiResult>;
  };
  private readonly apiUrl: string;
  private readonly fetchFn: typeof fetch;

  constructor(
    private readonly token: string,
    private readonly options: WebClientOptions = {},
  ) {
    this.apiUrl = options.slackApiUrl ?? 'https://slack.com/api/';
    const custom = options.fetch;
    // Wrapped so it is never called with `this` set to an object other than the global (workerd forbids that).
    this.fetchFn = custom ? (input, init) => custom(input, init) : (input, init) => fetch(input, init);
    this.chat = {
      postMessage: (args) => this.apiCall('chat.postMessage', args),
      update: (args) => this.apiCall('chat.update', args),
    };
  }

  /** Calls one Web API method; throws web-api-shaped errors. */
  async apiCall(method: string, args: Record<string, unknown>): Promise<WebApiResult> {
    const timeout = this.options.timeout ?? 0;
    let response: Response;
    try {
      response = await this.fetchFn(`${this.apiUrl}${method}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.token}`,
          accept: 'application/json',
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: encodeSlackArgs(args),
        redirect: 'manual',
        ...(timeout > 0 && { signal: AbortSignal.timeout(timeout) }),
      });
    } catch (err) {
      const original = err instanceof Error ? err : new Error(String(err));
      // fetch quotes a URL with credentials whole (SLACK_API_URL): never its password.
      const message = redactUrlCredentials(original.message);
      this.options.logger?.warn('http request failed', message);
      // `original` keeps its name (TimeoutError) for classifySlackError, which redacts what it quotes.
      throw new SlackFetchError(`A request error occurred: ${message}`, ErrorCode.RequestError, { original });
    }
    if (response.status === 429) {
      const retryAfter = retryAfterSeconds(response);
      await response.body?.cancel();
      // web-api's wording: classifySlackError recognises it.
      if (retryAfter === undefined) throw new Error(`Retry header did not contain a valid timeout (url: ${method})`);
      throw new SlackFetchError(`A rate-limit has been reached, retry in ${retryAfter} seconds`, ErrorCode.RateLimitedError, { retryAfter });
    }
    const text = await response.text();
    if (response.status !== 200) {
      const message = `An HTTP protocol error occurred: statusCode = ${response.status}`;
      throw new SlackFetchError(message, ErrorCode.HTTPError, { statusCode: response.status, body: text });
    }
    return this.readResult(response, text);
  }

  private readResult(response: Response, text: string): WebApiResult {
    let data: WebApiResult;
    try {
      data = JSON.parse(text) as WebApiResult;
    } catch {
      data = { ok: false, error: text.slice(0, 200) };
    }
    const retryAfter = retryAfterSeconds(response);
    data.response_metadata = { ...data.response_metadata, ...(retryAfter !== undefined && { retryAfter }) };
    if (!data.ok) throw new SlackFetchError(`An API error occurred: ${data.error}`, ErrorCode.PlatformError, { data });
    return data;
  }
}
