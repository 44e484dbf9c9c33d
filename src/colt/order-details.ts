/**
 * What an order body from `GET /order/{orderId}` says, read tolerantly: Colt does not
 * publish the response shape, so fields are looked up by name at any depth (nearest
 * the root first) and every mapping tolerates case, spaces, underscores and hyphens.
 */
import type { NumberRange, NumberType, OrderType } from '../event/event.js';
import { mapNumberType, mapOrderType } from '../event/vocabulary.js';
import type { JsonNode } from '../lib/json-walk.js';
import { collectObjects, scalarString } from '../lib/json-walk.js';
import { describesNumber, extractNumberRanges } from './order-numbers.js';

export interface OrderDetails {
  /** The order id the body names, or null. */
  orderId: string | null;
  orderType: OrderType;
  /** The order type as Colt wrote it, or null. */
  rawOrderType: string | null;
  /** The order status as Colt wrote it (not mapped: the callback's status stays authoritative for events). */
  status: string | null;
  /** E.164 ranges. */
  numbers: NumberRange[];
  numberType: NumberType;
  /** The number type as Colt wrote it, or null. */
  rawNumberType: string | null;
  /** End-customer reference. */
  customerRef: string | null;
  /** End-customer name. */
  customerName: string | null;
  /** The whole body, untouched. */
  body: unknown;
}

// One vocabulary for callbacks and order bodies alike.
export { mapNumberType, mapOrderType } from '../event/vocabulary.js';

/** A field to look for: `key` on an object, optionally only under `parent`, at most `maxDepth` deep. */
interface FieldSpec {
  key: string;
  parent?: string;
  maxDepth?: number;
  when?: (node: JsonNode) => boolean;
}

/** The first value of the first spec that matches (specs in priority order, nodes nearest the root first). */
function findString(nodes: JsonNode[], specs: FieldSpec[], accept: (value: string) => boolean = () => true): string | null {
  for (const spec of specs) {
    for (const node of nodes) {
      if (spec.parent !== undefined && node.parentKey !== spec.parent) continue;
      if (spec.maxDepth !== undefined && node.depth > spec.maxDepth) continue;
      if (spec.when && !spec.when(node)) continue;
      const value = scalarString(node.fields.get(spec.key));
      if (value !== null && accept(value)) return value;
    }
  }
  return null;
}

const keys = (...names: string[]): FieldSpec[] => names.map((key) => ({ key }));
const under = (parent: string, ...names: string[]): FieldSpec[] => names.map((key) => ({ key, parent }));
const isCustomerParty = (node: JsonNode) => /customer/i.test(scalarString(node.fields.get('role')) ?? '');

const ORDER_ID: FieldSpec[] = [
  ...keys('orderid', 'ordernumber'),
  ...under('productorder', 'id'),
  ...under('serviceorder', 'id'),
  ...under('order', 'id'),
  { key: 'id', maxDepth: 0 },
];
const ORDER_TYPE: FieldSpec[] = keys('ordertype', 'ordertypename', 'requesttype', 'ordercategory', 'category', 'type');
const NUMBER_TYPE: FieldSpec[] = [
  ...keys('numbertype', 'numbertypename', 'numbercategory', 'servicetype', 'producttype', 'product', 'type'),
  ...under('productspecification', 'name'),
];
const STATUS: FieldSpec[] = ['orderstatus', 'status', 'state'].map((key) => ({
  key,
  // A number's own status ("Active") is not the order's; the root always speaks for the order.
  when: (node: JsonNode) => node.depth === 0 || !describesNumber(node),
}));
const CUSTOMER_REF: FieldSpec[] = [
  ...keys('customerreference', 'customerref', 'endcustomerreference', 'endcustomerref', 'customerreferenceid', 'endcustomerid'),
  ...under('endcustomer', 'reference', 'ref', 'id'),
  ...under('customer', 'reference', 'ref'),
  ...keys('externalid', 'externalreference'),
];
const CUSTOMER_NAME: FieldSpec[] = [
  ...keys('customername', 'endcustomername', 'customercompanyname', 'companyname'),
  ...under('endcustomer', 'name', 'companyname'),
  ...under('customer', 'name', 'companyname'),
  { key: 'name', parent: 'relatedparty', when: isCustomerParty },
];

/** Reads an order body of any shape; fields it cannot find are null, 'unknown' or []. */
export function extractOrderDetails(body: unknown): OrderDetails {
  const nodes = collectObjects(body);
  const rawOrderType = findString(nodes, ORDER_TYPE, (v) => mapOrderType(v) !== 'unknown') ?? findString(nodes, keys('ordertype'));
  const rawNumberType =
    findString(nodes, NUMBER_TYPE, (v) => mapNumberType(v) !== 'unknown') ?? findString(nodes, keys('numbertype'));
  return {
    orderId: findString(nodes, ORDER_ID),
    orderType: mapOrderType(rawOrderType),
    rawOrderType,
    status: findString(nodes, STATUS),
    numbers: extractNumberRanges(nodes),
    numberType: mapNumberType(rawNumberType),
    rawNumberType,
    customerRef: findString(nodes, CUSTOMER_REF),
    customerName: findString(nodes, CUSTOMER_NAME),
    body,
  };
}
