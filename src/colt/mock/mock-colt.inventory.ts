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

/** How one number type is numbered in one country: split-format parts before the block digits. */
interface Plan {
  areaCode: string;
  areaCodeExtn?: string;
  /** Digits between the extension and the block number. */
  prefix?: string;
}

/** Blocks per country and number type: 1,000 orders of one kind never reuse a number. */
export const BLOCKS_PER_PLAN = 1000;

type P = Plan;
const plan = (areaCode: string, areaCodeExtn?: string, prefix?: string): P => ({
  areaCode,
  ...(areaCodeExtn !== undefined && { areaCodeExtn }),
  ...(prefix !== undefined && { prefix }),
});

/**
 * A plausible plan for every number type in every Colt country (docs/colt.md#numbers): trunk
 * 0s where the country dials one, Italy's geographic 0 kept, Germany mostly without an
 * extension (one type with one, since Colt may send it).
 */
const PLANS: Record<ColtCountry, Record<MockNumberType, Plan>> = {
  AT: { geo: plan('1', '5', '12'), freephone: plan('0800', '20'), shared_cost: plan('0810', '30'), full_rate: plan('0900', '40'), national_rate: plan('0820', '50') },
  BE: { geo: plan('02', '7', '5'), freephone: plan('0800', '1'), shared_cost: plan('070', '2'), full_rate: plan('0900', '1'), national_rate: plan('078', '15') },
  DK: { geo: plan('3', '39'), freephone: plan('80', '1'), shared_cost: plan('70', '2'), full_rate: plan('90', '3'), national_rate: plan('72', '1') },
  FR: { geo: plan('3', '8250'), freephone: plan('0800', '10'), shared_cost: plan('0810', '20'), full_rate: plan('0899', '30'), national_rate: plan('0820', '40') },
  DE: { geo: plan('030', undefined, '123'), freephone: plan('0800', undefined, '5550'), shared_cost: plan('0180', undefined, '5'), full_rate: plan('0900', undefined, '1'), national_rate: plan('032', '21') },
  IE: { geo: plan('01', '4'), freephone: plan('1800', '20'), shared_cost: plan('1850', '3'), full_rate: plan('1580', '4'), national_rate: plan('0818', '5') },
  IT: { geo: plan('02', '8765'), freephone: plan('800', '1'), shared_cost: plan('840', '2'), full_rate: plan('899', '3'), national_rate: plan('848', '4') },
  NL: { geo: plan('020', '5'), freephone: plan('0800', '02'), shared_cost: plan('0900', '2'), full_rate: plan('0906', '3'), national_rate: plan('085', '20') },
  PT: { geo: plan('21', '3'), freephone: plan('800', '2'), shared_cost: plan('808', '2'), full_rate: plan('760', '2'), national_rate: plan('707', '2') },
  ES: { geo: plan('91', '5'), freephone: plan('900', '12'), shared_cost: plan('901', '12'), full_rate: plan('905', '3'), national_rate: plan('902', '4') },
  SE: { geo: plan('08', '5'), freephone: plan('020', '7'), shared_cost: plan('077', '1'), full_rate: plan('0900', '2'), national_rate: plan('0771', '3') },
  CH: { geo: plan('044', '5'), freephone: plan('0800', '1'), shared_cost: plan('0840', '2'), full_rate: plan('0900', '3'), national_rate: plan('0848', '4') },
  GB: { geo: plan('020', '7946'), freephone: plan('800', '046'), shared_cost: plan('0845', '7'), full_rate: plan('0906', '8'), national_rate: plan('0870', '6') },
};

/** Colt's labels for the number types (docs/colt.md#what-colt-publishes). */
export const NUMBER_TYPE_LABELS: Record<MockNumberType, string> = {
  geo: 'IN Geo',
  freephone: 'Freephone',
  shared_cost: 'Shared Cost',
  full_rate: 'Full Rate',
  national_rate: 'National Rate',
};

/** E.164 of a plan's numbers up to the block digits, and a block maker. */
function planBlocks(country: ColtCountry, numberType: MockNumberType, p: Plan): (index: number) => MockNumberBlock {
  const split = { country, areaCode: p.areaCode, ...(p.areaCodeExtn !== undefined && { areaCodeExtn: p.areaCodeExtn }), rangeStart: p.prefix ?? '' };
  const base = splitToE164(split).start;
  return (index) => {
    // Blocks of ten (the last digit runs 0–9): …0010–…0019 first, …0000–…0009 last.
    const digits = String(index % BLOCKS_PER_PLAN).padStart(3, '0');
    const stem = (p.prefix ?? '') + digits;
    return {
      country,
      numberType,
      areaCode: p.areaCode,
      areaCodeExtn: p.areaCodeExtn ?? null,
      rangeStart: `${stem}0`,
      rangeEnd: `${stem}9`,
      startFullNumber: `${base}${digits}0`,
      endFullNumber: `${base}${digits}9`,
      status: 'free',
      pendingOrderId: null,
      orders: 0,
      customerReference: null,
      customerName: null,
      address: null,
    };
  };
}

/** A fresh copy of the seeded inventory: BLOCKS_PER_PLAN blocks of ten per country and number type. */
export function seedInventory(): MockNumberBlock[] {
  const blocks: MockNumberBlock[] = [];
  for (const [country, plans] of Object.entries(PLANS) as [ColtCountry, Record<MockNumberType, Plan>][]) {
    for (const [numberType, p] of Object.entries(plans) as [MockNumberType, Plan][]) {
      const make = planBlocks(country, numberType, p);
      for (let i = 1; i <= BLOCKS_PER_PLAN; i++) blocks.push(make(i));
    }
  }
  return blocks;
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
  const matches = (b: MockNumberBlock) => usable(b) && (country === null || b.country === country) && (numberType === null || b.numberType === numberType);
  // Numbers no order has used come first: 1,000 orders of one kind never share a number.
  const block = state.inventory.find((b) => matches(b) && b.orders === 0) ?? state.inventory.find(matches);
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
