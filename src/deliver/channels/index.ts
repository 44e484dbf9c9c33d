import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { Tracer } from '../../lib/tracing.js';
import type { NormalisedEvent } from '../../event/event.js';
import type { Channel, RenderedMessage } from '../channel.js';
import type { ChannelConfig, ChannelType } from '../../config/channel-config.js';
import { createEmailChannel, createSmtpTransport, type MailTransport } from './email/email.channel.js';
import { renderEmail } from './email/message.js';
import { createColtTicketChannel, renderColtTicket, type ColtTicketDeps } from './colt-ticket/colt-ticket.channel.js';
import { createLogChannel, renderLog } from './log/log.channel.js';
import { createSlackChannel } from './slack/slack.channel.js';
import { renderSlack } from './slack/message.js';
import type { SlackThreadStore } from './slack/threads.js';
import { createUnconfiguredChannel } from './unconfigured.channel.js';
import { createWebhookChannel, renderWebhook } from './webhook/webhook.channel.js';

export type { SlackThread, SlackThreadStore } from './slack/threads.js';
export { createMemorySlackThreadStore } from './slack/threads.js';

/** Everything the channels need from the runtime; parsed from the environment by the caller. */
export interface ChannelDeps {
  logger: Logger;
  /** Package version: webhook `user-agent: colt-relay/<version>`. */
  version: string;
  /** Webhook fetch. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Gives the webhook agent (undici `dispatcher`): the SSRF-checking undici Agent on Node (src/runtime/node/ssrf-agent.ts). */
  webhookAgent?: () => Promise<unknown>;
  /** WEBHOOK_ALLOW_PRIVATE. */
  allowPrivate: boolean;
  /** SMTP_URL; absent → email channels are created but refuse to send. */
  smtpUrl?: string;
  /** MAIL_FROM; an email channel's own `from` wins. */
  mailFrom?: string;
  /** A ready mail transport instead of SMTP_URL (Workers mail API, tests). */
  mailTransport?: MailTransport;
  /** SLACK_BOT_TOKEN; absent → Slack channels are created but refuse to send. */
  slackToken?: string;
  /** SLACK_API_URL. @default "https://slack.com/api/" */
  slackApiUrl?: string;
  /** Per Slack Web API call. @default 10000 */
  slackTimeoutMs?: number;
  slackThreads: SlackThreadStore;
  /** @default systemClock */
  clock?: Clock;
  /** PUBLIC_URL: grouped Slack and email messages link each order to its dashboard page. */
  publicUrl?: string;
  /** Webhook POSTs, Slack calls and SMTP sends are CLIENT spans (docs/operations.md#tracing). @default none */
  tracer?: Tracer;
  /** The Colt client, COLT_TICKET_API_BASE_URL and the orders' tickets; absent → colt-ticket channels refuse to send. */
  coltTickets?: Omit<ColtTicketDeps, 'logger'> | { missing: string };
}

/** The channels by name, plus one line per channel that cannot send as configured. */
export type ChannelSet = Map<string, Channel> & { readonly warnings: readonly string[] };

type ConfigOf<T extends ChannelType> = Extract<ChannelConfig, { type: T }>;
type Built = { channel: Channel; warning?: string };
/** Shared per createChannels call: one SMTP pool for every email channel. */
type Context = ChannelDeps & { smtpTransport: () => MailTransport | undefined };

type Renderer<T extends ChannelType> = (config: ConfigOf<T>, event: NormalisedEvent, nowMs: number) => RenderedMessage;

const renderers: { [T in ChannelType]: Renderer<T> } = {
  email: (config, event) => renderEmail(config, event),
  slack: (config, event) => renderSlack(config, event),
  webhook: (config, event, nowMs) => renderWebhook(config, event, nowMs),
  log: (config, event) => renderLog(config, event),
  'colt-ticket': (config, event) => renderColtTicket(config, event),
};

function unconfigured(name: string, config: ChannelConfig, reason: string): Built {
  const render = (event: NormalisedEvent) => renderMessage(name, config, event);
  return { channel: createUnconfiguredChannel(name, config.type, render, reason), warning: reason };
}

type Factory<T extends ChannelType> = (name: string, config: ConfigOf<T>, ctx: Context) => Built;

const factories: { [T in ChannelType]: Factory<T> } = {
  email: (name, config, ctx) => {
    const transport = ctx.smtpTransport();
    if (!transport) return unconfigured(name, config, 'SMTP_URL is not set');
    const from = config.from ?? ctx.mailFrom;
    if (!from) return unconfigured(name, config, 'MAIL_FROM is not set and the channel has no from');
    const channel = createEmailChannel(name, config, {
      smtpUrl: ctx.smtpUrl ?? '',
      from,
      transport,
      logger: ctx.logger,
      ...(ctx.publicUrl ? { publicUrl: ctx.publicUrl } : {}),
      ...(ctx.tracer && { tracer: ctx.tracer }),
    });
    return { channel };
  },
  slack: (name, config, ctx) => {
    if (!ctx.slackToken) return unconfigured(name, config, 'SLACK_BOT_TOKEN is not set');
    return {
      channel: createSlackChannel(name, config, {
        token: ctx.slackToken,
        threads: ctx.slackThreads,
        logger: ctx.logger,
        ...(ctx.slackApiUrl ? { slackApiUrl: ctx.slackApiUrl } : {}),
        ...(ctx.slackTimeoutMs ? { timeoutMs: ctx.slackTimeoutMs } : {}),
        ...(ctx.publicUrl ? { publicUrl: ctx.publicUrl } : {}),
        ...(ctx.tracer && { tracer: ctx.tracer }),
      }),
    };
  },
  webhook: (name, config, ctx) => {
    try {
      return { channel: createWebhookChannel(name, config, ctx) };
    } catch {
      // The library's message is not shown: it could quote part of the secret.
      return unconfigured(name, config, 'webhook secret is not valid (expected whsec_<base64>)');
    }
  },
  log: (name, config, ctx) => ({ channel: createLogChannel(name, config, ctx) }),
  'colt-ticket': (name, config, ctx) => {
    const tickets = ctx.coltTickets ?? { missing: 'COLT_TICKET_API_BASE_URL is not set' };
    if ('missing' in tickets) return unconfigured(name, config, tickets.missing);
    return { channel: createColtTicketChannel(name, config, { ...tickets, logger: ctx.logger }) };
  },
};

/**
 * Builds every channel of the rules file. A channel whose transport is not configured
 * is still created (so rules naming it stay valid and `render` works) but its sends fail
 * permanently; each such channel adds a line to `warnings` for the startup log.
 */
export function createChannels(configs: Record<string, ChannelConfig>, deps: ChannelDeps): ChannelSet {
  let transport: MailTransport | undefined;
  const ctx: Context = {
    ...deps,
    smtpTransport: () => {
      if (!transport && !deps.mailTransport && deps.smtpUrl) transport = createSmtpTransport(deps.smtpUrl);
      return deps.mailTransport ?? transport;
    },
  };
  const channels = new Map<string, Channel>();
  const warnings: string[] = [];
  for (const [name, config] of Object.entries(configs)) {
    const factory = factories[config.type] as Factory<ChannelType>;
    const built = factory(name, config, ctx);
    if (built.warning) warnings.push(`channel "${name}" (${config.type}): ${built.warning}`);
    channels.set(name, built.channel);
  }
  return Object.assign(channels, { warnings });
}

/**
 * What a channel would send for an event, without any transport: `rules test` and the
 * dry-run API. The `name` is the channel's name in the rules file.
 */
export function renderMessage(
  _name: string,
  config: ChannelConfig,
  event: NormalisedEvent,
  nowMs = Date.now(),
): RenderedMessage {
  // TypeScript cannot pair renderers[config.type] with config's own type; the mapped type above guarantees it.
  const render = renderers[config.type] as Renderer<ChannelType>;
  return render(config, event, nowMs);
}

/** Closes every channel's pooled connections (SIGTERM drain). */
export async function closeChannels(channels: Iterable<Channel>): Promise<void> {
  await Promise.allSettled(Array.from(channels, (c) => c.close?.()));
}
