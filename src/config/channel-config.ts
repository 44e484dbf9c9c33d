/**
 * The channels a rules file declares (DESIGN.md §4.3): their types and settings. They
 * belong to the rules, so src/config/ validates them without knowing src/deliver/, which
 * builds a sender from each.
 */

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
