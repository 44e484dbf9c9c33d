import { describe, expect, it } from 'vitest';
import { WEBHOOK_SECRET } from '../../../test/support/events.js';
import { formatProblems, parseRules } from './rules.js';
import type { RuleProblem, RulesConfig, RulesResult } from './rules.js';

function ok(result: RulesResult): RulesConfig {
  if (!result.ok) throw new Error(`expected valid rules, got:\n${formatProblems(result.problems, 'test.yaml')}`);
  return result.rules;
}

function problems(text: string): RuleProblem[] {
  const result = parseRules(text, {});
  if (result.ok) throw new Error('expected problems');
  return result.problems;
}

describe('parseRules: channels', () => {
  const channel = (settings: string) => `channels:\n  c: ${settings}\nrules:\n  - name: r\n    notify: [c]\n`;
  const messagesFor = (settings: string) => problems(channel(settings)).map((p) => `${p.path}: ${p.message}`);

  it('requires each type\'s fields', () => {
    expect(messagesFor('{ type: webhook }')).toEqual(['channels.c.url: is required', 'channels.c.secret: is required']);
    expect(messagesFor('{ type: slack }')).toEqual(['channels.c.channel: is required']);
    expect(messagesFor('{ type: email }')).toEqual(['channels.c.to: is required']);
    expect(messagesFor('{ channel: C1 }')).toEqual(['channels.c.type: is required: email, slack, webhook, log or colt-ticket']);
  });

  it('checks the webhook secret format and the URL', () => {
    const webhook = (secret: string, url = 'https://h.example/x') => `{ type: webhook, url: "${url}", secret: "${secret}" }`;
    expect(() => ok(parseRules(channel(webhook(WEBHOOK_SECRET)), {}))).not.toThrow();
    expect(messagesFor(webhook('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'))).toEqual([
      'channels.c.secret: must be "whsec_" followed by base64 (Standard Webhooks)',
    ]);
    expect(messagesFor(webhook('whsec_not base64!'))).toHaveLength(1);
    expect(messagesFor(webhook(WEBHOOK_SECRET, 'ftp://h.example/x'))).toEqual(['channels.c.url: must be an absolute http(s) URL']);
  });

  it('accepts one address or a list, and checks each', () => {
    const rules = ok(parseRules(channel('{ type: email, to: noc@example.com, from: "NOC <relay@example.com>" }'), {}));
    expect(rules.channels.c).toMatchObject({ to: ['noc@example.com'], from: 'NOC <relay@example.com>' });
    expect(messagesFor('{ type: email, to: [a@example.com, nope], cc: [x] }')).toEqual([
      'channels.c.to[1]: is not a valid email address',
      'channels.c.cc[0]: is not a valid email address',
    ]);
  });

  it('rejects templates on webhooks and unknown fields, suggesting the right one', () => {
    expect(messagesFor(`{ type: webhook, url: https://h.example, secret: ${WEBHOOK_SECRET}, text: hi }`)).toEqual([
      'channels.c.text: unknown field "text"',
    ]);
    expect(messagesFor('{ type: slack, chanel: C1 }')).toEqual([
      'channels.c.channel: is required',
      'channels.c.chanel: unknown field "chanel" (did you mean "channel"?)',
    ]);
  });

  it('allows the normalised event fields, payload.* and order.* in templates and flags malformed placeholders', () => {
    expect(() =>
      ok(parseRules(channel('{ type: log, subject: "{{orderId}} {{numbers}} {{stale}}", text: "{{payload.x.y}} {{order.state}}" }'), {})),
    ).not.toThrow();
    expect(messagesFor('{ type: log, text: "{{payload}} {{orders.x}}" }')).toEqual([
      'channels.c.text: unknown placeholder "{{orders.x}}" (did you mean "order.x"?)',
    ]);
    expect(messagesFor('{ type: log, text: "{{ order id }}" }')).toEqual([
      'channels.c.text: malformed placeholder: write {{field}} with a field name like {{orderId}}',
    ]);
  });
});
