/**
 * The relay's own events about a channel (docs/design.md#circuit-breaker): `relay.channel_disabled`
 * when a channel stops (the circuit breaker, a webhook answering 410, an operator), and
 * `relay.channel_enabled` when an operator starts it again. They are about a channel, not an
 * order: `orderId` is empty, `status` is `unknown`, and `payload` says which channel, when,
 * by whom and why. Each is stored once per disable (its dedupe key names the disable).
 */
import { CHANNEL_DISABLED_TYPE, CHANNEL_ENABLED_TYPE, type NormalisedEvent } from './event.js';

/** Who disabled a channel: the circuit breaker, an operator, or the peer itself (webhook 410 Gone). */
export const DISABLED_BY = ['breaker', 'admin', 'gone'] as const;
export type DisabledBy = (typeof DISABLED_BY)[number];

/** The payload of a relay.channel_disabled event: what rules, templates and webhooks see. */
export interface ChannelDisabledPayload {
  channel: string;
  /** email, slack, webhook, log or colt-ticket; null when the relay cannot tell. */
  channelType: string | null;
  /** ISO: when it was disabled. */
  disabledAt: string;
  disabledBy: DisabledBy;
  /** The channel's disabled reason, as the API and dashboard show it. */
  reason: string;
  /** ISO: the first failure after its last success; null while it was healthy (an operator's disable). */
  failingSince: string | null;
  /** ISO, or null when it never delivered (as far as the relay remembers). */
  lastSuccessAt: string | null;
  lastError: string | null;
  lastCode: string | null;
  consecutiveFailures: number;
  /** CHANNEL_DISABLE_AFTER as set (`3d`) when the breaker disabled it; null otherwise. */
  disableAfter: string | null;
}

/** The payload of a relay.channel_enabled event. */
export interface ChannelEnabledPayload {
  channel: string;
  channelType: string | null;
  /** ISO: when it was enabled again. */
  enabledAt: string;
  enabledBy: 'admin';
  /** The disable this ends: when, by whom and why. */
  disabledAt: string;
  disabledBy: DisabledBy | null;
  disabledReason: string | null;
}

const isChannelPayload = (p: unknown): p is { channel: string } =>
  typeof p === 'object' && p !== null && typeof (p as { channel?: unknown }).channel === 'string';

/** The channel-disabled details of an event, or null for any other event. */
export function channelDisabledDetails(event: Pick<NormalisedEvent, 'type' | 'payload'>): ChannelDisabledPayload | null {
  if (event.type !== CHANNEL_DISABLED_TYPE || !isChannelPayload(event.payload)) return null;
  return event.payload as ChannelDisabledPayload;
}

/** The channel-enabled details of an event, or null for any other event. */
export function channelEnabledDetails(event: Pick<NormalisedEvent, 'type' | 'payload'>): ChannelEnabledPayload | null {
  if (event.type !== CHANNEL_ENABLED_TYPE || !isChannelPayload(event.payload)) return null;
  return event.payload as ChannelEnabledPayload;
}

/** `Channel oss disabled: webhook answered 410 Gone …` */
export function channelDisabledSummary(details: ChannelDisabledPayload): string {
  return `Channel ${details.channel} disabled: ${details.reason}`;
}

/** `Channel oss enabled again (disabled since … by gone)` */
export function channelEnabledSummary(details: ChannelEnabledPayload): string {
  const by = details.disabledBy ? ` by ${details.disabledBy}` : '';
  return `Channel ${details.channel} enabled again (disabled since ${details.disabledAt}${by})`;
}

/** The dedupe key of one disable: a channel disabled again later is a new event. */
export function channelDisabledKey(channel: string, disabledAt: Date): string {
  return `relay:channel_disabled:${channel}:${disabledAt.toISOString()}`;
}

/** The dedupe key of the enable that ends the disable made at `disabledAt`: one per disable. */
export function channelEnabledKey(channel: string, disabledAt: Date): string {
  return `relay:channel_enabled:${channel}:${disabledAt.toISOString()}`;
}

/** The payload of a disable made outside the breaker (an operator's), from the channel's state as it was. */
export function disabledPayload(
  input: { channel: string; channelType: string | null; at: Date; reason: string; by: DisabledBy },
  state: { failingSince: Date | null; lastSuccessAt: Date | null; consecutiveFailures: number },
): ChannelDisabledPayload {
  return {
    channel: input.channel,
    channelType: input.channelType,
    disabledAt: input.at.toISOString(),
    disabledBy: input.by,
    reason: input.reason,
    failingSince: state.failingSince?.toISOString() ?? null,
    lastSuccessAt: state.lastSuccessAt?.toISOString() ?? null,
    lastError: null,
    lastCode: null,
    consecutiveFailures: state.consecutiveFailures,
    disableAfter: null,
  };
}
