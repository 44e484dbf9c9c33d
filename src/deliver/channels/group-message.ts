/**
 * One message for a group of events (docs/design.md#grouping), for Slack (Block Kit with a text fallback)
 * and email (HTML and text): a heading with the rule and the group's values, the orders
 * counted by status, the first GROUP_LIST_MAX orders (linked to the dashboard when
 * PUBLIC_URL is set) and "and M more". Pure: the channels send what these build.
 */
import { failureLine, type NormalisedEvent } from '../../event/event.js';
import type { GroupJob } from '../channel.js';
import { escapeFor } from '../templates.js';
import { STATUS_EMOJI, type SlackBlock, type SlackMessage } from './slack/message.js';
import { orderUrl, statusLabel } from './event-summary.js';
import type { EmailMessage } from './email/message.js';

/** Orders listed by name in one grouped message; the rest are counted. */
export const GROUP_LIST_MAX = 10;

// Block Kit limits: header 150, section text 3000.
const HEADER_MAX = 150;
const SECTION_MAX = 3000;

/** A group's content, whatever the target: one line per order (its latest event in the group). */
export interface GroupSummary {
  rule: string;
  /** `customerRef: ACME, orderType: activation`; empty when the rule groups by nothing. */
  values: string;
  /** Distinct orders in the group. */
  orders: number;
  /** Orders by status (of their latest event here), most frequent first. */
  byStatus: Array<{ status: string; count: number }>;
  /** The first GROUP_LIST_MAX orders, oldest first. */
  listed: NormalisedEvent[];
  /** Orders not listed. */
  more: number;
}

export function summariseGroup(job: Pick<GroupJob, 'rule' | 'values' | 'events'>): GroupSummary {
  // An order with several events in the group is shown once, with its latest status.
  const latest = new Map<string, NormalisedEvent>();
  for (const event of job.events) {
    latest.delete(event.orderId);
    latest.set(event.orderId, event);
  }
  const orders = [...latest.values()];
  const counts = new Map<string, number>();
  for (const e of orders) counts.set(e.status, (counts.get(e.status) ?? 0) + 1);
  const byStatus = [...counts].map(([status, count]) => ({ status, count })).sort((a, b) => b.count - a.count);
  const values = Object.entries(job.values)
    .map(([field, value]) => `${field}: ${value ?? '—'}`)
    .join(', ');
  const listed = orders.slice(0, GROUP_LIST_MAX);
  return { rule: job.rule, values, orders: orders.length, byStatus, listed, more: orders.length - listed.length };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `12 orders: 10 failed, 2 completed`. */
function countsLine(s: GroupSummary): string {
  return `${plural(s.orders, 'order')}: ${s.byStatus.map((b) => `${b.count} ${statusLabel(b.status)}`).join(', ')}`;
}

/** `failures-to-ops (customerRef: ACME)`. */
function headingOf(s: GroupSummary): string {
  return s.values ? `${s.rule} (${s.values})` : s.rule;
}

/** The emoji of the group: the most frequent status's. */
function emojiOf(s: GroupSummary): string {
  const top = s.byStatus[0]?.status as keyof typeof STATUS_EMOJI | undefined;
  return (top && STATUS_EMOJI[top]) ?? STATUS_EMOJI.unknown;
}

/** `IN-ORD-1 failed (activation)` plus the customer, and Colt's reason for a failed order (`: E-4021 · …`). */
function orderLine(e: NormalisedEvent): string {
  const why = e.failure ? `: ${failureLine(e.failure)}` : '';
  return `${e.orderId} ${statusLabel(e.status)} (${e.orderType})${e.customerRef ? ` · ${e.customerRef}` : ''}${why}`;
}

function cut(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, max - 1)}…`;
}

/** The grouped Slack message: never threaded per order (one message for many orders). */
export function buildSlackGroupMessage(job: GroupJob, publicUrl?: string): SlackMessage {
  const s = summariseGroup(job);
  const m = (text: string) => escapeFor('mrkdwn', text);
  const lines = s.listed.map((e) => {
    const url = orderUrl(publicUrl, e.orderId);
    const rest = m(orderLine(e).slice(e.orderId.length));
    // Link text and URL are escaped: `|`, `<` and `>` would end the link early.
    return `${STATUS_EMOJI[e.status]} ${url ? `<${m(url).replace(/\|/g, '%7C')}|${m(e.orderId)}>` : m(e.orderId)}${rest}`;
  });
  if (s.more > 0) lines.push(`…and ${s.more} more`);
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(`${emojiOf(s)} ${countsLine(s)}`, HEADER_MAX), emoji: true } },
    { type: 'section', text: { type: 'mrkdwn', text: cut(`*${m(headingOf(s))}*`, SECTION_MAX) } },
    { type: 'section', text: { type: 'mrkdwn', text: cutLines(lines, SECTION_MAX) } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `Group ${m(job.id)} · ${plural(job.events.length, 'event')}` }] },
  ];
  const fallback = [`${emojiOf(s)} ${m(countsLine(s))} · ${m(headingOf(s))}`, ...s.listed.map((e) => m(orderLine(e)))];
  if (s.more > 0) fallback.push(`…and ${s.more} more`);
  return { text: cutLines(fallback, SECTION_MAX), blocks };
}

/** Whole lines only, so a cut never leaves half a link or entity. */
function cutLines(lines: string[], max: number): string {
  let out = '';
  for (const line of lines) {
    const next = out ? `${out}\n${line}` : line;
    if (next.length > max - 2) return `${out}\n…`;
    out = next;
  }
  return out;
}

/** The grouped email: subject, text and HTML with the same content. */
export function buildEmailGroupMessage(job: GroupJob, publicUrl?: string): EmailMessage {
  const s = summariseGroup(job);
  const subject = `[colt-relay] ${countsLine(s)} · ${headingOf(s)}`.replace(/[\r\n]+/g, ' ');
  const text = [
    `${countsLine(s)}`,
    `Rule: ${headingOf(s)}`,
    '',
    ...s.listed.map((e) => {
      const url = orderUrl(publicUrl, e.orderId);
      return `- ${orderLine(e)}${url ? `  ${url}` : ''}`;
    }),
    ...(s.more > 0 ? [`…and ${s.more} more`] : []),
    '',
    `Group ${job.id}`,
  ].join('\n');
  const h = (v: string) => escapeFor('html', v);
  const items = s.listed
    .map((e) => {
      const url = orderUrl(publicUrl, e.orderId);
      const id = url ? `<a href="${h(url)}">${h(e.orderId)}</a>` : h(e.orderId);
      return `<li>${id}${h(orderLine(e).slice(e.orderId.length))}</li>`;
    })
    .join('\n');
  const html = [
    '<!doctype html>',
    '<html><body style="font-family:sans-serif">',
    `<p><strong>${h(countsLine(s))}</strong><br>\nRule: ${h(headingOf(s))}</p>`,
    `<ul>\n${items}\n</ul>`,
    s.more > 0 ? `<p>…and ${s.more} more</p>` : '',
    `<p style="color:#666">Group ${h(job.id)}</p>`,
    '</body></html>\n',
  ]
    .filter((line) => line !== '')
    .join('\n');
  return { subject, text, html };
}
