import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRulesCheck } from '../../../src/cli/rules.command.js';
import { EXAMPLE_RULES_YAML, WEBHOOK_SECRET } from '../../support/events.js';
import { captureIo, scratchDir } from './cli-io.js';
import type { Scratch } from './cli-io.js';

const ENV = { OSS_WEBHOOK_SECRET: WEBHOOK_SECRET };

const BROKEN = `channels:
  ops-slack: { type: slack }
  oss: { type: webhook, url: https://oss.example.com/colt, secret: \${OSS_WEBHOOK_SECRET} }
rules:
  - name: failures
    match: { status: broken }
    notify: [ops-slack, pager]
`;

let scratch: Scratch;
beforeAll(async () => {
  scratch = await scratchDir();
});
afterAll(() => scratch.remove());

describe('rules check', () => {
  it('exits 0 with a one-line summary for a valid file', async () => {
    const file = await scratch.write('design.yaml', EXAMPLE_RULES_YAML);
    const io = captureIo(ENV);
    expect(await runRulesCheck([file], io)).toBe(0);
    expect(io.out()).toBe(`${file}: ok — 4 channels (ops-slack, noc-email, oss, console), 3 rules\n`);
    expect(io.err()).toBe('');
  });

  it('exits 1 and lists every problem as file:line:col  path  message', async () => {
    const file = await scratch.write('broken.yaml', BROKEN);
    const io = captureIo({});
    expect(await runRulesCheck([file], io)).toBe(1);
    expect(io.out()).toBe('');
    expect(io.err().split('\n')).toEqual([
      `${file}:2:3  channels.ops-slack.channel  is required`,
      `${file}:3:68  channels.oss.secret  environment variable OSS_WEBHOOK_SECRET is not set`,
      `${file}:6:22  rules[0].match.status  "broken" is not a valid status; expected raised, in_progress, completed, failed, cancelled or unknown`,
      `${file}:7:25  rules[0].notify[1]  unknown channel "pager"; define it under \`channels\``,
      `4 problems in ${file}`,
      '',
    ]);
  });

  it('reports the notification keys (rate, quiet hours, group) with lines and suggestions', async () => {
    const file = await scratch.write('notify.yaml', `channels:
  ops-slack: { type: slack, channel: C1, rateLimit: 20/mn }
  noc-email: { type: email, to: [noc@example.com], quietHours: { tz: Europe/Londn, from: "20:00", to: "07:00", days: [mon, fry] } }
  console: { type: log, quietHours: { tz: UTC, from: "20:00", to: "07:00" } }
rules:
  - name: failures
    notify: [ops-slack, noc-email]
    group: { by: [custmerRef], wait: 30, interval: 5m }
`);
    const io = captureIo({});
    expect(await runRulesCheck([file], io)).toBe(1);
    expect(io.err().split('\n')).toEqual([
      `${file}:2:53  channels.ops-slack.rateLimit  unknown period "mn" in "20/mn" (did you mean "min"?); expected s, min or h`,
      `${file}:3:70  channels.noc-email.quietHours.tz  unknown time zone "Europe/Londn" (did you mean "Europe/London"?); use an IANA name like Europe/London`,
      `${file}:3:124  channels.noc-email.quietHours.days[1]  unknown day "fry" (did you mean "fri"?)`,
      `${file}:4:25  channels.console.quietHours  only Slack and email channels keep quiet hours; a log channel is read by a machine and is never held`,
      `${file}:8:19  rules[0].group.by[0]  unknown field "custmerRef" (did you mean "customerRef"?)`,
      `${file}:8:38  rules[0].group.wait  30 is not a duration: a number with s, m, h or d (like 30s or 5m)`,
      `6 problems in ${file}`,
      '',
    ]);
  });

  it('checks RULES_FILE from the environment when no file is given', async () => {
    const file = await scratch.write('from-env.yaml', BROKEN);
    const io = captureIo({ ...ENV, RULES_FILE: file });
    expect(await runRulesCheck([], io)).toBe(1);
    expect(io.err()).toContain(`3 problems in ${file}`);
  });

  it('checks RULES text first, as startup does', async () => {
    const io = captureIo({ RULES: 'channels:\n  c: { type: log }\nrules: []\n', RULES_FILE: '/nonexistent.yaml' });
    expect(await runRulesCheck([], io)).toBe(0);
    expect(io.out()).toBe('RULES: ok — 1 channel (c), 0 rules\n');
  });

  it('reports the built-in rules when ./rules.yaml does not exist and nothing is configured', async () => {
    const io = captureIo({}, scratch.dir);
    expect(await runRulesCheck([], io)).toBe(0);
    expect(io.out()).toBe('built-in default (./rules.yaml not found): ok — 1 channel (console), 1 rule\n');
  });

  it('reads ./rules.yaml relative to the working folder', async () => {
    const folder = await scratchDir();
    try {
      await folder.write('rules.yaml', BROKEN);
      const io = captureIo(ENV, folder.dir);
      expect(await runRulesCheck([], io)).toBe(1);
      expect(io.err()).toMatch(/^\.\/rules\.yaml:2:3 {2}channels\.ops-slack\.channel/);
    } finally {
      await folder.remove();
    }
  });

  it('exits 1 for a named file that does not exist, even ./rules.yaml', async () => {
    const io = captureIo({}, scratch.dir);
    expect(await runRulesCheck(['./rules.yaml'], io)).toBe(1);
    expect(io.err()).toBe('./rules.yaml  (file)  rules file ./rules.yaml does not exist\n1 problem in ./rules.yaml\n');
  });

  it('exits 2 on usage errors', async () => {
    const io = captureIo();
    expect(await runRulesCheck(['--bogus'], io)).toBe(2);
    expect(await runRulesCheck(['a.yaml', 'b.yaml'], io)).toBe(2);
    expect(io.err()).toContain('usage: colt-relay rules check [file]');
  });
});

describe('rules check --json', () => {
  it('prints the rules used: source, channels with their types, rule names; exit 0', async () => {
    const file = await scratch.write('design-json.yaml', EXAMPLE_RULES_YAML);
    const io = captureIo(ENV);
    expect(await runRulesCheck([file, '--json'], io)).toBe(0);
    expect(io.err()).toBe('');
    expect(JSON.parse(io.out())).toEqual({
      ok: true,
      source: file,
      origin: 'file',
      channels: [
        { name: 'ops-slack', type: 'slack' },
        { name: 'noc-email', type: 'email' },
        { name: 'oss', type: 'webhook' },
        { name: 'console', type: 'log' },
      ],
      rules: expect.any(Array),
      problems: [],
    });
  });

  it('prints every problem with its line, column and path; exit 1, nothing on stderr', async () => {
    const file = await scratch.write('broken-json.yaml', BROKEN);
    const io = captureIo({});
    expect(await runRulesCheck(['--json', file], io)).toBe(1);
    expect(io.err()).toBe('');
    const report = JSON.parse(io.out()) as { ok: boolean; channels: unknown; problems: unknown[] };
    expect(report).toMatchObject({ ok: false, source: file, origin: 'file', channels: null, rules: null });
    expect(report.problems).toEqual([
      { path: 'channels.ops-slack.channel', message: 'is required', line: 2, column: 3 },
      { path: 'channels.oss.secret', message: 'environment variable OSS_WEBHOOK_SECRET is not set', line: 3, column: 68 },
      expect.objectContaining({ path: 'rules[0].match.status', line: 6, column: 22 }),
      expect.objectContaining({ path: 'rules[0].notify[1]', line: 7, column: 25 }),
    ]);
  });

  it('a setting a channel needs is a problem too; a misspelt option is named with the right one', async () => {
    const file = await scratch.write('tickets-json.yaml', 'channels:\n  tickets: { type: colt-ticket, severity: Major, ticketType: Order Failure }\nrules:\n  - name: all\n    notify: [tickets]\n');
    const io = captureIo({});
    expect(await runRulesCheck([file, '--json'], io)).toBe(1);
    expect(JSON.parse(io.out())).toMatchObject({ ok: false, channels: [{ name: 'tickets', type: 'colt-ticket' }], problems: [{ path: 'channels.tickets' }] });
    const typo = captureIo({});
    expect(await runRulesCheck([file, '--jsn'], typo)).toBe(2);
    expect(typo.err()).toContain('unknown option --jsn (did you mean "--json"?)');
    expect(typo.out()).toBe('');
  });
});

describe('rules check: colt-ticket channels', () => {
  const TICKETS = `channels:
  tickets: { type: colt-ticket, severity: Major, ticketType: Order Failure }
rules:
  - name: failed-activation
    match: { status: failed, orderType: activation }
    notify: [tickets]
`;

  it('exits 1 naming COLT_TICKET_API_BASE_URL when it is not set', async () => {
    const file = await scratch.write('tickets.yaml', TICKETS);
    const io = captureIo({});
    expect(await runRulesCheck([file], io)).toBe(1);
    expect(io.err()).toMatch(/channels\.tickets: COLT_TICKET_API_BASE_URL is not set/);
    expect(io.out()).toBe('');
  });

  it('exits 0 when it is set; a ticket channel without severity is a rules problem', async () => {
    const file = await scratch.write('tickets-ok.yaml', TICKETS);
    const io = captureIo({ COLT_TICKET_API_BASE_URL: 'https://apis.example.com/troubleTicket/v4' });
    expect(await runRulesCheck([file], io)).toBe(0);
    const broken = await scratch.write('tickets-broken.yaml', TICKETS.replace('severity: Major, ', ''));
    const io2 = captureIo({ COLT_TICKET_API_BASE_URL: 'https://apis.example.com/troubleTicket/v4' });
    expect(await runRulesCheck([broken], io2)).toBe(1);
    expect(io2.err()).toMatch(/channels\.tickets\.severity/);
  });
});
