import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../lib/logger.js';
import { sampleEvent } from '../../../../test/deliver/channels/sample-event.js';
import { createLogChannel } from './log.channel.js';

describe('log channel', () => {
  it('writes one structured line per notification', async () => {
    const lines: string[] = [];
    const logger = createLogger({ destination: { write: (line: string) => void lines.push(line) } });
    const channel = createLogChannel('console', { type: 'log', text: 'Order {{orderId}} is {{status}}' }, { logger });

    const result = await channel.send({ id: 'dlv_log', channelName: 'console', attempt: 2, event: sampleEvent() });

    expect(result).toEqual({ ok: true, code: 'logged' });
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0]!);
    expect(record).toMatchObject({
      msg: 'notification',
      channel: 'console',
      channelType: 'log',
      deliveryId: 'dlv_log',
      attempt: 2,
      text: 'Order IN-ORD-1 is failed',
      event: { eventId: 'evt_01', orderId: 'IN-ORD-1', status: 'failed', customerRef: 'ACME-42', stale: false },
    });
    expect(record.event).not.toHaveProperty('payload');
  });
});
