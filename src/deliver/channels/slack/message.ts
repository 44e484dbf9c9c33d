import { channelDisabledDetails, channelEnabledDetails, type ChannelDisabledPayload, type ChannelEnabledPayload } from '../../../event/channel-events.js';
import { STATUS_RANK, type EventStatus, type NormalisedEvent } from '../../../event/event.js';
import { eventNotes, eventSummary, failureDetail, orderUrl, statusLabel } from '../event-summary.js';
import type { RenderedMessage } from '../../channel.js';
import type { SlackChannelConfig } from '../../../config/channel-config.js';
import { failureLine, formatNumbers } from '../../../event/event.js';
import { escapeFor, renderTemplate } from '../../templates.js';

/** The emoji in front of every Slack notification, by normalised status. */
export const STATUS_EMOJI: Record<EventStatus, string> = {
  completed: '✅',
  failed: '❌',
  raised: '🆕',
  in_progress: '⏳',
  cancelled: '🚫',
  unknown: '❔',
};

// Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks): header text 150,
// section text 3000, a field 2000. Values are cut well inside them.
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_VALUE_MAX = 300;

interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}
interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
}
/** The Block Kit subset this channel sends; structurally a `KnownBlock`. */
export type SlackBlock =
  | { type: 'header'; text: PlainText }
  | { type: 'section'; text?: Mrkdwn; fields?: Mrkdwn[] }
  | { type: 'context'; elements: Mrkdwn[] };

export interface SlackMessage {
  /** Notification and screen-reader fallback: always set. */
  text: string;
  blocks: SlackBlock[];
}

function cut(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

/** Cuts already-escaped mrkdwn without leaving half an entity (`&am`) at the end. */
function cutMrkdwn(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1).replace(/&[a-z]*$/, '')}…`;
}

/** Event-derived text is escaped for mrkdwn: `<`, `>` and `&` would otherwise form links and mentions. */
function field(label: string, value: string | null): Mrkdwn {
  const shown = value === null || value === '' ? '—' : escapeFor('mrkdwn', cut(value, FIELD_VALUE_MAX));
  return { type: 'mrkdwn', text: `*${label}*\n${shown}` };
}

/** `✅ Order IN-ORD-1 completed (activation)`, escaped for mrkdwn. */
export function defaultSlackText(event: NormalisedEvent): string {
  const summary = eventSummary(event);
  return `${emojiOf(event)} ${escapeFor('mrkdwn', summary)}`;
}

/** A disabled channel stands out from every order status; an enabled one reads as good news. */
const CHANNEL_DISABLED_EMOJI = '⛔';
const CHANNEL_ENABLED_EMOJI = '🟢';

function emojiOf(event: NormalisedEvent): string {
  if (channelDisabledDetails(event)) return CHANNEL_DISABLED_EMOJI;
  return channelEnabledDetails(event) ? CHANNEL_ENABLED_EMOJI : STATUS_EMOJI[event.status];
}

/** The header and fields of a relay.channel_disabled event: about a channel, not an order. */
function channelDisabledParts(d: ChannelDisabledPayload): { header: string; fields: Mrkdwn[] } {
  return {
    header: `${CHANNEL_DISABLED_EMOJI} Channel ${d.channel} disabled`,
    fields: [
      field('Channel', d.channel),
      field('Channel type', d.channelType),
      field('Disabled by', d.disabledBy),
      field('Failing since', d.failingSince),
      field('Last success', d.lastSuccessAt ?? 'never'),
      field('Last error', d.lastError),
      field('Disabled at', d.disabledAt),
    ],
  };
}

/** The header and fields of a relay.channel_enabled event. */
function channelEnabledParts(d: ChannelEnabledPayload): { header: string; fields: Mrkdwn[] } {
  return {
    header: `${CHANNEL_ENABLED_EMOJI} Channel ${d.channel} enabled`,
    fields: [
      field('Channel', d.channel),
      field('Channel type', d.channelType),
      field('Enabled at', d.enabledAt),
      field('Disabled since', d.disabledAt),
      field('Disabled by', d.disabledBy),
      field('Disabled because', d.disabledReason),
    ],
  };
}

/** An order's fields; a failed one's reason first, since it is what the reader acts on. */
function orderFields(event: NormalisedEvent, statusText: string): Mrkdwn[] {
  const reason = event.failure ? [field('Reason', failureLine(event.failure))] : [];
  const detail = failureDetail(event);
  return [
    ...reason,
    ...(detail ? [field('Colt message', detail)] : []),
    field('Order', event.orderId),
    field('Type', event.orderType),
    field('Status', statusText),
    field('Numbers', formatNumbers(event.numbers)),
    field('Customer', event.customerRef),
    field('Occurred at', event.occurredAt),
  ];
}

/** Header and fields: a channel's relay event, or an order's. */
function messageParts(event: NormalisedEvent, statusText: string): { header: string; fields: Mrkdwn[]; aboutOrder: boolean } {
  const disabled = channelDisabledDetails(event);
  if (disabled) return { ...channelDisabledParts(disabled), aboutOrder: false };
  const enabled = channelEnabledDetails(event);
  if (enabled) return { ...channelEnabledParts(enabled), aboutOrder: false };
  const header = `${STATUS_EMOJI[event.status]} Order ${event.orderId} ${statusLabel(event.status)}`;
  return { header, fields: orderFields(event, statusText), aboutOrder: true };
}

/**
 * The Block Kit message for an event: header with status emoji and order id, the order's
 * fields, the event id as context. The header is `plain_text`, which Slack never parses
 * for links or mentions; every mrkdwn value is escaped.
 */
export function buildSlackMessage(config: SlackChannelConfig, event: NormalisedEvent, publicUrl?: string): SlackMessage {
  const custom = config.text ? cutMrkdwn(renderTemplate(config.text, event, 'mrkdwn'), SECTION_MAX) : null;
  const statusText =
    event.rawStatus && event.rawStatus !== event.status
      ? `${statusLabel(event.status)} (${event.rawStatus})`
      : statusLabel(event.status);
  const parts = messageParts(event, statusText);
  const blocks: SlackBlock[] = [{ type: 'header', text: { type: 'plain_text', text: cut(parts.header, HEADER_MAX), emoji: true } }];
  if (custom) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: custom } });
  blocks.push({ type: 'section', fields: parts.fields });
  const notes = eventNotes(event).map((note) => ` · ${escapeFor('mrkdwn', note)}`).join('');
  const url = parts.aboutOrder ? orderUrl(publicUrl, event.orderId) : null;
  const link = url ? ` · <${url}|Open in colt-relay>` : '';
  const context = cutMrkdwn(`Event ${escapeFor('mrkdwn', event.eventId)}${notes}${link}`, SECTION_MAX);
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context }] });
  return { text: custom ?? cutMrkdwn(defaultSlackText(event), SECTION_MAX), blocks };
}

/** What the Slack channel would post: pure, for `rules test` and the dry-run API. */
export function renderSlack(config: SlackChannelConfig, event: NormalisedEvent): RenderedMessage {
  const message = buildSlackMessage(config, event);
  return { text: message.text, body: { channel: config.channel, blocks: message.blocks } };
}

/**
 * Whether the thread's parent should be edited to show this event's status: only when
 * the order moved forward. Parents mirror the monotonic order status (STATUS_RANK), so a
 * late or duplicate event never rolls the parent back, and one terminal state does not
 * replace another.
 */
export function shouldUpdateParent(lastStatus: string, event: NormalisedEvent): boolean {
  if (event.stale) return false;
  const lastRank = Object.hasOwn(STATUS_RANK, lastStatus) ? STATUS_RANK[lastStatus as EventStatus] : -1;
  return STATUS_RANK[event.status] > lastRank;
}
