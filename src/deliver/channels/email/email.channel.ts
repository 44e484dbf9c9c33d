import type { NodemailerError, SendMailOptions } from 'nodemailer';
import type { Logger } from '../../../lib/logger.js';
import { inSpan, type SpanAttributes, type Tracer } from '../../../lib/tracing.js';
import { RESPONSE_EXCERPT_BYTES } from '../../../store/schema.js';
import type { Channel, DeliveryJob, GroupJob, SendResult } from '../../channel.js';
import type { EmailChannelConfig } from '../../../config/channel-config.js';
import { buildEmailMessage, renderEmail, type EmailMessage } from './message.js';
import { buildEmailGroupMessage } from '../group-message.js';
import { DEFAULT_BACKOFF_MS } from '../../../lib/retry-after.js';
import { redactUrlCredentials } from '../../../lib/url-credentials.js';

/** The part of a nodemailer Transporter the channel uses (SMTP pool, Workers mail API, tests). */
export interface MailTransport {
  /** Resolves with the server's answer and the recipients it refused, as nodemailer does. */
  sendMail(mail: SendMailOptions): Promise<{ response?: string; rejected?: readonly unknown[] }>;
  close(): void;
}

export interface EmailChannelDeps {
  /** SMTP_URL, e.g. `smtps://user:pass@smtp.example.com` or `smtp://127.0.0.1:2525`. */
  smtpUrl: string;
  /** MAIL_FROM; a channel's own `from` wins. */
  from: string;
  logger: Logger;
  /** A ready transport (tests, Workers mail APIs); when set, smtpUrl is not used. */
  transport?: MailTransport;
  /** PUBLIC_URL: grouped messages link each order to its dashboard page. */
  publicUrl?: string;
  /** Each message sent is a CLIENT span (docs/operations.md#tracing). @default none */
  tracer?: Tracer;
}

/** The SMTP server as a span names it: host and port only (SMTP_URL may hold a password). */
function smtpServer(smtpUrl: string): SpanAttributes {
  try {
    const u = new URL(smtpUrl);
    return { 'server.address': u.hostname, 'server.port': u.port ? Number(u.port) : u.protocol === 'smtps:' ? 465 : 587, 'network.protocol.name': 'smtp' };
  } catch {
    return { 'network.protocol.name': 'smtp' };
  }
}

/**
 * Pool settings: a few reused connections, and timeouts so a stuck server costs a retry,
 * not a dispatcher. `maxRequeues: 0` because the outbox owns retries: the pool would otherwise
 * resend a message whose connection dropped mid-DATA, on top of the outbox's own retry.
 */
export function createSmtpTransport(smtpUrl: string): MailTransport {
  // nodemailer loads at the first message: a relay that sends no email never pays for it.
  let pool: Promise<MailTransport> | undefined;
  const open = () =>
    (pool ??= import('nodemailer').then(({ default: nodemailer }) =>
      nodemailer.createTransport({
        url: smtpUrl,
        pool: true,
        maxConnections: 3,
        maxMessages: 100,
        maxRequeues: 0,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
        dnsTimeout: 10_000,
      }),
    ));
  return {
    sendMail: async (mail) => (await open()).sendMail(mail),
    close: () => void pool?.then((transport) => transport.close()),
  };
}

/** The Message-ID of a delivery: the same on every retry, so a mail system can spot the duplicate. */
export function deliveryMessageId(deliveryId: string): string {
  return `<${deliveryId}@colt-relay>`;
}

// Errors without an SMTP reply that a retry cannot fix: the configuration is wrong.
const PERMANENT_CODES = new Set(['ECONFIG', 'ENOAUTH', 'EENVELOPE']);

/**
 * SMTP replies: 4xx is "try later", 5xx is final (nodemailer's `permanent`, which counts
 * 503 "bad sequence" as transient). Errors without a reply (refused connection, DNS,
 * TLS, timeout) are retried; a timeout waits at least a minute (docs/design.md#retries).
 */
export function classifySmtpError(err: unknown): SendResult & { ok: false } {
  const e = (err ?? {}) as NodemailerError;
  const response = e.response?.slice(0, RESPONSE_EXCERPT_BYTES);
  const reason = redactUrlCredentials(`smtp: ${e.response ?? e.message ?? String(err)}`);
  if (typeof e.responseCode === 'number') {
    const permanent = e.permanent ?? (e.responseCode >= 500 && e.responseCode !== 503);
    return { ok: false, retryable: !permanent, code: String(e.responseCode), reason, ...(response ? { response } : {}) };
  }
  if (e.code === 'ETIMEDOUT') return { ok: false, retryable: true, code: e.code, retryAfterMs: DEFAULT_BACKOFF_MS, reason };
  return { ok: false, retryable: !PERMANENT_CODES.has(e.code ?? ''), ...(e.code ? { code: e.code } : {}), reason };
}

/**
 * Email through a pooled nodemailer SMTP transport. Every message carries the delivery
 * id as its Message-ID and in `X-Colt-Relay-Delivery`.
 */
export function createEmailChannel(name: string, config: EmailChannelConfig, deps: EmailChannelDeps): Channel {
  const transport = deps.transport ?? createSmtpTransport(deps.smtpUrl);
  const logger = deps.logger.child({ channel: name, channelType: 'email' });

  /** Sends one message; `id` (delivery or group) is its Message-ID, the same on every retry. */
  async function sendMessage(id: string, message: EmailMessage, header: string): Promise<SendResult> {
    const attributes = deps.smtpUrl ? smtpServer(deps.smtpUrl) : { 'network.protocol.name': 'smtp' };
    return inSpan(deps.tracer, 'smtp send', { kind: 'client', attributes }, async (span) => {
      const result = await sendOne(id, message, header);
      span.setAttributes({ 'colt_relay.smtp.code': result.code });
      if (!result.ok) span.fail(result.reason);
      return result;
    });
  }

  async function sendOne(id: string, message: EmailMessage, header: string): Promise<SendResult> {
    try {
      const info = await transport.sendMail({
        from: config.from ?? deps.from,
        to: config.to,
        ...(config.cc?.length ? { cc: config.cc } : {}),
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId: deliveryMessageId(id),
        headers: { [header]: id },
      });
      const answer = String(info.response ?? '');
      if (info.rejected?.length) {
        // Some recipients got it: retrying would send them a second copy.
        logger.warn({ id, rejected: info.rejected }, 'smtp rejected some recipients');
      }
      const rejected = info.rejected?.length ? ` (rejected: ${info.rejected.join(', ')})` : '';
      return { ok: true, code: answer.slice(0, 3) || '250', response: `${answer}${rejected}`.slice(0, RESPONSE_EXCERPT_BYTES) };
    } catch (err) {
      const result = classifySmtpError(err);
      logger.debug({ id, reason: result.reason }, 'smtp send failed');
      return result;
    }
  }

  const send = (job: DeliveryJob) => sendMessage(job.id, buildEmailMessage(config, job.event, deps.publicUrl), 'X-Colt-Relay-Delivery');
  const sendGroup = (job: GroupJob) => sendMessage(job.id, buildEmailGroupMessage(job, deps.publicUrl), 'X-Colt-Relay-Group');

  return {
    name,
    type: 'email',
    render: (event) => renderEmail(config, event),
    send,
    sendGroup,
    close: async () => {
      transport.close();
    },
  };
}
