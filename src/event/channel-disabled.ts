/**
 * The `relay.channel_disabled` event (docs/design.md#circuit-breaker): the relay's own word that the
 * circuit breaker stopped a channel. It is about a channel, not an order: its `orderId` is
 * empty, its status `unknown`, and its `payload` says which channel, since when and why.
 */
import { CHANNEL_DISABLED_TYPE, type NormalisedEvent } from './event.js';

/** The payload of a relay.channel_disabled event: what rules, templates and webhooks see. */
export interface ChannelDisabledPayload {
  channel: string;
  /** email, slack, webhook, log or colt-ticket; null when no delivery names it. */
  channelType: string | null;
  /** ISO: when the breaker disabled it. */
  disabledAt: string;
  disabledBy: 'breaker';
  /** ISO: the first failure after its last success. */
  failingSince: string;
  /** ISO, or null when it never delivered (as far as the relay remembers). */
  lastSuccessAt: string | null;
  lastError: string | null;
  lastCode: string | null;
  consecutiveFailures: number;
  /** CHANNEL_DISABLE_AFTER as set, e.g. `3d`. */
  disableAfter: string;
  /** The channel's disabled reason, as the API and dashboard show it. */
  reason: string;
}

/** The channel-disabled details of an event, or null for any other event. */
export function channelDisabledDetails(event: Pick<NormalisedEvent, 'type' | 'payload'>): ChannelDisabledPayload | null {
  if (event.type !== CHANNEL_DISABLED_TYPE) return null;
  const p = event.payload as Partial<ChannelDisabledPayload> | null;
  if (!p || typeof p !== 'object' || typeof p.channel !== 'string') return null;
  return p as ChannelDisabledPayload;
}

/** `Channel oss disabled: no successful delivery since … (CHANNEL_DISABLE_AFTER=3d); last error: HTTP 500` */
export function channelDisabledSummary(details: ChannelDisabledPayload): string {
  return `Channel ${details.channel} disabled: ${details.reason}`;
}

/** The dedupe key of one disable: a channel disabled again later is a new event. */
export function channelDisabledKey(channel: string, disabledAt: Date): string {
  return `relay:channel_disabled:${channel}:${disabledAt.toISOString()}`;
}
