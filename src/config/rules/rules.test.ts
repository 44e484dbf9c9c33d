import { describe, expect, it } from 'vitest';
import { EXAMPLE_RULES_YAML, WEBHOOK_SECRET } from '../../../test/support/events.js';
import { DEFAULT_RULES_YAML, defaultRules, formatProblems, parseRules } from './rules.js';
import type { RuleProblem, RulesConfig, RulesResult } from './rules.js';

const ENV = { OSS_WEBHOOK_SECRET: WEBHOOK_SECRET };

function ok(result: RulesResult): RulesConfig {
  if (!result.ok) throw new Error(`expected valid rules, got:\n${formatProblems(result.problems, 'test.yaml')}`);
  return result.rules;
}

function problems(text: string, env: Record<string, string | undefined> = ENV): RuleProblem[] {
  const result = parseRules(text, env);
  if (result.ok) throw new Error('expected problems');
  return result.problems;
}

/** `line path` pairs: what a reader of `rules check` output relies on. */
const where = (list: RuleProblem[]) => list.map((p) => `${p.line} ${p.path}`);

const rulesWith = (body: string) => `channels:\n  console: { type: log }\nrules:\n${body}`;

describe('parseRules: the documented example (docs/rules.md)', () => {
  it('loads with OSS_WEBHOOK_SECRET set', () => {
    const rules = ok(parseRules(EXAMPLE_RULES_YAML, ENV));
    expect(Object.keys(rules.channels)).toEqual(['ops-slack', 'noc-email', 'oss', 'console']);
    expect(rules.channels.oss).toEqual({ type: 'webhook', url: 'https://oss.example.com/colt', secret: WEBHOOK_SECRET });
    expect(rules.channels['noc-email']).toEqual({ type: 'email', to: ['noc@example.com'] });
    expect(rules.rules.map((r) => [r.name, r.notify, r.stop])).toEqual([
      ['failures-to-ops', ['ops-slack', 'noc-email'], false],
      ['everything-to-oss', ['oss'], false],
      ['uk-freephone-done', ['noc-email'], true],
    ]);
    expect(rules.rules[1]!.match).toBeUndefined();
    expect(rules.rules[2]!.match).toEqual([
      [
        { field: 'status', tests: [{ op: 'eq', arg: 'completed' }] },
        { field: 'orderType', tests: [{ op: 'eq', arg: 'activation' }] },
        { field: 'numberType', tests: [{ op: 'eq', arg: 'freephone' }] },
        { field: 'number', tests: [{ op: 'prefix', arg: '+44800' }] },
      ],
    ]);
  });

  it('names a missing variable with its line, without a follow-up complaint about the secret', () => {
    const list = problems(EXAMPLE_RULES_YAML, {});
    expect(list).toEqual([
      { line: 4, column: 76, path: 'channels.oss.secret', message: 'environment variable OSS_WEBHOOK_SECRET is not set' },
    ]);
  });
});

describe('parseRules: interpolation', () => {
  const file = (value: string) => `channels:\n  console: { type: log, text: "${value}" }\nrules:\n  - name: all\n    notify: [console]\n`;
  const textOf = (value: string, env: Record<string, string>) => {
    const channel = ok(parseRules(file(value), env)).channels.console;
    return channel?.type === 'log' ? channel.text : undefined;
  };

  it('replaces ${VAR} anywhere in a string, several times', () => {
    expect(textOf('[${A}] {{orderId}} ${B}${A}', { A: 'x', B: 'y' })).toBe('[x] {{orderId}} yx');
  });

  it('keeps $${VAR} as a literal ${VAR}', () => {
    expect(textOf('cost $${A}', { A: 'x' })).toBe('cost ${A}');
  });

  it('reports bad references', () => {
    expect(problems(file('${not-a-name}'), {}).map((p) => p.message)).toEqual([
      'invalid variable name "not-a-name" in "${not-a-name}"',
    ]);
    expect(problems(file('${UNCLOSED'), {})[0]!.message).toMatch(/unclosed/);
  });

  it('does not interpolate keys or leave shielding characters in them', () => {
    const list = problems(`channels:\n  console: { type: log }\nrules: []\n\${X}: 1\n`, { X: 'y' });
    expect(list.map((p) => p.message)).toEqual(['unknown top-level key "${X}"']);
  });
});

describe('parseRules: every problem at once, with lines', () => {
  const BROKEN = `channels:
  ops-slack:
    type: slak
    channel: C1
  noc-email: { type: email, to: [not-an-email] }
  oss:
    type: webhook
    url: notaurl
    secret: abc
  mail:
    type: email
    text: "Order {{orderid}} is {{status}} {{payload.a.b}} {{order.x}}"
rules:
  - name: a
    match: { statu: failed, status: done, number: { prefixx: "+44" }, payload.x: { regex: "a(?=b)" } }
    notify: [ops-slak, oss]
  - name: a
    stop: maybe
    notify: pager
  - match: [ { orderType: ACTIVATION, numberType: [freephone, bogus] } ]
    notify: []
    extra: 1
`;

  it('lists each problem with the line of its node', () => {
    const list = problems(BROKEN);
    expect(where(list)).toEqual([
      '3 channels.ops-slack.type',
      '5 channels.noc-email.to[0]',
      '8 channels.oss.url',
      '9 channels.oss.secret',
      '10 channels.mail.to',
      '12 channels.mail.text',
      '15 rules[0].match.statu',
      '15 rules[0].match.status',
      '15 rules[0].match.number.prefixx',
      '15 rules[0].match.payload.x.regex',
      '16 rules[0].notify[0]',
      '17 rules[1].name',
      '18 rules[1].stop',
      '19 rules[1].notify',
      '20 rules[2].name',
      '20 rules[2].match[0].numberType[1]',
      '21 rules[2].notify',
      '22 rules[2].extra',
    ]);
    const messages = list.map((p) => p.message);
    expect(messages).toContain('unknown channel type "slak" (did you mean "slack"?)');
    expect(messages).toContain('unknown placeholder "{{orderid}}" (did you mean "orderId"?)');
    expect(messages).toContain('unknown field "statu" (did you mean "status"?)');
    expect(messages).toContain('unknown operator "prefixx" (did you mean "prefix"?)');
    expect(messages).toContain('duplicate rule name "a"');
    expect(messages).toContain('must be true or false');
    expect(messages).toContain('unknown channel "pager"; define it under `channels`');
    expect(messages.find((m) => m.includes('"done"'))).toMatch(/not a valid status; expected raised, in_progress/);
  });

  it('never echoes a secret or URL from the file', () => {
    const text = formatProblems(problems(BROKEN), 'rules.yaml');
    expect(text).not.toContain('abc');
    expect(text).not.toContain('notaurl');
  });

  it('reports YAML syntax errors with their lines and nothing else', () => {
    const list = problems('channels:\n  console: { type: log\nrules: [\n');
    expect(list.length).toBeGreaterThan(0);
    expect(list[0]).toMatchObject({ line: 3, path: '' });
    expect(list.every((p) => p.message.startsWith('YAML syntax'))).toBe(true);
  });

  it('reports duplicate keys (a channel defined twice) at the second one', () => {
    const list = problems('channels:\n  console: { type: log }\n  console: { type: log }\nrules: []\n');
    expect(list).toEqual([{ line: 3, column: 3, path: '', message: 'duplicate key "console"' }]);
  });

  it('reports an empty file, a missing section and unknown top-level keys (x- keys are allowed)', () => {
    expect(problems('')[0]!.message).toMatch(/is empty/);
    expect(where(problems('channels: {}\nrulez: []\nx-anchors: { a: 1 }\n'))).toEqual(['1 rules', '2 rulez']);
  });
});

describe('parseRules: rules and matches', () => {
  const matchOf = (match: string) => ok(parseRules(rulesWith(`  - name: r\n    match: ${match}\n    notify: [console]\n`), {})).rules[0]!.match;
  const messagesFor = (rule: string) => problems(rulesWith(rule), {}).map((p) => `${p.path}: ${p.message}`);

  it('normalises enum values to lower case and numbers to E.164', () => {
    expect(matchOf('{ status: FAILED, orderType: [Activation], number: 0044 800 123456 }')).toEqual([
      [
        { field: 'status', tests: [{ op: 'eq', arg: 'failed' }] },
        { field: 'orderType', tests: [{ op: 'in', arg: ['activation'] }] },
        { field: 'number', tests: [{ op: 'eq', arg: '+44800123456' }] },
      ],
    ]);
  });

  it('keeps numbers as written: an unquoted +44800 prefix and a 00123 customer reference', () => {
    expect(matchOf('{ number: { prefix: +44800 }, customerRef: 00123 }')).toEqual([
      [
        { field: 'number', tests: [{ op: 'prefix', arg: '+44800' }] },
        { field: 'customerRef', tests: [{ op: 'eq', arg: '00123' }] },
      ],
    ]);
  });

  it('compiles regexes once, with /…/flags and case-insensitive enum fields', () => {
    const match = matchOf('{ rawStatus: { regex: "/^compl/i" }, status: { regex: "^FAIL" } }');
    const [raw, status] = match![0]!.map((c) => c.tests[0]!);
    expect(raw).toMatchObject({ op: 'regex', arg: { source: '/^compl/i' } });
    expect(status).toMatchObject({ op: 'regex', arg: { source: '^FAIL' } });
    const test = (t: typeof raw, value: string) => t?.op === 'regex' && t.arg.test(value);
    expect([test(raw, 'COMPLETED'), test(status, 'failed'), test(status, 'is failed')]).toEqual([true, true, false]);
  });

  it('rejects unknown operators, fields, bad operator arguments and risky regexes', () => {
    const rule = (match: string) => `  - name: r\n    match: ${match}\n    notify: [console]\n`;
    expect(messagesFor(rule('{ status: { equals: failed } }'))).toEqual([
      'rules[0].match.status.equals: unknown operator "equals"; expected eq, in, not, notIn, regex, prefix or exists',
    ]);
    expect(messagesFor(rule('{ numbers: { exists: true }, payload.: 1 }'))).toEqual([
      'rules[0].match.numbers: unknown field "numbers": use "number" (any start or end of the event\'s ranges)',
      expect.stringMatching(/^rules\[0\]\.match\.payload\.: unknown field "payload\."/),
    ]);
    expect(messagesFor(rule('{ orderId: { in: X, exists: yes, regex: "(" }, status: {} }'))).toEqual([
      'rules[0].match.orderId.in: must be a list of values',
      'rules[0].match.orderId.exists: must be true or false',
      'rules[0].match.orderId.regex: invalid regex at position 1: missing )',
      'rules[0].match.status: needs an operator: eq, in, not, notIn, regex, prefix or exists',
    ]);
    expect(messagesFor(rule(`{ orderId: { regex: "${'a'.repeat(300)}" } }`))).toEqual([
      'rules[0].match.orderId.regex: regex is longer than 256 characters',
    ]);
    expect(messagesFor(rule('{ number: { eq: "+44 abc" }, stale: maybe }'))).toEqual([
      'rules[0].match: matching on `stale` needs `stale: true` on the rule: stale events skip rules without it',
      'rules[0].match.number.eq: "+44 abc" is not an E.164 number (like "+44800123456")',
      'rules[0].match.stale: must be true or false',
    ]);
  });

  it('accepts a list of maps (any of) and rejects an empty list', () => {
    expect(matchOf('[ { status: failed }, { status: cancelled } ]')).toHaveLength(2);
    expect(messagesFor('  - name: r\n    match: []\n    notify: [console]\n')).toEqual([
      'rules[0].match: is an empty list, which matches nothing: remove `match` to match every event',
    ]);
  });

  it('reads stop and stale, dedupes notify, and accepts notify as one name', () => {
    const rules = ok(parseRules(rulesWith('  - name: r\n    stale: true\n    stop: true\n    notify: console\n  - name: s\n    notify: [console, console]\n'), {}));
    expect(rules.rules).toEqual([
      { name: 'r', notify: ['console'], stop: true, stale: true },
      { name: 's', notify: ['console'], stop: false },
    ]);
  });
});

describe('defaultRules and formatProblems', () => {
  it('is one log channel and a catch-all rule', () => {
    expect(defaultRules()).toEqual({
      channels: { console: { type: 'log' } },
      rules: [{ name: 'everything-to-log', notify: ['console'], stop: false }],
    });
    // The text shown to users says the same as the data the Worker loads.
    const parsed = parseRules(DEFAULT_RULES_YAML, {}, 'built-in rules');
    expect(parsed.ok && parsed.rules).toEqual(defaultRules());
  });

  it('prints source:line:col  path  message', () => {
    const text = formatProblems(
      [
        { line: 3, column: 5, path: 'rules[0].notify', message: 'unknown channel "x"' },
        { path: '', message: 'rules file x.yaml does not exist' },
      ],
      'x.yaml',
    );
    expect(text).toBe('x.yaml:3:5  rules[0].notify  unknown channel "x"\nx.yaml  (file)  rules file x.yaml does not exist');
  });
});

describe('parseRules: event types and failure fields', () => {
  it('accepts every type the relay produces and names the closest for a typo', () => {
    for (const type of ['order.failed', 'order.overdue', 'ticket.resolved', 'relay.channel_disabled', 'relay.channel_enabled']) {
      expect(() => ok(parseRules(rulesWith(`  - name: r\n    match: { type: ${type} }\n    notify: [console]\n`), {})), type).not.toThrow();
    }
    const list = problems(rulesWith('  - name: r\n    match: { type: [relay.channel_enable, order.done] }\n    notify: [console]\n'), {});
    expect(list.map((p) => p.message)).toEqual([
      expect.stringMatching(/^"relay.channel_enable" is not an event type the relay produces \(did you mean "relay.channel_enabled"\?\); types are order.<status>/),
      expect.stringMatching(/^"order.done" is not an event type the relay produces/),
    ]);
    // A prefix or a pattern is the writer's business.
    expect(() => ok(parseRules(rulesWith('  - name: r\n    match: { type: { prefix: "relay." } }\n    notify: [console]\n'), {}))).not.toThrow();
  });

  it('lets match, group by and templates name failure.code, .reason, .message and .source', () => {
    const rules = ok(
      parseRules(
        'channels:\n  console: { type: log, text: "{{orderId}} {{failure.code}} {{failure.reason}} {{failure.message}}" }\n' +
          '  ops: { type: slack, channel: C0123456789 }\n' +
          'rules:\n  - name: r\n    match: { failure.code: E-4021, failure.source: order }\n    notify: [console, ops]\n    group: { by: [failure.code] }\n',
        {},
      ),
    );
    expect(rules.rules[0]!.match).toEqual([
      [
        { field: 'failure.code', tests: [{ op: 'eq', arg: 'E-4021' }] },
        { field: 'failure.source', tests: [{ op: 'eq', arg: 'order' }] },
      ],
    ]);
    const list = problems('channels:\n  console: { type: log, text: "{{failure.cod}}" }\nrules:\n  - name: r\n    match: { failure.reasn: x }\n    notify: [console]\n', {});
    expect(list.map((p) => p.message)).toEqual([
      'unknown placeholder "{{failure.cod}}" (did you mean "failure.code"?)',
      expect.stringMatching(/^unknown field "failure.reasn" \(did you mean "failure.reason"\?\)/),
    ]);
  });
});
