import type { NormalisedEvent } from '../../../src/event/event.js';

/** A normalised event as the dispatcher hands it to a channel; override what a test is about. */
export function sampleEvent(overrides: Partial<NormalisedEvent> = {}): NormalisedEvent {
  return {
    type: `order.${overrides.status ?? 'failed'}`,
    source: 'callback',
    detailsMissing: null,
    failure: null,
    eventId: 'evt_01',
    orderId: 'IN-ORD-1',
    status: 'failed',
    rawStatus: 'Failed',
    orderType: 'activation',
    occurredAt: '2026-11-26T09:58:00.000Z',
    receivedAt: '2026-11-26T09:58:01.000Z',
    numbers: [
      { start: '+442071234560', end: '+442071234569', country: 'GB' },
      { start: '+442071234599', end: '+442071234599', country: 'GB' },
    ],
    numberType: 'geo',
    customerRef: 'ACME-42',
    stale: false,
    order: null,
    payload: { orderId: 'IN-ORD-1', status: 'Failed' },
    ...overrides,
  };
}

/** A valid Standard Webhooks secret (`whsec_` + base64 of 24 bytes). */
export const TEST_WEBHOOK_SECRET = `whsec_${Buffer.from('colt-relay-test-secret-key').toString('base64')}`;
