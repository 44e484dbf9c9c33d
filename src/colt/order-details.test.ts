import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extractOrderDetails, mapNumberType, mapOrderType } from './order-details.js';

describe('mapOrderType', () => {
  it.each([
    ['Number Reservation', 'reservation'],
    ['NUMBER_RESERVATION', 'reservation'],
    ['Reservation Cancellation', 'reservation_cancellation'],
    ['reservation-cancellation', 'reservation_cancellation'],
    ['Number Activation', 'activation'],
    ['number_activation', 'activation'],
    ['Number Address Update', 'address_update'],
    ['Update Customer Details', 'address_update'],
    ['numberCollectionUpdateCustomerDetails', 'address_update'],
    ['Deactivation', 'unknown'],
    ['Port In', 'unknown'],
    [null, 'unknown'],
    [42, 'unknown'],
  ])('%j → %s', (raw, expected) => {
    expect(mapOrderType(raw)).toBe(expected);
  });
});

describe('mapNumberType', () => {
  it.each([
    ['IN Geo', 'geo'],
    ['in_geo', 'geo'],
    ['Geographic', 'geo'],
    ['Freephone', 'freephone'],
    ['FREEPHONE NUMBERS', 'freephone'],
    ['Shared Cost', 'shared_cost'],
    ['shared-cost', 'shared_cost'],
    ['Full Rate', 'full_rate'],
    ['National Rate', 'national_rate'],
    ['Mobile', 'unknown'],
    [undefined, 'unknown'],
  ])('%j → %s', (raw, expected) => {
    expect(mapNumberType(raw)).toBe(expected);
  });
});

describe('extractOrderDetails', () => {
  it('a flat order with E.164 pairs and split fields side by side (the simulator shape)', () => {
    const body = {
      orderId: 'IN-ORD-100300',
      orderType: 'Number Activation',
      orderStatus: 'Completed',
      country: 'FR',
      numberType: 'IN Geo',
      customer: { customerReference: 'CUST-9', customerName: 'Acme SARL' },
      numberRanges: [
        { startFullNumber: '+33382500010', endFullNumber: '+33382500019', areaCode: '3', areaCodeExtn: '8250', rangeStart: '0010', rangeEnd: '0019', status: 'active' },
      ],
    };
    expect(extractOrderDetails(body)).toEqual({
      orderId: 'IN-ORD-100300',
      orderType: 'activation',
      rawOrderType: 'Number Activation',
      status: 'Completed',
      numbers: [{ start: '+33382500010', end: '+33382500019', country: 'FR' }],
      numberType: 'geo',
      rawNumberType: 'IN Geo',
      customerRef: 'CUST-9',
      customerName: 'Acme SARL',
      body,
    });
  });

  it('split format only, country and number type inherited from the parent (Italy Geo keeps its 0)', () => {
    const details = extractOrderDetails({
      order: {
        id: 'X1',
        type: 'Number Reservation',
        serviceDetails: { country: 'IT', numberType: 'IN Geo', ranges: [{ areaCode: '02', areaCodeExtn: '8765', rangeStart: '0000', rangeEnd: '0009' }] },
      },
    });
    expect(details).toMatchObject({
      orderId: 'X1',
      orderType: 'reservation',
      numberType: 'geo',
      numbers: [{ start: '+390287650000', end: '+390287650009', country: 'IT' }],
      customerRef: null,
    });
  });

  it('a TMF product order: externalId, relatedParty, productSpecification, single numbers', () => {
    const details = extractOrderDetails({
      id: 'PO-7',
      state: 'inProgress',
      category: 'Number Activation',
      externalId: 'RESELLER-7781',
      relatedParty: [
        { role: 'Seller', name: 'Colt' },
        { role: 'EndCustomer', name: 'Globex GmbH' },
      ],
      productOrderItem: [
        { product: { productSpecification: { name: 'Freephone' }, productCharacteristic: [{ name: 'number', value: 'x' }], telephoneNumber: '+49 800 1234567' } },
        { product: { fullNumber: '0049 800 1234568' } },
      ],
    });
    expect(details).toMatchObject({
      orderId: 'PO-7',
      status: 'inProgress',
      orderType: 'activation',
      numberType: 'freephone',
      customerRef: 'RESELLER-7781',
      customerName: 'Globex GmbH',
      numbers: [
        { start: '+498001234567', end: '+498001234567', country: 'DE' },
        { start: '+498001234568', end: '+498001234568', country: 'DE' },
      ],
    });
  });

  it('prefers customerReference over externalId, and endCustomer objects', () => {
    expect(extractOrderDetails({ externalId: 'E', details: { endCustomer: { reference: 'R-1', name: 'N' } } })).toMatchObject({
      customerRef: 'R-1',
      customerName: 'N',
    });
    expect(extractOrderDetails({ externalId: 'E', customerRef: 'C' }).customerRef).toBe('C');
  });

  it("a number's own status is not the order's", () => {
    expect(extractOrderDetails({ orderId: 'A', numbers: [{ startFullNumber: '+442079460000', status: 'Active' }] }).status).toBeNull();
    expect(extractOrderDetails({ orderId: 'A', status: 'Failed', startFullNumber: '+442079460000' }).status).toBe('Failed');
  });

  it('number lists, full numbers in rangeStart, de-duplication, and junk that is not a number', () => {
    const details = extractOrderDetails({
      numbers: ['+33382500010', '+33382500010', 'n/a'],
      block: { rangeStart: '+442079460000', rangeEnd: '+442079460009' },
      quantity: { number: 10 },
      national: { telephoneNumber: '0382500010' },
    });
    expect(details.numbers).toEqual([
      { start: '+33382500010', end: '+33382500010', country: 'FR' },
      { start: '+442079460000', end: '+442079460009', country: 'GB' },
    ]);
  });

  it.each([null, 'text', 42, [], [1, 2], { a: { b: { c: null } } }])('tolerates %j', (body) => {
    expect(extractOrderDetails(body)).toMatchObject({ orderId: null, orderType: 'unknown', numbers: [], numberType: 'unknown', body });
  });

  it('does not loop or blow up on deep bodies', () => {
    let deep: Record<string, unknown> = { orderId: 'deep' };
    for (let i = 0; i < 5000; i++) deep = { child: deep };
    expect(extractOrderDetails(deep).orderId).toBeNull();
  });

  it('reads the TMF callback fixture like an order', () => {
    const fixture = JSON.parse(
      readFileSync(new URL('../../test/fixtures/callbacks/tmf-product-order-completed.json', import.meta.url), 'utf8'),
    ) as unknown;
    expect(extractOrderDetails(fixture)).toMatchObject({
      orderId: 'IN-ORD-100234',
      orderType: 'activation',
      customerRef: 'RESELLER-7781',
      numbers: [{ start: '+33382500010', end: '+33382500019', country: 'FR' }],
    });
  });
});
