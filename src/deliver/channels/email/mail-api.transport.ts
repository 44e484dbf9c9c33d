/**
 * Email over an HTTP mail API (Resend's `POST /emails`; other providers with the same
 * body work too), shaped as the part of a nodemailer `Transporter` that
 * `email.channel.ts` uses: `sendMail` and `close`. The Workers runtime passes it as
 * `mailTransport`, so the email channel (rendering, Message headers, error mapping) is
 * the same code on Node and Workers.
 *
 * Why an HTTP API on Workers: nodemailer's SMTP runs over workerd's `node:net` only in
 * plain text (its TLS options do not work there) and Cloudflare blocks port 25, so SMTP
 * from a Worker would send credentials in the clear. HTTPS does not have that problem.
 */
import type { MailTransport } from './email.channel.js';
import { redactUrlCredentials } from '../../../lib/url-credentials.js';
import { RESPONSE_EXCERPT_BYTES } from '../../../store/schema.js';
import { readResponseExcerpt } from '../response-excerpt.js';

/** @default 15000 */
export const DEFAULT_MAIL_API_TIMEOUT_MS = 15_000;

export interface MailApiTransportOptions {
  /** MAIL_API_KEY, sent as `Authorization: Bearer`. */
  apiKey: string;
  /** MAIL_API_URL (Resend's endpoint unless set). */
  url: string;
  /** @default DEFAULT_MAIL_API_TIMEOUT_MS */
  timeoutMs?: number;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** What email.channel.ts passes to sendMail. */
export interface MailApiMessage {
  from?: string;
  to?: string | string[];
  cc?: string | string[];
  subject?: string;
  text?: string;
  html?: string;
  messageId?: string;
  headers?: Record<string, string>;
}

/**
 * A failure in nodemailer's error shape, so `classifySmtpError` treats it like an SMTP
 * reply: `responseCode` 451 (try later) or 554 (final), or a `code` for network errors.
 */
export class MailApiError extends Error {
  constructor(
    message: string,
    readonly fields: { responseCode?: number; permanent?: boolean; response?: string; code?: string },
  ) {
    super(message);
    this.name = 'MailApiError';
    Object.assign(this, fields);
  }
}

const list = (value: string | string[] | undefined): string[] | undefined =>
  value === undefined ? undefined : Array.isArray(value) ? value : [value];

/** 429, 409 (the same idempotency key in flight) and 5xx are worth another try; other 4xx are not. */
function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 409 || status === 408 || status >= 500;
}

/** The delivery id: the `X-Colt-Relay-Delivery` header email.channel.ts sets. */
function deliveryIdOf(message: MailApiMessage): string | undefined {
  return message.headers?.['X-Colt-Relay-Delivery'];
}

/**
 * A transport that POSTs each message as JSON. The delivery id goes out as
 * `Idempotency-Key`, so a retry after a lost answer is not sent twice (Resend keeps keys
 * for 24 hours).
 */
export function createMailApiTransport(options: MailApiTransportOptions): MailTransport {
  const { url } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_MAIL_API_TIMEOUT_MS;
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));

  async function sendMail(message: MailApiMessage) {
    const headers = new Headers({ authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' });
    const deliveryId = deliveryIdOf(message);
    if (deliveryId) headers.set('idempotency-key', deliveryId);
    const body = JSON.stringify({
      from: message.from,
      to: list(message.to),
      ...(message.cc && { cc: list(message.cc) }),
      subject: message.subject,
      text: message.text,
      html: message.html,
      ...(message.headers && { headers: message.headers }),
    });
    let response: Response;
    try {
      response = await doFetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      const name = (err as Error)?.name;
      const timedOut = name === 'TimeoutError' || name === 'AbortError';
      // fetch quotes a URL with credentials whole (MAIL_API_URL): never its password.
      const detail = timedOut ? `timeout after ${timeoutMs} ms` : redactUrlCredentials((err as Error)?.message ?? String(err));
      throw new MailApiError(`mail API: ${detail}`, { code: timedOut ? 'ETIMEDOUT' : 'ECONNECTION' });
    }
    const excerpt = await readResponseExcerpt(response).catch(() => '');
    const answer = `${response.status} ${excerpt}`.slice(0, RESPONSE_EXCERPT_BYTES);
    if (response.ok) {
      return { messageId: message.messageId, accepted: list(message.to) ?? [], rejected: [], response: answer };
    }
    const permanent = !isRetryableStatus(response.status);
    const text = `mail API HTTP ${answer}`.slice(0, RESPONSE_EXCERPT_BYTES);
    throw new MailApiError(text, { responseCode: permanent ? 554 : 451, permanent, response: text });
  }

  // The channel calls only sendMail and close; the rest of nodemailer's Transporter is not needed.
  return { sendMail, close: () => undefined };
}
