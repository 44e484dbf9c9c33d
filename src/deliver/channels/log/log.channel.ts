import type { LogChannelConfig } from '../../../config/channel-config.js';
import type { NormalisedEvent } from '../../../event/event.js';
import { REDACT_PATHS, type Logger } from '../../../lib/logger.js';
import type { Channel, DeliveryJob, RenderedMessage, SendResult } from '../../channel.js';
import { renderTemplate } from '../../templates.js';
import { eventNotes, eventSummary } from '../event-summary.js';

export interface LogChannelDeps {
  logger: Logger;
}

/** `Order IN-ORD-1 failed (activation)`, or the channel's `text` template unescaped. */
export function renderLog(config: LogChannelConfig, event: NormalisedEvent): RenderedMessage {
  const text = config.text
    ? renderTemplate(config.text, event, 'none')
    : [eventSummary(event), ...eventNotes(event)].join('; ');
  return config.subject ? { subject: renderTemplate(config.subject, event, 'none'), text } : { text };
}

/**
 * The notification line's fields are fixed below and none of its nested ones can hold a
 * secret, so only the top-level paths are checked: the wildcard paths made pino copy and
 * walk the `event` object of every line, half the cost of a line (one per callback).
 */
const TOP_LEVEL_REDACT_PATHS = REDACT_PATHS.filter((path) => !path.includes('.') && !path.includes('['));

/**
 * Writes one structured pino line per notification: the default channel when no rules
 * file exists, and a cheap way to watch routing. The event's `order` and `payload` are
 * left out: they can be large, and the stored event keeps them.
 */
export function createLogChannel(name: string, config: LogChannelConfig, deps: LogChannelDeps): Channel {
  const logger = deps.logger.child({ channel: name, channelType: 'log' }, { redact: { paths: TOP_LEVEL_REDACT_PATHS, censor: '[redacted]' } });

  async function send(job: DeliveryJob): Promise<SendResult> {
    const { event } = job;
    const rendered = renderLog(config, event);
    logger.info(
      {
        deliveryId: job.id,
        attempt: job.attempt,
        event: {
          eventId: event.eventId,
          orderId: event.orderId,
          status: event.status,
          rawStatus: event.rawStatus,
          orderType: event.orderType,
          occurredAt: event.occurredAt,
          receivedAt: event.receivedAt,
          numbers: event.numbers,
          numberType: event.numberType,
          customerRef: event.customerRef,
          stale: event.stale,
          type: event.type,
          source: event.source,
          detailsMissing: event.detailsMissing,
          failure: event.failure,
        },
        ...(rendered.subject ? { subject: rendered.subject } : {}),
        text: rendered.text,
      },
      'notification',
    );
    return { ok: true, code: 'logged' };
  }

  return { name, type: 'log', render: (event) => renderLog(config, event), send };
}
