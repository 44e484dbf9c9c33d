import type { LogLevel, Logger as SlackLogger, WebClient } from '@slack/web-api';
import type { Logger } from '../../../lib/logger.js';
import { inHttpClientSpan, type Tracer } from '../../../lib/tracing.js';
import { spanUrl } from '../../../config/secrets.js';
import type { Channel, DeliveryJob, GroupJob, SendResult } from '../../channel.js';
import type { SlackChannelConfig } from '../../../config/channel-config.js';
import { buildSlackGroupMessage } from '../group-message.js';
import { classifySlackError } from './errors.js';
import { buildSlackMessage, renderSlack, shouldUpdateParent, type SlackMessage } from './message.js';
import type { SlackThread, SlackThreadStore } from './threads.js';

/** @default 10000 */
export const DEFAULT_SLACK_TIMEOUT_MS = 10_000;

export interface SlackChannelDeps {
  /** SLACK_BOT_TOKEN (`xoxb-…`). */
  token: string;
  /** SLACK_API_URL: tests point this at a local peer. @default "https://slack.com/api/" */
  slackApiUrl?: string;
  threads: SlackThreadStore;
  logger: Logger;
  /** Per Web API call. @default 10000 */
  timeoutMs?: number;
  /** A fetch for web-api to use (Workers, proxies). @default globalThis.fetch */
  fetch?: typeof fetch;
  /** PUBLIC_URL: grouped messages link each order to its dashboard page. */
  publicUrl?: string;
  /** Each Web API call is a CLIENT span (docs/operations.md#tracing). @default none */
  tracer?: Tracer;
}

/** Routes web-api's own log lines into pino at debug level: they are chatty and ours say what matters. */
function slackLogger(logger: Logger): SlackLogger {
  const write =
    (level: 'debug' | 'warn' | 'error') =>
    (...msg: unknown[]) =>
      logger[level]({ slack: msg.map(String).join(' ') }, 'slack web-api');
  return {
    debug: write('debug'),
    info: write('debug'),
    warn: write('warn'),
    error: write('error'),
    setLevel: () => undefined,
    // LogLevel.DEBUG's value: the enum itself would load web-api before the first send.
    getLevel: () => 'debug' as LogLevel,
    setName: () => undefined,
  };
}

/**
 * Slack through `@slack/web-api` with its own retries off: the outbox owns retries and
 * the Retry-After pause (docs/design.md#retries, docs/design.md#platform-notes).
 *
 * One thread per order per Slack channel: the first notification of an order becomes the
 * parent, later ones reply in its thread (failures also broadcast to the channel), and
 * the parent is edited to show the order's current status.
 *
 * Duplicates: Slack has no idempotency key, so a retry after a post that Slack accepted
 * but whose answer was lost (timeout, dropped connection) posts the message again. The
 * window is one HTTP round trip: the thread is saved right after the post, and a failed
 * parent edit or thread save after a successful post does not fail the delivery.
 */
export function createSlackChannel(name: string, config: SlackChannelConfig, deps: SlackChannelDeps): Channel {
  const timeoutMs = deps.timeoutMs ?? DEFAULT_SLACK_TIMEOUT_MS;
  const logger = deps.logger.child({ channel: name, channelType: 'slack' });
  const slackApiUrl = deps.slackApiUrl ? deps.slackApiUrl.replace(/\/*$/, '/') : undefined;
  // web-api (and its HTTP stack) loads at the first send: a relay without Slack traffic never pays for it.
  let opened: Promise<WebClient> | undefined;
  const slack = () =>
    (opened ??= import('@slack/web-api').then(
      ({ WebClient }) =>
        new WebClient(deps.token, {
          ...(slackApiUrl ? { slackApiUrl } : {}),
          ...(deps.fetch ? { fetch: deps.fetch } : {}),
          retryConfig: { retries: 0 },
          rejectRateLimitedCalls: true,
          timeout: timeoutMs,
          logger: slackLogger(logger),
        }),
    ));
  /** One Web API call in its CLIENT span; web-api resolves only on HTTP 200 with `ok: true`. */
  const api = <T>(method: string, call: (client: WebClient) => Promise<T>): Promise<T> => {
    const url = spanUrl(`${slackApiUrl ?? 'https://slack.com/api/'}${method}`);
    return inHttpClientSpan(deps.tracer, { method: 'POST', url, template: new URL(url).pathname }, async (span) => {
      try {
        const answer = await call(await slack());
        span.setAttributes({ 'http.response.status_code': 200 });
        return answer;
      } catch (err) {
        span.fail(classifySlackError(err, timeoutMs).reason, err);
        throw err;
      }
    });
  };

  async function postParent(job: DeliveryJob, message: SlackMessage): Promise<SendResult> {
    const { event } = job;
    const posted = await api('chat.postMessage', (client) =>
      client.chat.postMessage({ channel: config.channel, ...message, unfurl_links: false, unfurl_media: false }),
    );
    const ts = posted.ts!;
    if (event.orderId === '') return { ok: true, code: 'ok', response: JSON.stringify({ channel: posted.channel, ts }) };
    try {
      await deps.threads.save(event.orderId, config.channel, ts, event.status);
    } catch (err) {
      // The message is out; failing now would post it twice. The next status starts a new thread.
      logger.error({ err, deliveryId: job.id, orderId: event.orderId }, 'slack thread not saved');
    }
    return { ok: true, code: 'ok', response: JSON.stringify({ channel: posted.channel, ts }) };
  }

  async function postReply(job: DeliveryJob, message: SlackMessage, thread: SlackThread): Promise<SendResult> {
    const { event } = job;
    const reply = { channel: config.channel, thread_ts: thread.threadTs, ...message, unfurl_links: false, unfurl_media: false };
    // A failure is worth the whole channel's attention, not only the thread's followers.
    const posted = await api('chat.postMessage', (client) =>
      client.chat.postMessage(event.status === 'failed' ? { ...reply, reply_broadcast: true } : reply),
    );
    if (shouldUpdateParent(thread.lastStatus, event)) {
      try {
        // chat.update wants the channel id; postMessage answered with it even if config names the channel.
        await api('chat.update', (client) => client.chat.update({ channel: posted.channel ?? config.channel, ts: thread.threadTs, ...message }));
        await deps.threads.save(event.orderId, config.channel, thread.threadTs, event.status);
      } catch (err) {
        // The reply (the notification) is out; a stale parent is cosmetic.
        const reason = classifySlackError(err, timeoutMs).reason;
        logger.warn({ err, deliveryId: job.id, orderId: event.orderId, reason }, 'slack parent not updated');
      }
    }
    const response = JSON.stringify({ channel: posted.channel, ts: posted.ts, thread_ts: thread.threadTs });
    return { ok: true, code: 'ok', response };
  }

  async function send(job: DeliveryJob): Promise<SendResult> {
    const message = buildSlackMessage(config, job.event, deps.publicUrl);
    let thread: SlackThread | null = null;
    try {
      // An event about no order (relay.channel_disabled) stands alone: no thread to join or start.
      if (job.event.orderId !== '') thread = await deps.threads.get(job.event.orderId, config.channel);
    } catch (err) {
      return { ok: false, retryable: true, reason: `slack thread store: ${(err as Error).message}` };
    }
    try {
      return thread ? await postReply(job, message, thread) : await postParent(job, message);
    } catch (err) {
      const result = classifySlackError(err, timeoutMs);
      logger.debug({ deliveryId: job.id, reason: result.reason }, 'slack post failed');
      return result;
    }
  }

  /** A group is one message in the channel, not a thread reply: it speaks for many orders. */
  async function sendGroup(job: GroupJob): Promise<SendResult> {
    const message = buildSlackGroupMessage(job, deps.publicUrl);
    try {
      const posted = await api('chat.postMessage', (client) =>
        client.chat.postMessage({ channel: config.channel, ...message, unfurl_links: false, unfurl_media: false }),
      );
      return { ok: true, code: 'ok', response: JSON.stringify({ channel: posted.channel, ts: posted.ts }) };
    } catch (err) {
      const result = classifySlackError(err, timeoutMs);
      logger.debug({ groupId: job.id, reason: result.reason }, 'slack group post failed');
      return result;
    }
  }

  return { name, type: 'slack', render: (event) => renderSlack(config, event), send, sendGroup };
}
