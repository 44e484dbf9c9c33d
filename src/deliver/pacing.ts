/**
 * When a channel may send (docs/design.md#rate-limits): its rate (`rateLimit`, combined with its type's pacing,
 * e.g. Slack ≈ 1/s) and its quiet hours. Both are enforced in the database (claim slots in
 * channel_state, held next_attempt_at), so they hold across dispatchers; this file decides the
 * numbers from the rules.
 */
import { channelPolicies, type ChannelConfig, type ChannelPolicies, type ChannelType, type QuietHoursConfig, type RateLimitConfig } from '../config/channel-config.js';
import { describeQuietEnd, quietUntil } from '../route/quiet-hours.js';

/**
 * The least time between two sends of one channel: `period / N` of its `rateLimit` (so at
 * most N sends in any period), or its type's interval when that is longer. 0: not paced.
 */
export function channelSendIntervalMs(
  channelType: ChannelType | string,
  rateLimit: RateLimitConfig | undefined,
  typeIntervalMs: Partial<Record<string, number>>,
): number {
  const byType = typeIntervalMs[channelType] ?? 0;
  const byRate = rateLimit ? Math.ceil(rateLimit.periodMs / rateLimit.count) : 0;
  return Math.max(byType, byRate);
}

/** Each rate-limited channel's send interval (type pacing folded in); channels without a rateLimit are left to their type's. */
export function channelIntervals(
  policies: ChannelPolicies,
  typeIntervalMs: Partial<Record<string, number>>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, policy] of Object.entries(policies)) {
    if (policy.rateLimit) out[name] = channelSendIntervalMs(policy.type, policy.rateLimit, typeIntervalMs);
  }
  return out;
}

/** A delivery held by quiet hours: until when, and the note the dashboard and API show. */
export interface QuietHold {
  until: Date;
  note: string;
}

/** The hold for a send due at `at`, or null when the channel keeps no quiet hours then. */
export function quietHold(quietHours: QuietHoursConfig | undefined, at: Date): QuietHold | null {
  if (!quietHours) return null;
  const until = quietUntil(quietHours, at);
  return until ? { until, note: quietNote(quietHours, until) } : null;
}

/** `held: quiet hours until 07:00 Europe/London (2026-03-29T06:00:00Z)` */
export function quietNote(quietHours: QuietHoursConfig, until: Date): string {
  return `held: quiet hours until ${describeQuietEnd(quietHours, until)}`;
}

/** A channel in its quiet hours: until when, and the note its held deliveries show. */
export interface QuietChannel extends QuietHold {
  channel: string;
}

/** The channels in their quiet hours at `now`, with the window's end (docs/design.md#quiet-hours). */
export function quietChannels(policies: ChannelPolicies, now: Date): QuietChannel[] {
  const holds: QuietChannel[] = [];
  for (const [channel, policy] of Object.entries(policies)) {
    const hold = quietHold(policy.quietHours, now);
    if (hold) holds.push({ channel, ...hold });
  }
  return holds;
}

/** The names of the rules' channels in their quiet hours at `now`: what the gauges and the overview leave out of "due". */
export function quietChannelNames(channels: Readonly<Record<string, ChannelConfig>>, now: Date): string[] {
  return quietChannels(channelPolicies(channels), now).map((q) => q.channel);
}
