import type { NormalisedEvent } from '../event/event.js';

/** Every channel type the rules file may name. Add one here and the compiler asks for its factory. */
export const CHANNEL_TYPES = ['email', 'slack', 'webhook', 'log', 'colt-ticket'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/** Per-channel message templates: `{{field}}` placeholders over the normalised event. */
export interface TemplateConfig {
  subject?: string;
  text?: string;
}

export interface SlackChannelConfig extends TemplateConfig {
  type: 'slack';
  /** Slack channel id (C…), or a name. */
  channel: string;
}
export interface EmailChannelConfig extends TemplateConfig {
  type: 'email';
  to: string[];
  cc?: string[];
  /** Overrides MAIL_FROM for this channel. */
  from?: string;
}
export interface WebhookChannelConfig {
  type: 'webhook';
  url: string;
  /** `whsec_<base64>` (Standard Webhooks). */
  secret: string;
  /** @default 15000 */
  timeoutMs?: number;
  /** Extra request headers. */
  headers?: Record<string, string>;
}
export interface LogChannelConfig extends TemplateConfig {
  type: 'log';
}

/** Opens a Colt trouble ticket (TMF621) for the event's order, or notes on its open one (§8.5). */
export interface ColtTicketChannelConfig {
  type: 'colt-ticket';
  /** TMF621 `severity`, as Colt expects it (not published; e.g. "Major"). */
  severity: string;
  /** TMF621 `ticketType` (not published; e.g. "Order Failure"). */
  ticketType: string;
}

export type ChannelConfig = SlackChannelConfig | EmailChannelConfig | WebhookChannelConfig | LogChannelConfig | ColtTicketChannelConfig;

/** One notification to send: an event for one named channel. */
export interface DeliveryJob {
  /** Delivery id: stable across retries (the webhook-id). */
  id: string;
  /** Name of the channel in the rules file. */
  channelName: string;
  /** 1 for the first try. */
  attempt: number;
  event: NormalisedEvent;
}

export type SendResult =
  | {
      ok: true;
      /** Peer's answer code: HTTP status, SMTP code, Slack "ok". */
      code?: string;
      /** Start of the peer's answer, at most 4 KiB. */
      response?: string;
    }
  | {
      ok: false;
      /** False when trying again cannot help (410, SMTP 5xx, channel_not_found). */
      retryable: boolean;
      reason: string;
      code?: string;
      response?: string;
      /** The peer asked us to wait this long (Retry-After): pauses the whole channel. */
      retryAfterMs?: number;
      /** The peer asked us never to send again (webhook 410). */
      disableChannel?: boolean;
    };

/** What a channel would send, for `rules test` and the dry-run API. */
export interface RenderedMessage {
  subject?: string;
  text: string;
  /** Channel-specific body: email HTML, Slack blocks, webhook JSON. */
  body?: unknown;
}

export interface Channel {
  readonly name: string;
  readonly type: ChannelType;
  render(event: NormalisedEvent): RenderedMessage;
  send(job: DeliveryJob): Promise<SendResult>;
  /** Release pooled connections. */
  close?(): Promise<void>;
}

/** Caps a peer's answer before it is stored with an attempt. */
export const RESPONSE_EXCERPT_BYTES = 4096;
