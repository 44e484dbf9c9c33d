import type { NormalisedEvent } from '../../event/event.js';
import type { Channel, RenderedMessage } from '../channel.js';
import type { ChannelType } from '../../config/channel-config.js';

/**
 * A channel whose transport is missing (no SMTP_URL, no SLACK_BOT_TOKEN) or whose
 * configuration cannot work (a malformed webhook secret). It still renders, so
 * `rules test` and the dry-run API show what would be sent, but every send fails
 * permanently with the reason, which lands on the delivery as a dead letter an operator
 * can replay once the setting is fixed.
 */
export function createUnconfiguredChannel(
  name: string,
  type: ChannelType,
  render: (event: NormalisedEvent) => RenderedMessage,
  reason: string,
): Channel {
  return {
    name,
    type,
    render,
    send: async () => ({ ok: false, retryable: false, reason }),
    sendGroup: async () => ({ ok: false, retryable: false, reason }),
  };
}
