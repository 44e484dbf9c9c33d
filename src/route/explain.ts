/** Human-readable account of a routing decision, for `rules test` and dry runs. */
import { formatNumbers, type NormalisedEvent } from '../event/event.js';
import type { ChannelConfig } from '../config/channel-config.js';
import { channelPolicy } from '../config/channel-config.js';
import { formatDuration } from '../lib/duration.js';
import { describeQuietEnd, quietUntil } from './quiet-hours.js';
import type { RouteDelivery, RouteResult } from './router.js';

/** One line naming the event by the fields rules usually match on. */
export function describeEvent(event: NormalisedEvent): string {
  const parts = [
    `order ${event.orderId}`,
    `status ${event.status}${event.rawStatus && event.rawStatus !== event.status ? ` (${event.rawStatus})` : ''}`,
    `orderType ${event.orderType}`,
    `numberType ${event.numberType}`,
    `numbers ${event.numbers.length > 0 ? formatNumbers(event.numbers) : '(none)'}`,
  ];
  if (event.customerRef) parts.push(`customerRef ${event.customerRef}`);
  if (event.stale) parts.push('stale');
  return parts.join(', ');
}

/**
 * The rules that fired, why the walk ended, and the channels reached:
 * ```
 * rule     failures-to-ops → ops-slack, noc-email
 * rule     everything-to-oss → oss
 * channels ops-slack (slack), noc-email (email), oss (webhook)
 * ```
 */
export function explainRoute(result: RouteResult): string[] {
  const lines = result.matched.map((m) => `rule     ${m.rule} → ${m.channels.join(', ')}`);
  if (result.matched.length === 0) lines.push('rule     (no rule matched)');
  if (result.stoppedBy) lines.push(`stop     ${result.stoppedBy} has stop: true; later rules not considered`);
  if (result.skippedStale) lines.push('stale    the event is stale: only rules with `stale: true` were considered');
  const channels = result.deliveries.map((d) => `${d.channel} (${d.channelType})`);
  lines.push(`channels ${channels.length > 0 ? channels.join(', ') : '(none: nothing would be sent)'}`);
  return lines;
}

/** The channel names reached, for comparing with a test case's `expect`. */
export function channelsReached(result: RouteResult): string[] {
  return result.deliveries.map((d) => d.channel);
}

/**
 * What happens to one delivery besides being sent (docs/design.md#notification-controls), for a send due at `at`:
 * ```
 * grouped by customerRef=ACME (wait 30s, interval 5m)
 * held by quiet hours until 07:00 Europe/London (2026-03-29T06:00:00Z)
 * rate limit 20/min: at most 20 sends a minute, excess waits
 * ```
 */
export function describeDecisions(delivery: RouteDelivery, config: ChannelConfig, at: Date): string[] {
  const lines: string[] = [];
  const { group } = delivery;
  if (group) {
    const values = Object.entries(group.values).map(([field, value]) => `${field}=${value ?? '(none)'}`);
    const by = values.length > 0 ? `by ${values.join(', ')}` : `(one group for rule ${group.rule})`;
    lines.push(`grouped ${by} (wait ${formatDuration(group.waitMs)}, interval ${formatDuration(group.intervalMs)})`);
  }
  const policy = channelPolicy(config);
  if (policy.quietHours) {
    const until = quietUntil(policy.quietHours, at);
    const q = policy.quietHours;
    lines.push(
      until
        ? `held by quiet hours until ${describeQuietEnd(q, until)}`
        : `not held: outside quiet hours (${q.from}–${q.to} ${q.tz}, ${q.days.length === 7 ? 'every day' : q.days.join(' ')})`,
    );
  }
  if (policy.rateLimit) lines.push(`rate limit ${policy.rateLimit.text}: excess waits, nothing is dropped`);
  return lines;
}

/** `decision ops-slack: grouped by …` lines for every delivery with a decision, at `at`. */
export function explainDecisions(result: RouteResult, channels: Record<string, ChannelConfig>, at: Date): string[] {
  return result.deliveries.flatMap((d) => describeDecisions(d, channels[d.channel]!, at).map((line) => `decision ${d.channel}: ${line}`));
}
