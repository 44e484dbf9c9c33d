import { channelDisabledDetails, channelEnabledDetails } from '../../../event/channel-events.js';
import type { NormalisedEvent } from '../../../event/event.js';
import { eventNotes, eventSummary, failureDetail, orderUrl } from '../event-summary.js';
import type { RenderedMessage } from '../../channel.js';
import type { EmailChannelConfig } from '../../../config/channel-config.js';
import { failureLine, formatNumbers } from '../../../event/event.js';
import { escapeFor, renderTemplate } from '../../templates.js';

export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
}

/** Header values must stay on one line: a CR/LF from event data would start a new header. */
function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').trim();
}

/** `[colt-relay] Order IN-ORD-1 failed (activation)` */
export function defaultEmailSubject(event: NormalisedEvent): string {
  return `[colt-relay] ${eventSummary(event)}`;
}

type Rows = Array<[string, string]>;

/** The rows of a relay event (a channel disabled or enabled), or null for an order's. */
function relayRows(event: NormalisedEvent): Rows | null {
  const notes = eventNotes(event).map((note): [string, string] => ['Note', note]);
  const disabled = channelDisabledDetails(event);
  if (disabled) {
    return [
      ['Channel', disabled.channel],
      ['Channel type', disabled.channelType ?? '—'],
      ['Disabled by', disabled.disabledBy],
      ['Failing since', disabled.failingSince ?? '—'],
      ['Last success', disabled.lastSuccessAt ?? 'never'],
      ['Last error', disabled.lastError ?? '—'],
      ['Failures in a row', String(disabled.consecutiveFailures)],
      ['Disabled at', disabled.disabledAt],
      ['Event', event.eventId],
      ...notes,
    ];
  }
  const enabled = channelEnabledDetails(event);
  if (!enabled) return null;
  return [
    ['Channel', enabled.channel],
    ['Channel type', enabled.channelType ?? '—'],
    ['Enabled at', enabled.enabledAt],
    ['Disabled since', enabled.disabledAt],
    ['Disabled by', enabled.disabledBy ?? '—'],
    ['Disabled because', enabled.disabledReason ?? '—'],
    ['Event', event.eventId],
    ...notes,
  ];
}

/** The fields every notification shows, in reading order; a failed order's reason right after its status. */
function eventRows(event: NormalisedEvent): Rows {
  const relay = relayRows(event);
  if (relay) return relay;
  const detail = failureDetail(event);
  const why: Rows = event.failure ? [['Reason', failureLine(event.failure)], ...(detail ? [['Colt message', detail] as [string, string]] : [])] : [];
  const status = event.rawStatus && event.rawStatus !== event.status ? `${event.status} (${event.rawStatus})` : event.status;
  const rows: Rows = [
    ['Order', event.orderId],
    ['Type', event.orderType],
    ['Status', status],
    ...why,
    ['Numbers', formatNumbers(event.numbers) || '—'],
    ['Number type', event.numberType],
    ['Customer', event.customerRef ?? '—'],
    ['Occurred at', event.occurredAt],
    ['Received at', event.receivedAt],
    ['Event', event.eventId],
  ];
  for (const note of eventNotes(event)) rows.push(['Note', note]);
  return rows;
}

function defaultText(event: NormalisedEvent, url: string | null): string {
  const rows = eventRows(event);
  if (url) rows.push(['Link', url]);
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `${`${label}:`.padEnd(width + 2)}${value}`);
  return [defaultEmailSubject(event).replace('[colt-relay] ', ''), '', ...lines].join('\n');
}

function htmlBody(intro: string | null, event: NormalisedEvent, url: string | null): string {
  const e = (s: string) => escapeFor('html', s);
  const rows = eventRows(event)
    .map(([label, value]) => `<tr><th align="left" style="padding:2px 12px 2px 0">${e(label)}</th><td>${e(value)}</td></tr>`)
    .join('\n');
  const lead = intro === null ? `<p>${e(defaultEmailSubject(event).replace('[colt-relay] ', ''))}</p>` : `<p>${intro}</p>`;
  const link = url ? `\n<p><a href="${e(url)}">Open in colt-relay</a></p>` : '';
  return `<!doctype html>\n<html><body style="font-family:sans-serif">\n${lead}\n<table>\n${rows}\n</table>${link}\n</body></html>\n`;
}

/**
 * Subject and text use the channel's templates unescaped ('none': plain text has no
 * markup); the HTML part renders every event value HTML-escaped, including the custom
 * text template (rendered again with 'html' escaping, line breaks kept).
 */
export function buildEmailMessage(config: EmailChannelConfig, event: NormalisedEvent, publicUrl?: string): EmailMessage {
  const url = orderUrl(publicUrl, event.orderId);
  const subject = oneLine(config.subject ? renderTemplate(config.subject, event, 'none') : defaultEmailSubject(event));
  const text = config.text ? renderTemplate(config.text, event, 'none') : defaultText(event, url);
  const intro = config.text ? renderTemplate(config.text, event, 'html').replace(/\r?\n/g, '<br>\n') : null;
  return { subject, text, html: htmlBody(intro, event, url) };
}

/** What the email channel would send: pure, for `rules test` and the dry-run API. */
export function renderEmail(config: EmailChannelConfig, event: NormalisedEvent): RenderedMessage {
  const message = buildEmailMessage(config, event);
  return { subject: message.subject, text: message.text, body: { to: config.to, cc: config.cc ?? [], html: message.html } };
}
