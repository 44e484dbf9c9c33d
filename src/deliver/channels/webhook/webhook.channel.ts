import type { NormalisedEvent } from '../../../event/event.js';
import { systemClock, type Clock } from '../../../lib/clock.js';
import type { Logger } from '../../../lib/logger.js';
import { carrierHeaders, inHttpClientSpan, recordHttpStatus, type Span, type Tracer } from '../../../lib/tracing.js';
import { urlOrigin } from '../../../lib/url-origin.js';
import { spanUrl } from '../../../config/secrets.js';
import type { Channel, DeliveryJob, RenderedMessage, SendResult } from '../../channel.js';
import type { WebhookChannelConfig } from '../../../config/channel-config.js';
import { checkWebhookUrl, isSsrfBlocked, ssrfRefusal } from './ssrf.js';
import { readResponseExcerpt } from '../response-excerpt.js';
import { createWebhookSigner } from './signature.js';
import { DEFAULT_BACKOFF_MS, parseRetryAfter } from '../../../lib/retry-after.js';

/** @default 15000 (docs/design.md#webhook-format) */
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 15_000;

export interface WebhookChannelDeps {
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Gives the undici Agent passed as fetch's `dispatcher` (the SSRF-checking Agent on Node, made at the first send); Workers leave it out. */
  webhookAgent?: () => Promise<unknown>;
  logger: Logger;
  /** Sent as `user-agent: colt-relay/<version>`. */
  version: string;
  /** WEBHOOK_ALLOW_PRIVATE: lifts the private-address checks (tests use loopback receivers). */
  allowPrivate: boolean;
  /** @default systemClock */
  clock?: Clock;
  /** Each POST is a CLIENT span whose `traceparent` the receiver gets (docs/operations.md#tracing). @default none */
  tracer?: Tracer;
}

/** Standard Webhooks body (docs/design.md#webhook-format). */
export interface WebhookPayload {
  /** The event's type (docs/design.md#event-types): `order.<status>`, `order.overdue`… */
  type: string;
  timestamp: string;
  data: NormalisedEvent;
}

/** The body for an event at `nowMs`: `{ type: <event type>, timestamp, data: <event> }`. */
export function buildWebhookPayload(event: NormalisedEvent, nowMs: number): WebhookPayload {
  return { type: event.type, timestamp: new Date(nowMs).toISOString(), data: event };
}

/**
 * A webhook URL's credentials (`https://user:pass@host/…`) travel as an Authorization
 * header: fetch refuses URLs that carry them, and its error would quote them into logs
 * and stored attempt errors. Returns the URL without them, safe to show.
 */
export function splitUrlCredentials(url: string): { url: string; authorization?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { url };
  }
  if (!parsed.username && !parsed.password) return { url };
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  return { url: parsed.toString(), authorization: `Basic ${btoa(String.fromCharCode(...bytes))}` };
}

/**
 * What the webhook would POST: pure, for `rules test` and the dry runs. The URL shows as its
 * origin only: its path and query may hold the receiver's token.
 */
export function renderWebhook(config: WebhookChannelConfig, event: NormalisedEvent, nowMs = Date.now()): RenderedMessage {
  const target = urlOrigin(config.url) ?? '(invalid URL)';
  return { text: `POST ${target} ${event.type} ${event.orderId}`, body: buildWebhookPayload(event, nowMs) };
}

/** Maps the receiver's HTTP answer to a result (docs/design.md#webhook-format, docs/design.md#retries). */
export function classifyWebhookResponse(
  status: number,
  headers: Headers,
  excerpt: string,
  nowMs: number,
): SendResult {
  const code = String(status);
  if (status >= 200 && status < 300) return { ok: true, code, response: excerpt };
  if (status === 410) {
    const reason = 'HTTP 410 Gone: receiver asked to stop';
    return { ok: false, retryable: false, disableChannel: true, code, response: excerpt, reason };
  }
  if (status === 429 || status === 503) {
    const retryAfterMs =
      parseRetryAfter(headers.get('retry-after'), nowMs) ?? (status === 429 ? DEFAULT_BACKOFF_MS : undefined);
    const result: SendResult = { ok: false, retryable: true, code, response: excerpt, reason: `HTTP ${status}` };
    return retryAfterMs === undefined ? result : { ...result, retryAfterMs };
  }
  if (status >= 300 && status < 400) {
    // Redirects are never followed: the next hop could be a private address, and the
    // signature was made for this URL. Retried like any other status, per docs/design.md#webhook-format.
    const location = headers.get('location') ?? '(no location)';
    const reason = `HTTP ${status} redirect to ${location} not followed; update the channel URL`;
    return { ok: false, retryable: true, code, response: excerpt, reason };
  }
  return { ok: false, retryable: true, code, response: excerpt, reason: `HTTP ${status}` };
}

function isTimeout(err: unknown): boolean {
  const name = (err as { name?: unknown })?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } })?.cause;
  const detail = cause?.code ?? cause?.message ?? (err as Error)?.message ?? String(err);
  return `network error: ${String(detail)}`;
}

/** Maps a thrown fetch error (timeout, refused connection, SSRF refusal) to a result. */
export function classifyWebhookError(err: unknown, timeoutMs: number): SendResult {
  if (isTimeout(err)) {
    return { ok: false, retryable: true, retryAfterMs: DEFAULT_BACKOFF_MS, reason: `timeout after ${timeoutMs} ms` };
  }
  if (isSsrfBlocked(err)) {
    const cause = (err as { cause?: Error }).cause;
    // Every connect-time refusal is an address one: WEBHOOK_ALLOW_PRIVATE lifts it.
    return { ok: false, retryable: false, reason: ssrfRefusal(cause?.message ?? (err as Error).message) };
  }
  return { ok: false, retryable: true, reason: describeNetworkError(err) };
}

/**
 * Signed downstream webhook (docs/design.md#webhook-format). The body is serialised once and that exact
 * string is signed and sent; `webhook-id` is the delivery id, so a receiver can drop a
 * retry it has already processed.
 */
export function createWebhookChannel(name: string, config: WebhookChannelConfig, deps: WebhookChannelDeps): Channel {
  // Constructing the signer validates the secret now, not on the first send.
  const sign = createWebhookSigner(config.secret);
  const doFetch = deps.fetch ?? globalThis.fetch;
  const clock = deps.clock ?? systemClock;
  const timeoutMs = config.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  const logger = deps.logger.child({ channel: name, channelType: 'webhook' });
  const target = splitUrlCredentials(config.url);
  const shownUrl = spanUrl(config.url, { pathIsSecret: true });

  async function send(job: DeliveryJob): Promise<SendResult> {
    // Checked on every send: the URL may come from a reloaded rules file.
    const check = checkWebhookUrl(config.url, deps.allowPrivate);
    if (!check.ok) return { ok: false, retryable: false, reason: check.allowPrivateLifts ? ssrfRefusal(check.reason) : `ssrf: ${check.reason}` };

    const now = clock.now();
    const body = JSON.stringify(buildWebhookPayload(job.event, now));
    const headers = new Headers(config.headers);
    if (target.authorization && !headers.has('authorization')) headers.set('authorization', target.authorization);
    // Set after the configured headers so a rules file cannot replace the signature.
    headers.set('content-type', 'application/json');
    headers.set('user-agent', `colt-relay/${deps.version}`);
    headers.set('webhook-id', job.id);
    const timestampS = Math.floor(now / 1000);
    headers.set('webhook-timestamp', String(timestampS));
    headers.set('webhook-signature', await sign(job.id, timestampS, body));

    return inHttpClientSpan(deps.tracer, { method: 'POST', url: shownUrl }, (span) => post(job, headers, body, span));
  }

  /** The POST itself, in its CLIENT span: the receiver gets that span's `traceparent` and can continue the trace. */
  async function post(job: DeliveryJob, headers: Headers, body: string, span: Span): Promise<SendResult> {
    for (const [name, value] of Object.entries(carrierHeaders(deps.tracer?.carrier() ?? null))) headers.set(name, value);
    // One signal bounds connect, headers and the excerpt read together.
    const signal = AbortSignal.timeout(timeoutMs);
    const init: RequestInit & { dispatcher?: unknown } = { method: 'POST', headers, body, redirect: 'manual', signal };
    try {
      if (deps.webhookAgent !== undefined) init.dispatcher = await deps.webhookAgent();
      const response = await doFetch(target.url, init);
      recordHttpStatus(span, response.status);
      // A slow body after a status line is still an answer: the status decides.
      const excerpt = await readResponseExcerpt(response).catch(() => '');
      const result = classifyWebhookResponse(response.status, response.headers, excerpt, clock.now());
      logger.debug({ deliveryId: job.id, status: response.status, ok: result.ok }, 'webhook answered');
      return result;
    } catch (err) {
      const result = classifyWebhookError(err, timeoutMs);
      if (!result.ok) span.fail(result.reason, err);
      logger.debug({ deliveryId: job.id, reason: !result.ok ? result.reason : undefined }, 'webhook failed');
      return result;
    }
  }

  return {
    name,
    type: 'webhook',
    render: (event) => renderWebhook(config, event, clock.now()),
    send,
  };
}
