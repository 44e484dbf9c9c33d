import type { NormalisedEvent } from '../event/event.js';
import type { ChannelType } from '../config/channel-config.js';

/** One notification to send: an event for one named channel. */
export interface DeliveryJob {
  /** Delivery id: stable across retries (the webhook-id). */
  id: string;
  /** Name of the channel in the rules file. */
  channelName: string;
  /** 1 for the first try. */
  attempt: number;
  event: NormalisedEvent;
}

export type SendResult =
  | {
      ok: true;
      /** Peer's answer code: HTTP status, SMTP code, Slack "ok". */
      code?: string;
      /** Start of the peer's answer, at most 4 KiB. */
      response?: string;
    }
  | {
      ok: false;
      /** False when trying again cannot help (410, SMTP 5xx, channel_not_found). */
      retryable: boolean;
      reason: string;
      code?: string;
      response?: string;
      /** The peer asked us to wait this long (Retry-After): pauses the whole channel. */
      retryAfterMs?: number;
      /** The peer asked us never to send again (webhook 410). */
      disableChannel?: boolean;
    };

/** What a channel would send, for `rules test` and the dry-run API. */
export interface RenderedMessage {
  subject?: string;
  text: string;
  /** Channel-specific body: email HTML, Slack blocks, webhook JSON. */
  body?: unknown;
}

/**
 * One grouped notification (docs/design.md#grouping): the events of a rule's group for one channel, sent as
 * ONE message. Only channels a person reads (Slack, email) implement `sendGroup`.
 */
export interface GroupJob {
  /** Group id: stable across retries (the email Message-ID). */
  id: string;
  /** Name of the channel in the rules file. */
  channelName: string;
  /** 1 for the first try. */
  attempt: number;
  /** The rule whose `group` made it. */
  rule: string;
  /** The rule's `group.by` fields and this group's values. */
  values: Record<string, string | null>;
  /** The members' events, oldest first. */
  events: NormalisedEvent[];
}

export interface Channel {
  readonly name: string;
  readonly type: ChannelType;
  render(event: NormalisedEvent): RenderedMessage;
  send(job: DeliveryJob): Promise<SendResult>;
  /** Sends a group's events as one message (Slack, email); absent: the channel does not group. */
  sendGroup?(job: GroupJob): Promise<SendResult>;
  /** Release pooled connections. */
  close?(): Promise<void>;
}

