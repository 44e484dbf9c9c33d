/**
 * The simulator's numbers and orders: a seeded inventory in Colt's split format, and
 * the rules that move blocks between free, reserved and active as orders settle.
 */
import { mapNumberType } from '../order-details.js';
import type { ColtCountry } from '../numbers.js';
import { splitToE164, toColtCountry, toE164 } from '../numbers.js';
import type { MockColtState, MockNumberBlock, MockNumberType, MockOrder, MockOrderRequest, MockOutcome } from './mock-colt.types.js';

/** A request the simulator refuses (answered 400 over HTTP). */
export class MockRequestError extends Error {
  override readonly name = 'MockRequestError';
}

interface Seed {
  country: ColtCountry;
  numberType: MockNumberType;
  areaCode: string;
  areaCodeExtn?: string;
  /** Blocks of ten from these national suffixes (the last digit runs 0–9). */
  starts: string[];
}

/** One block per country rule of docs/colt.md#numbers: the default rule, Italy Geo, Germany. */
const SEEDS: Seed[] = [
  { country: 'FR', numberType: 'geo', areaCode: '3', areaCodeExtn: '8250', starts: ['0010', '0020', '0030'] },
  { country: 'GB', numberType: 'freephone', areaCode: '800', areaCodeExtn: '046', starts: ['1000', '1010'] },
  { country: 'IT', numberType: 'geo', areaCode: '02', areaCodeExtn: '8765', starts: ['0000', '0010'] },
  { country: 'DE', numberType: 'geo', areaCode: '30', starts: ['1234500', '1234510'] },
  { country: 'ES', numberType: 'shared_cost', areaCode: '901', areaCodeExtn: '12', starts: ['3450'] },
  { country: 'NL', numberType: 'national_rate', areaCode: '085', areaCodeExtn: '20', starts: ['01000'] },
  { country: 'BE', numberType: 'full_rate', areaCode: '078', areaCodeExtn: '15', starts: ['0100'] },
];

/** Colt's labels for the number types (docs/colt.md#what-colt-publishes). */
export const NUMBER_TYPE_LABELS: Record<MockNumberType, string> = {
  geo: 'IN Geo',
  freephone: 'Freephone',
  shared_cost: 'Shared Cost',
  full_rate: 'Full Rate',
  national_rate: 'National Rate',
};

/** A fresh copy of the seeded inventory. */
export function seedInventory(): MockNumberBlock[] {
  return SEEDS.flatMap((seed) =>
    seed.starts.map((start) => {
      const rangeEnd = start.slice(0, -1) + '9';
      const split = {
        country: seed.country,
        areaCode: seed.areaCode,
        ...(seed.areaCodeExtn !== undefined && { areaCodeExtn: seed.areaCodeExtn }),
        rangeStart: start,
        rangeEnd,
        numberType: NUMBER_TYPE_LABELS[seed.numberType],
      };
      const e164 = splitToE164(split);
      return {
        country: seed.country,
        numberType: seed.numberType,
        areaCode: seed.areaCode,
        areaCodeExtn: seed.areaCodeExtn ?? null,
        rangeStart: start,
        rangeEnd,
        startFullNumber: e164.start,
        endFullNumber: e164.end,
        status: 'free' as const,
        pendingOrderId: null,
        customerReference: null,
        customerName: null,
        address: null,
      };
    }),
  );
}

function pick(state: MockColtState, request: MockOrderRequest, allowed: MockNumberBlock['status'][]): MockNumberBlock {
  const usable = (b: MockNumberBlock) => allowed.includes(b.status) && b.pendingOrderId === null;
  if (request.startFullNumber !== undefined) {
    const wanted = toE164(request.startFullNumber);
    const block = state.inventory.find((b) => b.startFullNumber === wanted);
    if (!block) throw new MockRequestError(`number ${request.startFullNumber} is not in the simulator's inventory`);
    if (!usable(block)) throw new MockRequestError(`number ${block.startFullNumber} is ${block.pendingOrderId ? 'in an open order' : block.status}`);
    return block;
  }
  const country = request.country === undefined ? null : toColtCountry(request.country);
  if (request.country !== undefined && country === null) throw new MockRequestError(`unknown country ${request.country}`);
  const numberType = request.numberType === undefined ? null : mapNumberType(request.numberType);
  if (numberType === 'unknown') throw new MockRequestError(`unknown number type ${request.numberType}`);
  const block = state.inventory.find(
    (b) => usable(b) && (country === null || b.country === country) && (numberType === null || b.numberType === numberType),
  );
  if (!block) throw new MockRequestError(`no ${allowed.join(' or ')} numbers match the request`);
  return block;
}

/** Blocks an order of this request would use; throws MockRequestError when none fit. */
export function selectBlock(state: MockColtState, request: MockOrderRequest): MockNumberBlock {
  switch (request.type) {
    case 'reservation':
      return pick(state, request, ['free']);
    case 'activation':
      return pick(state, request, ['free', 'reserved']);
    case 'reservation_cancellation':
    case 'address_update':
      if (request.startFullNumber === undefined) throw new MockRequestError('startFullNumber (or a split number) is required');
      return pick(state, request, request.type === 'address_update' ? ['active'] : ['reserved']);
  }
}

/** Applies a settled order to its numbers (and releases them). */
export function settleOrder(order: MockOrder, outcome: MockOutcome, nowIso: string): void {
  order.status = outcome;
  order.updatedAt = nowIso;
  for (const block of order.numbers) {
    block.pendingOrderId = null;
    if (outcome === 'failed') continue;
    if (order.type === 'reservation') block.status = 'reserved';
    if (order.type === 'activation' || order.type === 'address_update') {
      block.status = 'active';
      block.customerReference = order.customerReference ?? block.customerReference;
      block.customerName = order.customerName ?? block.customerName;
      block.address = order.address ?? block.address;
    }
  }
}

/** Cancels a reservation at once: Colt creates no order for it. */
export function cancelReservation(block: MockNumberBlock): void {
  block.status = 'free';
  block.customerReference = null;
  block.customerName = null;
}
