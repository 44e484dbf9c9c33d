import { describe, expect, it } from 'vitest';
import { WEBHOOK_SECRET } from '../../../test/support/events.js';
import { compileRules } from '../../cli/rules-compile.command.js';
import { formatProblems, parseRules } from './rules.js';
import type { RulesConfig, RulesResult } from './rules.js';
import { parseRate } from './notify.js';

function ok(result: RulesResult): RulesConfig {
  if (!result.ok) throw new Error(`expected valid rules, got:\n${formatProblems(result.problems, 'test.yaml')}`);
  return result.rules;
}

/** `line:column path: message` for each problem. */
function problemsOf(text: string): string[] {
  const result = parseRules(text, {});
  if (result.ok) throw new Error('expected problems');
  return result.problems.map((p) => `${p.line}:${p.column} ${p.path}: ${p.message}`);
}

const channel = (settings: string) => `channels:\n  c: ${settings}\nrules:\n  - name: r\n    notify: [c]\n`;
const settingsOf = (settings: string) => ok(parseRules(channel(settings), {})).channels.c;

describe('rateLimit', () => {
  it('reads N/s, N/min and N/h on every channel type', () => {
    expect(parseRate('20/min')).toEqual({ count: 20, periodMs: 60_000, text: '20/min' });
    expect(parseRate('1/s')).toEqual({ count: 1, periodMs: 1_000, text: '1/s' });
    expect(parseRate(' 500 / H ')).toEqual({ count: 500, periodMs: 3_600_000, text: '500/h' });
    expect(settingsOf('{ type: log, rateLimit: 10/min }')).toEqual({ type: 'log', rateLimit: { count: 10, periodMs: 60_000, text: '10/min' } });
    expect(settingsOf(`{ type: webhook, url: https://h.example, secret: ${WEBHOOK_SECRET}, rateLimit: 5/s }`)).toMatchObject({ rateLimit: { count: 5 } });
    expect(settingsOf('{ type: colt-ticket, severity: Major, ticketType: X, rateLimit: 2/h }')).toMatchObject({ rateLimit: { count: 2 } });
    expect(settingsOf('{ type: slack, channel: C1, rateLimit: 20/min }')).toMatchObject({ rateLimit: { count: 20 } });
  });

  it('refuses other forms with the position and the accepted form', () => {
    expect(problemsOf(channel('{ type: log, rateLimit: 10/m }'))).toEqual([
      '2:30 channels.c.rateLimit: unknown period "m" in "10/m" (did you mean "min"?); expected s, min or h',
    ]);
    expect(problemsOf(channel('{ type: log, rateLimit: 10/minn }'))).toEqual([
      '2:30 channels.c.rateLimit: unknown period "minn" in "10/minn" (did you mean "min"?); expected s, min or h',
    ]);
    expect(problemsOf(channel('{ type: log, rateLimit: 0/min }'))[0]).toMatch(/"0\/min" allows no sends: a whole number ≥ 1/);
    expect(problemsOf(channel('{ type: log, rateLimit: 10 }'))[0]).toMatch(/rateLimit: must be a rate: a whole number ≥ 1, "\/", then s, min or h/);
    expect(problemsOf(channel('{ type: log, rateLimit: fast }'))[0]).toMatch(/"fast" is not a rate/);
    expect(problemsOf(channel('{ type: log, rateLimit: 1.5/s }'))[0]).toMatch(/"1.5\/s" is not a rate/);
  });
});

describe('quietHours', () => {
  it('reads tz, from, to and days (all seven when absent), on Slack and email', () => {
    expect(settingsOf('{ type: email, to: a@example.com, quietHours: { tz: Europe/London, from: "20:00", to: "07:00", days: [mon, Tue] } }')).toMatchObject({
      quietHours: { tz: 'Europe/London', from: '20:00', to: '07:00', days: ['mon', 'tue'] },
    });
    expect(settingsOf('{ type: slack, channel: C1, quietHours: { tz: UTC, from: 22:30, to: 06:00 } }')).toMatchObject({
      quietHours: { tz: 'UTC', from: '22:30', to: '06:00', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] },
    });
  });

  it('names an unknown time zone with the closest one', () => {
    expect(problemsOf(channel('{ type: slack, channel: C1, quietHours: { tz: Europe/Londn, from: "20:00", to: "07:00" } }'))).toEqual([
      '2:52 channels.c.quietHours.tz: unknown time zone "Europe/Londn" (did you mean "Europe/London"?); use an IANA name like Europe/London',
    ]);
    expect(problemsOf(channel('{ type: slack, channel: C1, quietHours: { tz: Paris, from: "20:00", to: "07:00" } }'))[0]).toMatch(
      /unknown time zone "Paris" \(did you mean "Europe\/Paris"\?\)/,
    );
    expect(problemsOf(channel('{ type: slack, channel: C1, quietHours: { tz: Mars/Olympus, from: "20:00", to: "07:00" } }'))[0]).toMatch(
      /unknown time zone "Mars\/Olympus"; use an IANA name/,
    );
  });

  it('checks times, that the window is not empty, and day names', () => {
    const quiet = (q: string) => problemsOf(channel(`{ type: email, to: a@example.com, quietHours: { tz: UTC, ${q} } }`));
    expect(quiet('from: "24:00", to: "7:00"')).toEqual([
      '2:69 channels.c.quietHours.from: "24:00" must be a 24-hour time "HH:MM" in quotes, like "07:00"',
      '2:82 channels.c.quietHours.to: "7:00" must be a 24-hour time "HH:MM" in quotes, like "07:00"',
    ]);
    expect(quiet('from: "08:00", to: "08:00"')).toEqual([
      '2:82 channels.c.quietHours.to: must differ from `from` (08:00): an empty window never holds anything, and a full day would hold forever',
    ]);
    expect(quiet('from: "20:00", to: "07:00", days: [mon, thurs, sunday]')).toEqual([
      '2:103 channels.c.quietHours.days[1]: unknown day "thurs" (did you mean "thu"?)',
      '2:110 channels.c.quietHours.days[2]: unknown day "sunday" (did you mean "sun"?)',
    ]);
    expect(quiet('from: "20:00", to: "07:00", days: [funday]')[0]).toMatch(/unknown day "funday"; expected mon, tue, wed, thu, fri, sat or sun/);
    expect(quiet('from: "20:00", until: "07:00"')).toEqual([
      '2:40 channels.c.quietHours.to: is required',
      '2:78 channels.c.quietHours.until: unknown field "until"',
    ]);
  });

  it('says only Slack and email keep quiet hours on other channel types', () => {
    expect(problemsOf(channel('{ type: log, quietHours: { tz: UTC, from: "20:00", to: "07:00" } }'))).toEqual([
      '2:19 channels.c.quietHours: only Slack and email channels keep quiet hours; a log channel is read by a machine and is never held',
    ]);
    expect(problemsOf(channel(`{ type: webhook, url: https://h.example, secret: ${WEBHOOK_SECRET}, quietHours: {} }`))[0]).toMatch(
      /quietHours: only Slack and email channels keep quiet hours; a webhook channel/,
    );
  });
});

describe('group', () => {
  const rules = (group: string, notify = '[s, w]') =>
    `channels:\n  s: { type: slack, channel: C1 }\n  w: { type: log }\nrules:\n  - name: r\n    notify: ${notify}\n    group: ${group}\n`;

  it('reads by, wait and interval, with the documented defaults', () => {
    expect(ok(parseRules(rules('{ by: [orderType, customerRef], wait: 10s, interval: 2m }'), {})).rules[0]!.group).toEqual({
      by: ['orderType', 'customerRef'],
      waitMs: 10_000,
      intervalMs: 120_000,
    });
    expect(ok(parseRules(rules('{ by: customerRef }'), {})).rules[0]!.group).toEqual({ by: ['customerRef'], waitMs: 30_000, intervalMs: 300_000 });
    expect(ok(parseRules(rules('{ by: [payload.range.id, number] }'), {})).rules[0]!.group!.by).toEqual(['payload.range.id', 'number']);
    expect(ok(parseRules(rules('{}'), {})).rules[0]!.group).toEqual({ by: [], waitMs: 30_000, intervalMs: 300_000 });
    expect(ok(parseRules(rules('{ by: [customerRef] }'), {})).rules[0]!.notify).toEqual(['s', 'w']);
  });

  it('names unknown fields in by with the closest one, like a match', () => {
    expect(problemsOf(rules('{ by: [custmerRef, orders.type, customerRef, customerRef] }'))).toEqual([
      '7:19 rules[0].group.by[0]: unknown field "custmerRef" (did you mean "customerRef"?)',
      '7:31 rules[0].group.by[1]: unknown field "orders.type" (did you mean "order.type"?)',
      '7:57 rules[0].group.by[3]: "customerRef" is listed twice',
    ]);
  });

  it('checks durations and keys', () => {
    expect(problemsOf(rules('{ by: [customerRef], wait: 30, interval: 5 minutes, every: 5m }'))).toEqual([
      '7:39 rules[0].group.wait: 30 is not a duration: a number with s, m, h or d (like 30s or 5m)',
      '7:53 rules[0].group.interval: "5 minutes" is not a duration: a number with s, m, h or d (like 30s or 5m)',
      '7:64 rules[0].group.every: unknown field "every"',
    ]);
    expect(problemsOf(rules('{ intervall: 0s }'))).toEqual(['7:14 rules[0].group.intervall: unknown field "intervall" (did you mean "interval"?)']);
    expect(problemsOf(rules('{ interval: 0s }'))).toEqual(['7:24 rules[0].group.interval: must be at least 1s']);
    expect(problemsOf(rules('[customerRef]'))).toEqual(['7:12 rules[0].group: must be a map: { by: [fields], wait: 30s, interval: 5m }']);
  });

  it('refuses a group on a rule that notifies no Slack or email channel', () => {
    expect(problemsOf(rules('{ by: [customerRef] }', '[w]'))).toEqual([
      '7:5 rules[0].group: has no effect: only Slack and email channels group, and this rule notifies none (webhook, log and colt-ticket stay one event per delivery)',
    ]);
  });
});

describe('the compiled JSON form carries the new keys', () => {
  it('loads to the same rules as the YAML', () => {
    const yaml = `channels:
  ops-slack: { type: slack, channel: C0123, rateLimit: 20/min }
  noc-email: { type: email, to: [noc@example.com],
               quietHours: { tz: Europe/London, from: "20:00", to: "07:00", days: [mon, tue, wed, thu, fri] } }
rules:
  - name: failures-to-ops
    match: { status: failed }
    notify: [ops-slack, noc-email]
    group: { by: [orderType, customerRef], wait: 30s, interval: 5m }
`;
    const fromYaml = ok(parseRules(yaml, {}));
    expect(fromYaml.rules[0]!.group).toEqual({ by: ['orderType', 'customerRef'], waitMs: 30_000, intervalMs: 300_000 });
    expect(fromYaml.channels['noc-email']).toMatchObject({ quietHours: { tz: 'Europe/London', days: ['mon', 'tue', 'wed', 'thu', 'fri'] } });
    expect(ok(parseRules(JSON.stringify(compileRules(yaml)), {}))).toEqual(fromYaml);
  });
});
