import { describe, expect, it } from 'vitest';
import { EXAMPLE_RULES_YAML, WEBHOOK_SECRET, makeEvent } from '../../test/support/events.js';
import { parseRules } from '../config/rules/rules.js';
import type { RulesConfig } from '../config/rules/rules.js';
import { createRouter, routeEvent } from './router.js';

function load(text: string, env: Record<string, string> = {}): RulesConfig {
  const result = parseRules(text, env);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.rules;
}

const design = load(EXAMPLE_RULES_YAML, { OSS_WEBHOOK_SECRET: WEBHOOK_SECRET });
const channelsFor = (rules: RulesConfig, overrides: Parameters<typeof makeEvent>[0]) =>
  routeEvent(rules, makeEvent(overrides)).deliveries.map((d) => d.channel);

describe('routeEvent: the documented example (docs/rules.md)', () => {
  it('sends a failed activation to ops-slack, noc-email and oss', () => {
    const result = routeEvent(design, makeEvent({ status: 'failed', rawStatus: 'rejected' }));
    expect(result).toEqual({
      matched: [
        { rule: 'failures-to-ops', channels: ['ops-slack', 'noc-email'] },
        { rule: 'everything-to-oss', channels: ['oss'] },
      ],
      deliveries: [
        { channel: 'ops-slack', channelType: 'slack', rules: ['failures-to-ops'] },
        { channel: 'noc-email', channelType: 'email', rules: ['failures-to-ops'] },
        { channel: 'oss', channelType: 'webhook', rules: ['everything-to-oss'] },
      ],
      skippedStale: false,
    });
  });

  it('sends a completed non-freephone activation only to oss', () => {
    const result = routeEvent(design, makeEvent({ status: 'completed', numberType: 'geo' }));
    expect(result.deliveries.map((d) => d.channel)).toEqual(['oss']);
    expect(result.stoppedBy).toBeUndefined();
  });

  it('sends a completed UK freephone activation to oss and noc-email, and stops', () => {
    const uk = [{ start: '+448001234500', end: '+448001234599', country: 'GB' }];
    const result = routeEvent(design, makeEvent({ numberType: 'freephone', numbers: uk }));
    expect(result.matched.map((m) => m.rule)).toEqual(['everything-to-oss', 'uk-freephone-done']);
    expect(result.deliveries.map((d) => [d.channel, d.channelType])).toEqual([
      ['oss', 'webhook'],
      ['noc-email', 'email'],
    ]);
    expect(result.stoppedBy).toBe('uk-freephone-done');
  });

  it('does not treat French freephone as UK freephone', () => {
    expect(channelsFor(design, { numberType: 'freephone' })).toEqual(['oss']);
  });
});

const THREE_CHANNELS = `channels:
  a: { type: log }
  b: { type: log }
  c: { type: log }
rules:
`;

describe('routeEvent: walking the rules', () => {
  it('fires every matching rule in file order until one with stop: true', () => {
    const rules = load(`${THREE_CHANNELS}  - { name: one, notify: [a] }
  - { name: two, match: { status: completed }, notify: [b], stop: true }
  - { name: three, notify: [c] }
`);
    expect(routeEvent(rules, makeEvent({ status: 'completed' }))).toMatchObject({
      matched: [{ rule: 'one' }, { rule: 'two' }],
      stoppedBy: 'two',
    });
    // A stop rule that does not match does not stop anything.
    expect(channelsFor(rules, { status: 'failed' })).toEqual(['a', 'c']);
  });

  it('delivers to a channel once, listing every rule that named it', () => {
    const rules = load(`${THREE_CHANNELS}  - { name: one, notify: [a, b] }
  - { name: two, notify: [b] }
  - { name: three, notify: [c, a] }
`);
    expect(routeEvent(rules, makeEvent()).deliveries).toEqual([
      { channel: 'a', channelType: 'log', rules: ['one', 'three'] },
      { channel: 'b', channelType: 'log', rules: ['one', 'two'] },
      { channel: 'c', channelType: 'log', rules: ['three'] },
    ]);
  });

  it('skips stale events unless a rule sets stale: true', () => {
    const rules = load(`${THREE_CHANNELS}  - { name: fresh-only, notify: [a] }
  - { name: any, stale: true, notify: [b] }
  - { name: stale-only, stale: true, match: { stale: true }, notify: [c] }
`);
    expect(routeEvent(rules, makeEvent({ stale: true }))).toMatchObject({
      matched: [{ rule: 'any' }, { rule: 'stale-only' }],
      skippedStale: true,
    });
    expect(routeEvent(rules, makeEvent({ stale: false }))).toMatchObject({
      matched: [{ rule: 'fresh-only' }, { rule: 'any' }],
      skippedStale: false,
    });
    expect(routeEvent(design, makeEvent({ stale: true, status: 'failed' })).deliveries).toEqual([]);
  });

  it('routes nothing when no rule matches', () => {
    const rules = load(`${THREE_CHANNELS}  - { name: one, match: { status: cancelled }, notify: [a] }\n`);
    expect(routeEvent(rules, makeEvent())).toEqual({ matched: [], deliveries: [], skippedStale: false });
  });

  it('compiles once: a router keeps routing by the rules it was built with', () => {
    const rules = load(`${THREE_CHANNELS}  - { name: one, match: { status: failed }, notify: [a] }\n`);
    const router = createRouter(rules);
    const failed = makeEvent({ status: 'failed' });
    expect(router(failed).deliveries.map((d) => d.channel)).toEqual(['a']);
    expect(routeEvent(rules, failed)).toEqual(router(failed));
    expect(router(makeEvent({ status: 'completed' })).deliveries).toEqual([]);
  });

  it('refuses a hand-built config that names an undefined channel', () => {
    const broken: RulesConfig = { channels: {}, rules: [{ name: 'r', notify: ['ghost'], stop: false }] };
    expect(() => routeEvent(broken, makeEvent())).toThrow(/undefined channel "ghost"/);
  });
});
