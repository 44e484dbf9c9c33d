/** Human-readable account of a routing decision, for `rules test` and dry runs. */
import type { NormalisedEvent } from '../event/event.js';
import { formatNumbers } from '../deliver/templates.js';
import type { RouteResult } from './router.js';

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
