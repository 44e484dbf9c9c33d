/**
 * What would hold a delivery back at a given time, and why (docs/design.md#notification-controls):
 * a disabled channel, a peer's pause, quiet hours, a silence, a rate limit with work queued.
 * Pure: the channel state and silences arrive loaded (src/deliver/dry-run-holds.ts), so the
 * dry run can say it offline too (then only quiet hours, which need no state).
 */
import type { ChannelConfig } from '../config/channel-config.js';
import { channelPolicy } from '../config/channel-config.js';
import type { NormalisedEvent } from '../event/event.js';
import { formatDuration } from '../lib/duration.js';
import { describeQuietEnd, quietUntil } from './quiet-hours.js';
import { findSilence, type ActiveSilence } from './silences.js';

export const HOLD_REASONS = ['disabled', 'paused', 'quiet_hours', 'silenced', 'rate_limited'] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];

/** One reason a delivery would wait (or, silenced, not be sent at all). */
export interface Hold {
  reason: HoldReason;
  /** When it would go out at the earliest; null: until someone acts (enable), or never (silenced). */
  until: Date | null;
  /** One phrase for people: `disabled by an operator: receiver migration; held until enabled`. */
  text: string;
}

/** A channel's shared state, as far as holding goes (the store's channel_state row). */
export interface ChannelHoldState {
  disabledAt: Date | null;
  disabledReason: string | null;
  disabledBy: string | null;
  pausedUntil: Date | null;
  /** The channel's next send slot (rate limit, Slack's pace). */
  nextSendAt: Date | null;
  /** Deliveries of the channel due now, ahead of a new one. */
  queued?: number;
}

/** The relay's state a preview reads; absent parts hold nothing. */
export interface HoldState {
  channels?: ReadonlyMap<string, ChannelHoldState>;
  silences?: readonly ActiveSilence[];
}

const iso = (at: Date) => `${at.toISOString().slice(0, 19)}Z`;
/** Who disabled a channel (channel_state.disabled_by), in words. */
export const DISABLED_BY: Readonly<Record<string, string>> = {
  breaker: 'by the circuit breaker (CHANNEL_DISABLE_AFTER)',
  admin: 'by an operator',
  gone: 'by the receiver (HTTP 410)',
};

/** Every hold on a delivery of `event` to `channel` due at `at`, most blocking first. */
export function holdsFor(channel: string, config: ChannelConfig, event: NormalisedEvent, at: Date, state: HoldState = {}): Hold[] {
  const holds: Hold[] = [];
  const channelState = state.channels?.get(channel);
  if (channelState?.disabledAt) {
    const by = channelState.disabledBy;
    const who = by ? ` ${DISABLED_BY[by] ?? `by ${by}`}` : '';
    const why = channelState.disabledReason ? `: ${channelState.disabledReason}` : '';
    holds.push({ reason: 'disabled', until: null, text: `channel disabled${who}${why}; held until it is enabled` });
  }
  const silence = state.silences ? findSilence(state.silences, event, channel, at.getTime()) : null;
  if (silence) {
    const scope = silence.channels ? `on ${silence.channels.join(', ')}` : 'on every channel';
    holds.push({ reason: 'silenced', until: null, text: `silenced by "${silence.comment}" (${scope}) until ${iso(new Date(silence.endsAt))}: recorded as suppressed, not sent` });
  }
  if (channelState?.pausedUntil && channelState.pausedUntil.getTime() > at.getTime()) {
    holds.push({ reason: 'paused', until: channelState.pausedUntil, text: `paused until ${iso(channelState.pausedUntil)}: the receiver asked to wait (Retry-After)` });
  }
  const policy = channelPolicy(config);
  const quiet = policy.quietHours ? quietUntil(policy.quietHours, at) : null;
  if (quiet) holds.push({ reason: 'quiet_hours', until: quiet, text: `quiet hours until ${describeQuietEnd(policy.quietHours!, quiet)}` });
  const rateHold = policy.rateLimit && channelState ? rateLimitHold(policy.rateLimit, channelState, at) : null;
  if (rateHold) holds.push(rateHold);
  return holds;
}

/** Held by the rate limit when its next slot is still ahead or deliveries are queued before this one. */
function rateLimitHold(limit: { count: number; periodMs: number; text: string }, state: ChannelHoldState, at: Date): Hold | null {
  const interval = limit.periodMs / limit.count;
  const slot = state.nextSendAt && state.nextSendAt.getTime() > at.getTime() ? state.nextSendAt.getTime() : at.getTime();
  const queued = state.queued ?? 0;
  if (slot === at.getTime() && queued === 0) return null;
  const until = new Date(slot + queued * interval);
  const ahead = queued > 0 ? `${queued} ${queued === 1 ? 'delivery' : 'deliveries'} queued ahead, ` : '';
  return { reason: 'rate_limited', until, text: `rate limit ${limit.text}: ${ahead}sent in about ${formatDuration(until.getTime() - at.getTime())} (${iso(until)})` };
}
