import { describe, expect, it } from 'vitest';
import { fixture, fixtureNames } from '../../test/support/fixtures.js';
import { extractCallbackFields, normaliseCallback } from './normalise.js';
import { mapNumberType, mapOrderType, mapStatus } from '../event/vocabulary.js';

describe('normaliseCallback over the sample callbacks', () => {
  it('has fixtures to read', () => {
    expect(fixtureNames().length).toBeGreaterThanOrEqual(3);
  });

  it('reads a TMF product order envelope', () => {
    const { event } = normaliseCallback(fixture('tmf-product-order-completed.json'), {
      eventId: 'e1',
      receivedAt: new Date('2026-11-26T10:16:00Z'),
    });
    expect(event).toMatchObject({
      eventId: 'e1',
      orderId: 'IN-ORD-100234',
      status: 'completed',
      rawStatus: 'completed',
      orderType: 'activation',
      customerRef: 'RESELLER-7781',
      occurredAt: '2026-11-26T10:15:00.000Z',
      receivedAt: '2026-11-26T10:16:00.000Z',
      numbers: [{ start: '+33382500010', end: '+33382500019', country: 'FR' }],
      stale: false,
      order: null,
    });
  });

  it('reads a flat failed activation', () => {
    const { event } = normaliseCallback(fixture('flat-activation-failed.json'), { eventId: 'e2', receivedAt: new Date() });
    expect(event).toMatchObject({
      orderId: 'IN-ORD-100235',
      status: 'failed',
      rawStatus: 'Failed',
      orderType: 'activation',
      occurredAt: '2026-11-26T10:20:00.000Z',
      numbers: [],
      numberType: 'unknown',
      customerRef: null,
    });
    expect((event!.payload as Record<string, unknown>).reason).toBe('Address validation failed');
  });

  it('reads a flat raised reservation with orderID spelling', () => {
    const { event } = normaliseCallback(fixture('flat-reservation-raised.json'), { eventId: 'e3', receivedAt: new Date() });
    expect(event).toMatchObject({ orderId: 'IN-ORD-100236', status: 'raised', orderType: 'reservation' });
  });
});

describe('order id', () => {
  const id = (body: Record<string, unknown>) => {
    const r = extractCallbackFields(body);
    return r.ok ? r.fields.orderId : null;
  };
  it.each([
    [{ orderId: 'A' }, 'A'],
    [{ orderID: 'B' }, 'B'],
    [{ event: { productOrder: { id: 'C' } } }, 'C'],
    [{ event: { serviceOrder: { id: 'D' } } }, 'D'],
    [{ event: { order: { id: 'E' } } }, 'E'],
    [{ id: 'F' }, 'F'],
    [{ orderId: 12345 }, '12345'],
  ])('%j → %s', (body, expected) => expect(id(body)).toBe(expected));

  it("does not take a TMF envelope's own id for the order's", () => {
    expect(id({ id: 'EVT-1', event: { productOrder: { state: 'completed' } } })).toBeNull();
  });

  it('reports a missing order id as an issue', () => {
    const r = extractCallbackFields({ status: 'completed' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]!.path).toBe('orderId');
  });

  it('ignores inherited properties (__proto__ keys)', () => {
    const body = JSON.parse('{"__proto__": {"orderId": "EVIL"}, "status": "raised"}') as Record<string, unknown>;
    expect(id(body)).toBeNull();
  });
});

describe('status aliases', () => {
  it.each([
    ['raised', 'raised'],
    ['Acknowledged', 'raised'],
    ['SUBMITTED', 'raised'],
    ['pending', 'in_progress'],
    ['inProgress', 'in_progress'],
    ['in progress', 'in_progress'],
    ['IN_PROGRESS', 'in_progress'],
    ['held', 'in_progress'],
    ['completed', 'completed'],
    ['Complete', 'completed'],
    ['success', 'completed'],
    ['failed', 'failed'],
    ['Rejected', 'failed'],
    ['error', 'failed'],
    ['cancelled', 'cancelled'],
    ['canceled', 'cancelled'],
    ['partial', 'failed'],
    ['Order Completed', 'completed'],
    ['Order Raised', 'raised'],
    ['ORDER_IN_PROGRESS', 'in_progress'],
    ['Completed successfully', 'completed'],
    ['Order Status: Failed', 'failed'],
    ['draft', 'raised'],
    ['acknowledged', 'raised'],
    ['pendingCancellation', 'in_progress'],
    ['assessingCancellation', 'in_progress'],
    ['Order Cancelled', 'cancelled'],
    ['Completed and Failed', 'unknown'],
    ['', 'unknown'],
  ])('%s → %s', (raw, expected) => expect(mapStatus(raw)).toBe(expected));

  it('takes the status from orderStatus, status or state', () => {
    for (const key of ['orderStatus', 'status', 'state']) {
      const r = extractCallbackFields({ orderId: 'X', [key]: 'Completed' });
      expect(r.ok && r.fields.status).toBe('completed');
    }
  });
});

describe('order type aliases', () => {
  it.each([
    ['Number Reservation', 'reservation'],
    ['numberCollectionReservation', 'reservation'],
    ['Reservation Cancellation', 'reservation_cancellation'],
    ['Number Reservation Cancellation', 'reservation_cancellation'],
    ['Number Activation', 'activation'],
    ['ACTIVATION', 'activation'],
    ['Number Address Update', 'address_update'],
    ['numberCollectionUpdateCustomerDetails', 'address_update'],
    ['porting', 'unknown'],
    ['Cancel Activation', 'unknown'],
    ['Activation Cancellation', 'unknown'],
    ['numberCollectionReservationCancellation', 'reservation_cancellation'],
  ])('%s → %s', (raw, expected) => expect(mapOrderType(raw)).toBe(expected));
});

describe('number type aliases', () => {
  it.each([
    ['IN Geo', 'geo'],
    ['Geographic', 'geo'],
    ['Freephone', 'freephone'],
    ['Shared Cost', 'shared_cost'],
    ['full_rate', 'full_rate'],
    ['National Rate', 'national_rate'],
    ['mobile', 'unknown'],
  ])('%s → %s', (raw, expected) => expect(mapNumberType(raw)).toBe(expected));
});

describe('numbers in a callback', () => {
  const numbers = (body: Record<string, unknown>) => {
    const r = extractCallbackFields(body);
    return r.ok ? r.fields.numbers : [];
  };

  it('reads split-format ranges with the country rules', () => {
    expect(
      numbers({
        orderId: 'X',
        country: 'FR',
        numbers: [{ areaCode: '3', areaCodeExtn: '8250', rangeStart: '0010', rangeEnd: '0019' }],
      }),
    ).toEqual([{ start: '+33382500010', end: '+33382500019', country: 'FR' }]);
  });

  it('reads a single E.164 number', () => {
    expect(numbers({ orderId: 'X', numbers: [{ fullNumber: '+44 20 7946 0000' }] })).toEqual([
      { start: '+442079460000', end: '+442079460000', country: 'GB' },
    ]);
  });

  it('stops at absurd depth without throwing', () => {
    let deep: Record<string, unknown> = { startFullNumber: '+33100000000' };
    for (let i = 0; i < 5000; i++) deep = { nested: deep };
    expect(() => numbers({ orderId: 'X', deep })).not.toThrow();
  });
});
