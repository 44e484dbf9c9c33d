import type { ErrorCode } from '@slack/web-api';
import type { SendResult } from '../../channel.js';
import { DEFAULT_BACKOFF_MS } from '../../../lib/retry-after.js';
import { redactUrlCredentials } from '../../../lib/url-credentials.js';

/**
 * Slack platform errors that no retry can fix: the token, the channel or the message
 * itself is wrong (https://docs.slack.dev/reference/methods/chat.postMessage#errors).
 * Anything not listed (internal_error, service_unavailable, new codes) is retried: a
 * spurious retry costs a dead letter after the schedule, a wrong "permanent" loses a
 * notification.
 */
export const PERMANENT_SLACK_ERRORS = new Set([
  'channel_not_found',
  'invalid_auth',
  'not_authed',
  'not_in_channel',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'is_archived',
  'invalid_blocks',
  'invalid_blocks_format',
  'msg_too_long',
  'missing_scope',
  'no_permission',
  'restricted_action',
  'ekm_access_denied',
  'team_access_not_granted',
  'invalid_arguments',
  'no_text',
  'too_many_attachments',
  'cannot_reply_to_message',
]);

interface SlackErrorShape {
  code?: string;
  message?: string;
  name?: string;
  retryAfter?: number;
  statusCode?: number;
  body?: unknown;
  original?: { name?: string; message?: string; cause?: { code?: string } };
  data?: { error?: string; response_metadata?: { retryAfter?: number } };
}

/**
 * web-api's `ErrorCode` values, spelled out so that classifying an error does not load the
 * library; the types check them against its enum.
 */
const RATE_LIMITED: `${ErrorCode.RateLimitedError}` = 'slack_webapi_rate_limited_error';
const PLATFORM: `${ErrorCode.PlatformError}` = 'slack_webapi_platform_error';
const HTTP: `${ErrorCode.HTTPError}` = 'slack_webapi_http_error';
const REQUEST: `${ErrorCode.RequestError}` = 'slack_webapi_request_error';

/**
 * Maps what `@slack/web-api` throws (with its own retries off) to a result. Uses the
 * documented `code` values rather than `instanceof`, which breaks across module copies.
 */
export function classifySlackError(err: unknown, timeoutMs: number): SendResult & { ok: false } {
  const e = (err ?? {}) as SlackErrorShape;
  switch (e.code) {
    case RATE_LIMITED: {
      const seconds = e.retryAfter ?? DEFAULT_BACKOFF_MS / 1000;
      const reason = `slack: rate limited, retry after ${seconds} s`;
      return { ok: false, retryable: true, code: 'ratelimited', retryAfterMs: seconds * 1000, reason };
    }
    case PLATFORM: {
      const error = e.data?.error ?? 'unknown_error';
      if (error === 'ratelimited') {
        const seconds = e.data?.response_metadata?.retryAfter ?? DEFAULT_BACKOFF_MS / 1000;
        return { ok: false, retryable: true, code: error, retryAfterMs: seconds * 1000, reason: 'slack: ratelimited' };
      }
      return { ok: false, retryable: !PERMANENT_SLACK_ERRORS.has(error), code: error, reason: `slack: ${error}` };
    }
    case HTTP: {
      const body = typeof e.body === 'string' ? e.body.slice(0, 500) : undefined;
      const result = { ok: false as const, retryable: true, code: String(e.statusCode), reason: `slack: HTTP ${e.statusCode}` };
      return body ? { ...result, response: body } : result;
    }
    case REQUEST: {
      const original = e.original ?? {};
      if (original.name === 'TimeoutError' || original.name === 'AbortError') {
        return { ok: false, retryable: true, retryAfterMs: DEFAULT_BACKOFF_MS, reason: `slack: timeout after ${timeoutMs} ms` };
      }
      const detail = original.cause?.code ?? original.message ?? 'request failed';
      // fetch quotes a URL with credentials whole (SLACK_API_URL): never its password.
      return { ok: false, retryable: true, reason: redactUrlCredentials(`slack: network error: ${detail}`) };
    }
  }
  // A 429 whose Retry-After web-api could not read surfaces as a plain Error.
  if (/Retry header did not contain a valid timeout/.test(e.message ?? '')) {
    const reason = 'slack: rate limited without Retry-After';
    return { ok: false, retryable: true, code: '429', retryAfterMs: DEFAULT_BACKOFF_MS, reason };
  }
  return { ok: false, retryable: true, reason: redactUrlCredentials(`slack: ${e.message ?? String(err)}`) };
}
