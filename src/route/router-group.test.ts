import { describe, expect, it } from 'vitest';
import { WEBHOOK_SECRET, makeEvent } from '../../test/support/events.js';
import { formatProblems, parseRules } from '../config/rules/rules.js';
import type { RulesConfig } from '../config/rules/rules.js';
import { routeEvent } from './router.js';

function load(text: string): RulesConfig {
  const result = parseRules(text, {});
  if (!result.ok) throw new Error(formatProblems(result.problems, 'test'));
  return result.rules;
}

const CHANNELS = `channels:
  ops-slack: { type: slack, channel: C1 }
  noc-email: { type: email, to: [noc@example.com] }
  oss: { type: webhook, url: https://oss.example.com, secret: ${WEBHOOK_SECRET} }
  console: { type: log }
  tickets: { type: colt-ticket, severity: Major, ticketType: Order }
`;

const grouped = load(`${CHANNELS}rules:
  - name: failures
    match: { status: failed }
    notify: [ops-slack, noc-email, oss, console, tickets]
    group: { by: [orderType, customerRef], wait: 10s, interval: 1m }
`);

describe('routeEvent: groups (docs/design.md#grouping)', () => {
  it('puts Slack and email deliveries in the rule\'s group and leaves machine channels alone', () => {
    const result = routeEvent(grouped, makeEvent({ status: 'failed', customerRef: 'ACME' }));
    const group = {
      rule: 'failures',
      key: '{"customerRef":"ACME","orderType":"activation"}',
      values: { customerRef: 'ACME', orderType: 'activation' },
      waitMs: 10_000,
      intervalMs: 60_000,
    };
    expect(result.deliveries).toEqual([
      { channel: 'ops-slack', channelType: 'slack', rules: ['failures'], group },
      { channel: 'noc-email', channelType: 'email', rules: ['failures'], group },
      { channel: 'oss', channelType: 'webhook', rules: ['failures'] },
      { channel: 'console', channelType: 'log', rules: ['failures'] },
      { channel: 'tickets', channelType: 'colt-ticket', rules: ['failures'] },
    ]);
  });

  it('keys by the values, the same whatever else differs; absent values are null', () => {
    const keyOf = (overrides: Parameters<typeof makeEvent>[0]) =>
      routeEvent(grouped, makeEvent({ status: 'failed', ...overrides })).deliveries[0]!.group!.key;
    expect(keyOf({ customerRef: 'ACME', orderId: 'A' })).toBe(keyOf({ customerRef: 'ACME', orderId: 'B' }));
    expect(keyOf({ customerRef: 'ACME' })).not.toBe(keyOf({ customerRef: 'acme' }));
    expect(keyOf({ customerRef: 'ACME' })).not.toBe(keyOf({ customerRef: 'ACME', orderType: 'reservation' }));
    expect(keyOf({ customerRef: null })).toBe('{"customerRef":null,"orderType":"activation"}');
  });

  it('reads payload paths and numbers as the matcher does, as text', () => {
    const rules = load(`${CHANNELS}rules:
  - name: r
    notify: [ops-slack]
    group: { by: [payload.account.id, number] }
`);
    const event = makeEvent({
      payload: { account: { id: 42 } },
      numbers: [{ start: '+441', end: '+442', country: 'GB' }],
    });
    expect(routeEvent(rules, event).deliveries[0]!.group).toMatchObject({
      key: '{"number":"+441,+442","payload.account.id":"42"}',
      values: { 'payload.account.id': '42', number: '+441,+442' },
    });
  });

  it('an empty `by` makes one group per rule and channel', () => {
    const rules = load(`${CHANNELS}rules:\n  - name: r\n    notify: [noc-email]\n    group: {}\n`);
    expect(routeEvent(rules, makeEvent({ customerRef: 'A' })).deliveries[0]!.group).toMatchObject({ key: '{}', values: {} });
  });

  it('the first matching rule naming a channel decides: a later grouping rule does not group it', () => {
    const rules = load(`${CHANNELS}rules:
  - name: plain
    match: { customerRef: ACME }
    notify: [ops-slack]
  - name: grouping
    notify: [ops-slack, noc-email]
    group: { by: [customerRef] }
`);
    const acme = routeEvent(rules, makeEvent({ customerRef: 'ACME' })).deliveries;
    expect(acme[0]).toEqual({ channel: 'ops-slack', channelType: 'slack', rules: ['plain', 'grouping'] });
    expect(acme[1]!.group).toMatchObject({ rule: 'grouping', key: '{"customerRef":"ACME"}' });
    // Where the first rule does not match, the grouping rule is the first to name ops-slack.
    const other = routeEvent(rules, makeEvent({ customerRef: 'OTHER' })).deliveries;
    expect(other[0]!.group).toMatchObject({ rule: 'grouping', key: '{"customerRef":"OTHER"}' });
  });
});
