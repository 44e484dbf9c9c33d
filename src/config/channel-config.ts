/**
 * The channels a rules file declares (docs/design.md#rules-file): their types and settings. They
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

/** Days of the week as the rules file spells them (`quietHours.days`). */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * `quietHours` (docs/design.md#quiet-hours, Slack and email): deliveries due inside the window are held to its end.
 * `from`/`to` are wall-clock `HH:MM` in `tz`; `to` before `from` means the window crosses
 * midnight. `days` are the days a window STARTS on (all seven when absent).
 */
export interface QuietHoursConfig {
  /** IANA time zone, e.g. Europe/London. */
  tz: string;
  /** `HH:MM`, 24-hour. */
  from: string;
  /** `HH:MM`, 24-hour; equal to `from` is refused at load. */
  to: string;
  days: Weekday[];
}

/** `rateLimit: N/min` (docs/design.md#rate-limits, any channel): at most `count` sends per `periodMs`, across processes. */
export interface RateLimitConfig {
  count: number;
  periodMs: number;
  /** As written in the file (`20/min`), for messages. */
  text: string;
}

/** Settings every channel type may carry. */
export interface PacingConfig {
  rateLimit?: RateLimitConfig;
}

/** Settings of the channels a person reads (Slack, email). */
export interface HumanChannelConfig extends TemplateConfig, PacingConfig {
  quietHours?: QuietHoursConfig;
}

export interface SlackChannelConfig extends HumanChannelConfig {
  type: 'slack';
  /** Slack channel id (C…), or a name. */
  channel: string;
}
export interface EmailChannelConfig extends HumanChannelConfig {
  type: 'email';
  to: string[];
  cc?: string[];
  /** Overrides MAIL_FROM for this channel. */
  from?: string;
}
export interface WebhookChannelConfig extends PacingConfig {
  type: 'webhook';
  url: string;
  /** `whsec_<base64>` (Standard Webhooks). */
  secret: string;
  /** @default 15000 */
  timeoutMs?: number;
  /** Extra request headers. */
  headers?: Record<string, string>;
}
export interface LogChannelConfig extends TemplateConfig, PacingConfig {
  type: 'log';
}

/** Opens a Colt trouble ticket (TMF621) for the event's order, or notes on its open one (docs/design.md#trouble-tickets). */
export interface ColtTicketChannelConfig extends PacingConfig {
  type: 'colt-ticket';
  /** TMF621 `severity`, as Colt expects it (not published; e.g. "Major"). */
  severity: string;
  /** TMF621 `ticketType` (not published; e.g. "Order Failure"). */
  ticketType: string;
}

export type ChannelConfig = SlackChannelConfig | EmailChannelConfig | WebhookChannelConfig | LogChannelConfig | ColtTicketChannelConfig;

/** Channel types whose messages a person reads: they may group and keep quiet hours (docs/design.md#quiet-hours). */
export const HUMAN_CHANNEL_TYPES: readonly ChannelType[] = ['slack', 'email'];

/** What the dispatcher needs of a channel's settings beyond sending: when it may send (docs/design.md#notification-controls). */
export interface ChannelPolicy {
  rateLimit?: RateLimitConfig;
  quietHours?: QuietHoursConfig;
}

/** A channel's type with its pacing and quiet hours: what the dispatcher reads by channel name. */
export type ChannelPolicies = Readonly<Record<string, ChannelPolicy & { type: ChannelType }>>;

/** Every channel's policy, by name. */
export function channelPolicies(channels: Readonly<Record<string, ChannelConfig>>): ChannelPolicies {
  return Object.fromEntries(Object.entries(channels).map(([name, config]) => [name, { type: config.type, ...channelPolicy(config) }]));
}

/** A channel's pacing and quiet hours, whatever its type. */
export function channelPolicy(config: ChannelConfig): ChannelPolicy {
  const policy: ChannelPolicy = {};
  if (config.rateLimit) policy.rateLimit = config.rateLimit;
  if ((config.type === 'slack' || config.type === 'email') && config.quietHours) policy.quietHours = config.quietHours;
  return policy;
}
