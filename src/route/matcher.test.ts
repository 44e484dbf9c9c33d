import { describe, expect, it } from 'vitest';
import { makeEvent } from '../../test/support/events.js';
import type { NormalisedEvent } from '../event/event.js';
import { parseRules } from '../config/rules/rules.js';
import { compileMatch } from './matcher.js';

/** Compiles `match` (YAML) through the real loader, as the router receives it. */
function matcher(match: string): (overrides?: Partial<NormalisedEvent>) => boolean {
  const result = parseRules(`channels:\n  a: { type: log }\nrules:\n  - name: r\n    match: ${match}\n    notify: [a]\n`, {});
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  const matches = compileMatch(result.rules.rules[0]!.match);
  return (overrides = {}) => matches(makeEvent(overrides));
}

const UK_RANGE = [{ start: '+448001234500', end: '+448001234599', country: 'GB' }];

describe('compileMatch: condition forms', () => {
  it('matches everything without a match', () => {
    expect(compileMatch(undefined)(makeEvent())).toBe(true);
  });

  it('scalar: equals, case-insensitively for enum fields only', () => {
    const status = matcher('{ status: Completed }');
    expect(status()).toBe(true);
    expect(status({ status: 'failed' })).toBe(false);
    const ref = matcher('{ customerRef: cust-7 }');
    expect(ref({ customerRef: 'cust-7' })).toBe(true);
    expect(ref({ customerRef: 'CUST-7' })).toBe(false);
  });

  it('folds case on both sides for enum fields, even in a hand-built spec', () => {
    const matches = compileMatch([[{ field: 'orderType', tests: [{ op: 'eq', arg: 'ACTIVATION' }] }]]);
    expect(matches(makeEvent({ orderType: 'activation' }))).toBe(true);
    expect(matches(makeEvent({ orderType: 'Activation' as NormalisedEvent['orderType'] }))).toBe(true);
    expect(matches(makeEvent({ orderType: 'reservation' }))).toBe(false);
  });

  it('list: any of', () => {
    const m = matcher('{ status: [failed, CANCELLED] }');
    expect(m({ status: 'cancelled' })).toBe(true);
    expect(m({ status: 'failed' })).toBe(true);
    expect(m({ status: 'completed' })).toBe(false);
  });

  it('all entries of a map must hold; a list of maps means any of them', () => {
    const all = matcher('{ status: completed, orderType: activation }');
    expect(all()).toBe(true);
    expect(all({ orderType: 'reservation' })).toBe(false);
    const any = matcher('[ { status: failed }, { orderType: reservation, numberType: freephone } ]');
    expect(any({ status: 'failed' })).toBe(true);
    expect(any({ orderType: 'reservation', numberType: 'freephone' })).toBe(true);
    expect(any({ orderType: 'reservation' })).toBe(false);
  });

  it('several operators on one field must all hold', () => {
    const m = matcher('{ orderId: { prefix: IN-, not: IN-ORD-9 } }');
    expect(m({ orderId: 'IN-ORD-1' })).toBe(true);
    expect(m({ orderId: 'IN-ORD-9' })).toBe(false);
    expect(m({ orderId: 'X-1' })).toBe(false);
  });
});

describe('compileMatch: operators', () => {
  it('eq and not', () => {
    expect(matcher('{ orderType: { eq: ACTIVATION } }')()).toBe(true);
    expect(matcher('{ orderType: { eq: reservation } }')()).toBe(false);
    expect(matcher('{ orderType: { not: reservation } }')()).toBe(true);
    expect(matcher('{ orderType: { not: Activation } }')()).toBe(false);
  });

  it('in and notIn', () => {
    expect(matcher('{ numberType: { in: [freephone, GEO] } }')()).toBe(true);
    expect(matcher('{ numberType: { in: [freephone] } }')()).toBe(false);
    expect(matcher('{ numberType: { notIn: [freephone, shared_cost] } }')()).toBe(true);
    expect(matcher('{ numberType: { notIn: [geo] } }')()).toBe(false);
  });

  it('regex searches the value; enum fields ignore case', () => {
    const m = matcher('{ orderId: { regex: "^IN-ORD-\\\\d+$" } }');
    expect(m({ orderId: 'IN-ORD-42' })).toBe(true);
    expect(m({ orderId: 'IN-ORD-42x' })).toBe(false);
    expect(matcher('{ rawStatus: { regex: "/^COMPL/i" } }')({ rawStatus: 'completed' })).toBe(true);
    expect(matcher('{ status: { regex: "^COMPLETED$" } }')()).toBe(true);
  });

  it('prefix', () => {
    const m = matcher('{ customerRef: { prefix: CUST- } }');
    expect(m()).toBe(true);
    expect(m({ customerRef: 'ACME-1' })).toBe(false);
    expect(m({ customerRef: null })).toBe(false);
  });

  it('exists, and eq: null for "absent"', () => {
    expect(matcher('{ customerRef: { exists: true } }')()).toBe(true);
    expect(matcher('{ customerRef: { exists: true } }')({ customerRef: null })).toBe(false);
    expect(matcher('{ customerRef: { exists: false } }')({ customerRef: null })).toBe(true);
    expect(matcher('{ order: { exists: true } }')()).toBe(false);
    expect(matcher('{ order: { exists: true } }')({ order: { id: 'x' } })).toBe(true);
    expect(matcher('{ customerRef: null }')({ customerRef: null })).toBe(true);
    expect(matcher('{ customerRef: null }')()).toBe(false);
  });

  it('stale compares as true/false', () => {
    const rule = parseRules('channels:\n  a: { type: log }\nrules:\n  - { name: r, stale: true, match: { stale: true }, notify: [a] }\n', {});
    if (!rule.ok) throw new Error('invalid');
    const matches = compileMatch(rule.rules.rules[0]!.match);
    expect(matches(makeEvent({ stale: true }))).toBe(true);
    expect(matches(makeEvent({ stale: false }))).toBe(false);
  });

  it('matches the event type and source (docs/design.md#event-types)', () => {
    expect(matcher('{ type: order.overdue }')({ type: 'order.overdue' })).toBe(true);
    expect(matcher('{ type: order.overdue }')({ type: 'order.completed' })).toBe(false);
    expect(matcher('{ type: { prefix: "order." } }')({ type: 'order.failed' })).toBe(true);
    expect(matcher('{ source: Reconciliation }')({ source: 'reconciliation' })).toBe(true);
    expect(matcher('{ source: reconciliation }')({ source: 'callback' })).toBe(false);
  });

  it('refuses an unknown source', () => {
    const rule = parseRules('channels:\n  a: { type: log }\nrules:\n  - { name: r, match: { source: colt }, notify: [a] }\n', {});
    expect(rule.ok).toBe(false);
  });
});

describe('compileMatch: number, payload and order', () => {
  it('number holds when any range start or end satisfies the condition', () => {
    const two = [
      { start: '+33382500010', end: '+33382500019', country: 'FR' },
      ...UK_RANGE,
    ];
    expect(matcher('{ number: { prefix: "+44800" } }')({ numbers: two })).toBe(true);
    expect(matcher('{ number: { prefix: +44800 } }')()).toBe(false);
    expect(matcher('{ number: "+44 800 1234599" }')({ numbers: UK_RANGE })).toBe(true);
    expect(matcher('{ number: "+448001234550" }')({ numbers: UK_RANGE })).toBe(false);
    expect(matcher('{ number: { in: [+448001234500, +33382500019] } }')({ numbers: two })).toBe(true);
    expect(matcher('{ number: { regex: "^\\\\+33" } }')({ numbers: UK_RANGE })).toBe(false);
    expect(matcher('{ number: { exists: false } }')({ numbers: [] })).toBe(true);
  });

  it('not and notIn on number hold when no start or end is the one named', () => {
    expect(matcher('{ number: { not: "+448001234500" } }')({ numbers: UK_RANGE })).toBe(false);
    expect(matcher('{ number: { notIn: ["+448001234501"] } }')({ numbers: UK_RANGE })).toBe(true);
  });

  it('payload.<path> and order.<path> reach nested fields; lists match element by element', () => {
    const payload = { event: { productOrder: { priority: 5, tags: ['urgent', 'uk'], state: 'Completed' } } };
    expect(matcher('{ payload.event.productOrder.priority: 5 }')({ payload })).toBe(true);
    expect(matcher('{ payload.event.productOrder.priority: { in: [1, 2] } }')({ payload })).toBe(false);
    expect(matcher('{ payload.event.productOrder.tags: urgent }')({ payload })).toBe(true);
    expect(matcher('{ payload.event.productOrder.state: completed }')({ payload })).toBe(false);
    expect(matcher('{ payload.event.missing.deeper: { exists: false } }')({ payload })).toBe(true);
    const order = { customer: { name: 'ACME' }, state: 'completed' };
    expect(matcher('{ order.customer.name: { regex: "^AC" } }')({ order })).toBe(true);
    expect(matcher('{ order.customer.name: { exists: true } }')({ order: null })).toBe(false);
  });

  it('does not reach inherited properties through a path', () => {
    expect(matcher('{ payload.constructor: { exists: true } }')({ payload: {} })).toBe(false);
  });
});
