/**
 * The simulator's ordering bodies, checked as strictly as Colt says it checks them: "a
 * missing … body parameter" is a 400 (docs/colt.md#api-errors), and so is a parameter the
 * simulator does not know. Colt publishes no body schema, so these parameters are the
 * simulator's own (flat, top level), listed in docs/colt.md#a-local-colt-mock-colt.
 */
import type { MockOrderType } from './mock-colt.types.js';

/** A number, in E.164 or in Colt's split format. */
const NUMBER = ['startFullNumber', 'endFullNumber', 'areaCode', 'areaCodeExtn', 'rangeStart', 'rangeEnd'];
const CUSTOMER = ['customerReference', 'customerName', 'address'];

/** Parameters each ordering POST accepts. */
export const ORDERING_PARAMETERS: Record<MockOrderType, readonly string[]> = {
  reservation: ['country', 'numberType', ...NUMBER, 'customerReference'],
  activation: ['country', 'numberType', ...NUMBER, ...CUSTOMER],
  reservation_cancellation: ['country', 'numberType', ...NUMBER],
  address_update: ['country', 'numberType', ...NUMBER, ...CUSTOMER],
};

const present = (body: Record<string, unknown>, key: string) => body[key] !== undefined && body[key] !== null && body[key] !== '';
const namesANumber = (body: Record<string, unknown>) =>
  present(body, 'startFullNumber') || (present(body, 'country') && present(body, 'areaCode') && present(body, 'rangeStart'));

/** What each POST cannot do without: the parameter, or the alternatives, named in the 400. */
const REQUIRED: Record<MockOrderType, { check: (body: Record<string, unknown>) => boolean; names: string }[]> = {
  reservation: [{ check: (b) => namesANumber(b) || (present(b, 'country') && present(b, 'numberType')), names: 'country and numberType (or a number)' }],
  activation: [
    { check: (b) => namesANumber(b) || (present(b, 'country') && present(b, 'numberType')), names: 'country and numberType (or a number)' },
    { check: (b) => present(b, 'customerReference'), names: 'customerReference (the end customer the numbers are assigned to)' },
  ],
  reservation_cancellation: [{ check: namesANumber, names: 'startFullNumber (or country, areaCode and rangeStart)' }],
  address_update: [
    { check: namesANumber, names: 'startFullNumber (or country, areaCode and rangeStart)' },
    { check: (b) => present(b, 'address'), names: 'address' },
  ],
};

/** The 400 message for `body`, or null when the simulator accepts it. */
export function orderingBodyProblem(type: MockOrderType, body: Record<string, unknown>): string | null {
  const allowed = ORDERING_PARAMETERS[type];
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) return `unknown body parameter${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (accepted: ${allowed.join(', ')})`;
  const missing = REQUIRED[type].filter((rule) => !rule.check(body)).map((rule) => rule.names);
  return missing.length > 0 ? `missing body parameter: ${missing.join('; ')}` : null;
}
