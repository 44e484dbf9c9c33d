/**
 * JSON the simulator sends. Colt publishes neither the GET /order response nor the
 * callback body, so these are plausible shapes: rich orders (E.164 and split numbers,
 * number type, customer) behind thin callbacks, so enrichment has work to do.
 */
import { NUMBER_TYPE_LABELS } from './mock-colt.inventory.js';
import type { CallbackShape, MockNumberBlock, MockOrder, MockOrderStatus, MockOrderType } from './mock-colt.types.js';

/** Colt's names for the order types (docs/colt.md#what-colt-publishes). */
export const ORDER_TYPE_LABELS: Record<MockOrderType, string> = {
  reservation: 'Number Reservation',
  reservation_cancellation: 'Number Reservation Cancellation',
  activation: 'Number Activation',
  address_update: 'Number Address Update',
};

const STATUS_LABELS: Record<MockOrderStatus, string> = { raised: 'Raised', completed: 'Completed', failed: 'Failed' };
const TMF_STATES: Record<MockOrderStatus, string> = { raised: 'acknowledged', completed: 'completed', failed: 'failed' };

/** Why a simulated order failed (the flat failure fixture's wording). */
export const MOCK_FAILURE = { code: 'E-4021', reason: 'Address validation failed' } as const;

/** TMF622's `errorMessage[]` of a failed order: where GET /order gives the reason. */
function errorMessages(order: MockOrder): Record<string, string>[] {
  return [{ ...MOCK_FAILURE, message: `Order ${order.orderId} failed: ${MOCK_FAILURE.reason.toLowerCase()}` }];
}

/** One number block as the API shows it: E.164 and split format side by side. */
export function numberBody(block: MockNumberBlock): Record<string, unknown> {
  return {
    country: block.country,
    numberType: NUMBER_TYPE_LABELS[block.numberType],
    startFullNumber: block.startFullNumber,
    endFullNumber: block.endFullNumber,
    ...(block.areaCode !== null && {
      areaCode: block.areaCode,
      ...(block.areaCodeExtn !== null && { areaCodeExtn: block.areaCodeExtn }),
      rangeStart: block.rangeStart,
      rangeEnd: block.rangeEnd,
    }),
    status: block.status,
  };
}

/** The `GET /order/{orderId}` response. */
export function orderBody(order: MockOrder): Record<string, unknown> {
  const first = order.numbers[0];
  return {
    orderId: order.orderId,
    orderType: ORDER_TYPE_LABELS[order.type],
    orderStatus: STATUS_LABELS[order.status],
    createdDate: order.createdAt,
    lastUpdatedDate: order.updatedAt,
    ...(first && { country: first.country, numberType: NUMBER_TYPE_LABELS[first.numberType] }),
    customer: { customerReference: order.customerReference, customerName: order.customerName },
    ...(order.address !== null && order.address !== undefined && { address: order.address }),
    numberRanges: order.numbers.map(numberBody),
    ...(order.status === 'failed' && { errorMessage: errorMessages(order) }),
  };
}

export interface CallbackEnvelope {
  eventId: string;
  eventTime: string;
}

/** A callback for a status change: order id, type, status and time, nothing more. */
export function callbackBody(shape: CallbackShape, order: MockOrder, status: MockOrderStatus, envelope: CallbackEnvelope): Record<string, unknown> {
  const orderType = ORDER_TYPE_LABELS[order.type];
  // With failureReasonIn "order" the callback only says "failed": the reason is in GET /order alone.
  const reason = status === 'failed' && order.failureReasonIn === 'callback';
  if (shape === 'tmf') {
    return {
      eventId: envelope.eventId,
      eventTime: envelope.eventTime,
      eventType: 'ProductOrderStateChangeEvent',
      event: { productOrder: { id: order.orderId, state: TMF_STATES[status], orderType, ...(reason && { errorMessage: errorMessages(order) }) } },
    };
  }
  return {
    orderId: order.orderId,
    orderType,
    orderStatus: STATUS_LABELS[status],
    timestamp: envelope.eventTime,
    ...(reason && errorMessages(order)[0]),
  };
}
