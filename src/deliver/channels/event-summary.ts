/**
 * The words every channel uses for an event's headline and its notes, so an overdue
 * order, a reconciled status or missing details read the same in email, Slack and logs.
 */
import { channelDisabledDetails, channelDisabledSummary, channelEnabledDetails, channelEnabledSummary } from '../../event/channel-events.js';
import { ORDER_OVERDUE_TYPE, failureLine, type NormalisedEvent } from '../../event/event.js';

/** `in_progress` → `in progress`: a status as the notifications spell it. */
export const statusLabel = (status: string) => status.replace('_', ' ');

/**
 * `Order IN-ORD-1 completed (activation)`; `Order IN-ORD-1 overdue, still raised (activation)`;
 * a failed order says why when Colt did: `Order IN-ORD-1 failed (activation): E-4021 · Address validation failed`.
 */
export function eventSummary(event: NormalisedEvent): string {
  const relay = relayEventSummary(event);
  if (relay) return relay;
  const what = event.type === ORDER_OVERDUE_TYPE ? `overdue, still ${statusLabel(event.status)}` : statusLabel(event.status);
  const why = event.failure ? `: ${failureLine(event.failure)}` : '';
  return `Order ${event.orderId} ${what} (${event.orderType})${why}`;
}

/** `Reason: E-7312 · Porting window rejected`, or null when the event carries no failure. */
export function failureText(event: NormalisedEvent): string | null {
  return event.failure ? `Reason: ${failureLine(event.failure)}` : null;
}

/** Colt's longer message, when it adds to the reason line (which shows the message only when there is no reason). */
export function failureDetail(event: NormalisedEvent): string | null {
  const f = event.failure;
  return f?.reason && f.message && f.message !== f.reason ? f.message : null;
}

/** The headline of a relay event (a channel disabled or enabled), or null for an order's. */
export function relayEventSummary(event: NormalisedEvent): string | null {
  const disabled = channelDisabledDetails(event);
  if (disabled) return channelDisabledSummary(disabled);
  const enabled = channelEnabledDetails(event);
  return enabled ? channelEnabledSummary(enabled) : null;
}

/** Caveats a reader must see: late event, status from reconciliation, details missing. */
export function eventNotes(event: NormalisedEvent): string[] {
  const notes: string[] = [];
  const disabled = channelDisabledDetails(event);
  if (disabled) {
    notes.push(`its deliveries wait until it is enabled: dashboard (Rules → Channels) or POST /api/channels/${disabled.channel}/enable`);
    return notes;
  }
  if (channelEnabledDetails(event)) return ['its held deliveries go out now'];
  if (event.stale) notes.push('late event: the order had already moved on');
  if (event.type === ORDER_OVERDUE_TYPE) notes.push('open past its SLA (ORDER_SLA)');
  else if (event.source === 'reconciliation') notes.push('status reported by GET /order (reconciliation): no callback brought it');
  if (event.detailsMissing) notes.push(`order details missing: ${event.detailsMissing}`);
  return notes;
}

/**
 * PUBLIC_URL without a user name or password: a message read by many must not carry them
 * (a browser asks for them itself when the proxy in front of the dashboard wants them).
 */
function withoutCredentials(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

/** The dashboard page of an order, when PUBLIC_URL is set (docs/design.md#trust-and-proxies: links in messages). */
export function orderUrl(publicUrl: string | undefined, orderId: string): string | null {
  if (!publicUrl || orderId === '') return null;
  return `${withoutCredentials(publicUrl).replace(/\/+$/, '')}/orders/${encodeURIComponent(orderId)}`;
}
