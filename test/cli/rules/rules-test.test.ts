import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRulesTest } from '../../../src/cli/rules.command.js';
import type { RulesTestDeps } from '../../../src/cli/rules.command.js';
import { previewEvent } from '../../../src/deliver/dry-run.js';
import { WEBHOOK_SECRET, flatNormalise, simpleRender } from '../../support/events.js';
import { captureIo, scratchDir } from './cli-io.js';
import type { Scratch } from './cli-io.js';

const ENV = { OSS_WEBHOOK_SECRET: WEBHOOK_SECRET };
const deps: RulesTestDeps = { normalise: flatNormalise, preview: previewEvent, render: simpleRender };

/** The documented example rules (docs/rules.md) with templates on the Slack and email channels. */
const RULES = `channels:
  ops-slack: { type: slack, channel: C0123456789, text: "Order {{orderId}} {{status}} ({{rawStatus}})" }
  noc-email: { type: email, to: [noc@example.com], subject: "[colt] {{orderId}} {{status}}", text: "Numbers: {{numbers}}" }
  oss:       { type: webhook, url: https://oss.example.com/colt, secret: \${OSS_WEBHOOK_SECRET} }
rules:
  - name: failures-to-ops
    match: { status: failed }
    notify: [ops-slack, noc-email]
  - name: everything-to-oss
    notify: [oss]
  - name: uk-freephone-done
    match: { status: completed, orderType: activation, numberType: freephone, number: { prefix: "+44800" } }
    notify: [noc-email]
    stop: true
  - name: stale-to-ops
    stale: true
    match: { stale: true }
    notify: [ops-slack]
`;

const FAILED = { orderId: 'IN-ORD-7', status: 'failed', rawStatus: 'rejected', number: '+33382500010' };
const UK_FREEPHONE = { orderId: 'IN-ORD-8', status: 'completed', numberType: 'freephone', number: '+448001234567' };

let scratch: Scratch;
let rulesFile: string;
beforeAll(async () => {
  scratch = await scratchDir();
  rulesFile = await scratch.write('rules.yaml', RULES);
  await scratch.write('failed.json', JSON.stringify(FAILED));
  await scratch.write('uk.json', JSON.stringify(UK_FREEPHONE));
});
afterAll(() => scratch.remove());

describe('rules test --event', () => {
  it('prints the matching rules, the channels and each rendered message', async () => {
    const io = captureIo(ENV, scratch.dir);
    expect(await runRulesTest([rulesFile, '--event', 'failed.json'], io, deps)).toBe(0);
    const out = io.out();
    expect(out).toContain('event    order IN-ORD-7, status failed (rejected), orderType activation');
    expect(out).toContain('rule     failures-to-ops → ops-slack, noc-email\nrule     everything-to-oss → oss\n');
    expect(out).not.toContain('uk-freephone-done');
    expect(out).toContain('channels ops-slack (slack), noc-email (email), oss (webhook)\n');
    expect(out).toContain('── ops-slack (slack) via failures-to-ops\nOrder IN-ORD-7 failed (rejected)\n');
    expect(out).toContain('── noc-email (email) via failures-to-ops\nsubject: [colt] IN-ORD-7 failed\nNumbers: +33382500010\n');
    expect(out).toContain('── oss (webhook) via everything-to-oss\nOrder IN-ORD-7 is failed\n');
    expect(io.err()).toBe('');
  });

  it('says which rule stopped the walk', async () => {
    const io = captureIo(ENV, scratch.dir);
    expect(await runRulesTest([rulesFile, '--event', 'uk.json'], io, deps)).toBe(0);
    expect(io.out()).toContain('stop     uk-freephone-done has stop: true; later rules not considered\n');
    expect(io.out()).toContain('channels oss (webhook), noc-email (email)\n');
  });

  it('exits 1 when the event file is missing or not JSON, and when the rules are invalid', async () => {
    const missing = captureIo(ENV, scratch.dir);
    expect(await runRulesTest([rulesFile, '--event', 'nope.json'], missing, deps)).toBe(1);
    expect(missing.err()).toMatch(/cannot use nope\.json: .*nope\.json does not exist/);
    await scratch.write('bad.json', '{ not json');
    const bad = captureIo(ENV, scratch.dir);
    expect(await runRulesTest([rulesFile, '--event', 'bad.json'], bad, deps)).toBe(1);
    expect(bad.err()).toContain('is not valid JSON');
    const noSecret = captureIo({}, scratch.dir);
    expect(await runRulesTest([rulesFile, '--event', 'failed.json'], noSecret, deps)).toBe(1);
    expect(noSecret.err()).toContain('environment variable OSS_WEBHOOK_SECRET is not set');
  });

  it('exits 2 without --event or --tests', async () => {
    const io = captureIo(ENV);
    expect(await runRulesTest([rulesFile], io, deps)).toBe(2);
    expect(io.err()).toContain('usage: colt-relay rules test');
  });
});

describe('rules test --json', () => {
  it('--event: the rules, then what POST /api/rules/dry-run shows, with the time and each rendered message', async () => {
    const io = captureIo(ENV, scratch.dir);
    expect(await runRulesTest([rulesFile, '--event', 'failed.json', '--at', '2026-03-29T10:00:00Z', '--json'], io, deps)).toBe(0);
    expect(io.err()).toBe('');
    const report = JSON.parse(io.out()) as { preview: { deliveries: { channel: string; message: { text: string } }[] } };
    expect(report).toMatchObject({
      rules: { source: rulesFile, origin: 'file', channels: [{ name: 'ops-slack', type: 'slack' }, { name: 'noc-email', type: 'email' }, { name: 'oss', type: 'webhook' }] },
      preview: {
        at: '2026-03-29T10:00:00.000Z',
        event: { orderId: 'IN-ORD-7', status: 'failed' },
        matched: [
          { rule: 'failures-to-ops', channels: ['ops-slack', 'noc-email'] },
          { rule: 'everything-to-oss', channels: ['oss'] },
        ],
        stoppedBy: null,
        skippedStale: false,
      },
      cases: null,
    });
    expect(report.preview.deliveries.map((d) => [d.channel, d.message.text])).toEqual([
      ['ops-slack', 'Order IN-ORD-7 failed (rejected)'],
      ['noc-email', 'Numbers: +33382500010'],
      ['oss', 'Order IN-ORD-7 is failed'],
    ]);
  });

  it('--tests: every case with expected, actual and the difference; exit 1 on a mismatch', async () => {
    await scratch.write('json-cases.yaml', `- name: right
  event: { orderId: IN-ORD-3, status: completed }
  expect: [oss]
- name: wrong
  event: { orderId: IN-ORD-4, status: failed }
  expect: [oss, console]
- name: unreadable
  event: missing.json
  expect: []
`);
    const io = captureIo(ENV, scratch.dir);
    expect(await runRulesTest([rulesFile, '--tests', 'json-cases.yaml', '--json'], io, deps)).toBe(1);
    const report = JSON.parse(io.out()) as { cases: { items: { error: string | null }[] } };
    expect(report).toMatchObject({
      preview: null,
      cases: {
        passed: 1,
        failed: 2,
        items: [
          { name: 'right', ok: true, expected: ['oss'], actual: ['oss'], missing: [], unexpected: [], error: null },
          { name: 'wrong', ok: false, expected: ['oss', 'console'], actual: ['ops-slack', 'noc-email', 'oss'], missing: ['console'], unexpected: ['ops-slack', 'noc-email'], error: null },
          { name: 'unreadable', ok: false, actual: [] },
        ],
      },
    });
    expect(report.cases.items[2]!.error).toContain('missing.json does not exist');
  });

  it('an unreadable event is said on stderr, with nothing on stdout', async () => {
    const io = captureIo(ENV, scratch.dir);
    expect(await runRulesTest([rulesFile, '--event', 'nope.json', '--json'], io, deps)).toBe(1);
    expect(io.out()).toBe('');
    expect(io.err()).toContain('cannot use nope.json');
  });
});

const CASES_PASSING = `cases:
  - name: failed activation reaches ops, noc and oss
    event: { orderId: IN-ORD-1, status: failed }
    expect: [oss, noc-email, ops-slack]
  - name: uk freephone completion stops after noc
    event: uk.json
    expect: [noc-email, oss]
  - name: stale callbacks only reach ops
    event: { orderId: IN-ORD-2, status: completed }
    stale: true
    expect: [ops-slack]
`;

describe('rules test --tests', () => {
  it('exits 0 and prints ok per case when every case passes', async () => {
    await scratch.write('pass.yaml', CASES_PASSING);
    const io = captureIo(ENV, scratch.dir);
    expect(await runRulesTest([rulesFile, '--tests', 'pass.yaml'], io, deps)).toBe(0);
    expect(io.out()).toContain('ok    failed activation reaches ops, noc and oss → ops-slack, noc-email, oss\n');
    expect(io.out()).toContain('ok    uk freephone completion stops after noc → oss, noc-email\n');
    expect(io.out()).toContain('ok    stale callbacks only reach ops → ops-slack\n');
    expect(io.out()).toContain('3 cases: 3 passed, 0 failed\n');
  });

  it('exits 1 and shows the difference for a mismatch', async () => {
    await scratch.write(
      'fail.yaml',
      `- name: completed geo goes to oss
  event: { orderId: IN-ORD-3, status: completed }
  expect: [oss]
- name: wrong expectation
  event: { orderId: IN-ORD-4, status: failed }
  expect: [oss, console]
- name: unreadable event
  event: missing.json
  expect: []
`,
    );
    const io = captureIo(ENV, scratch.dir);
    expect(await runRulesTest([rulesFile, '--tests', 'fail.yaml'], io, deps)).toBe(1);
    expect(io.out()).toContain('ok    completed geo goes to oss → oss\n');
    expect(io.out()).toContain(
      [
        'FAIL  wrong expectation',
        '        expected:   oss, console',
        '        actual:     ops-slack, noc-email, oss',
        '        missing:    console',
        '        unexpected: ops-slack, noc-email',
      ].join('\n'),
    );
    expect(io.out()).toMatch(/FAIL {2}unreadable event\n {8}error: {6}.*missing\.json does not exist/);
    expect(io.out()).toContain('3 cases: 1 passed, 2 failed\n');
  });

  it('reports an invalid cases file with lines', async () => {
    await scratch.write('invalid.yaml', 'cases:\n  - name: x\n    expect: oss\n');
    const io = captureIo(ENV, scratch.dir);
    expect(await runRulesTest([rulesFile, '--tests', 'invalid.yaml'], io, deps)).toBe(1);
    expect(io.err()).toBe('invalid.yaml:2:5  cases[0].event  must be a callback body (a map) or the path of a JSON file\n'
      + 'invalid.yaml:3:13  cases[0].expect  must be a list\n');
  });
});

describe('rules test --at: grouping and quiet hours (docs/design.md#quiet-hours)', () => {
  const NOTIFY_RULES = `channels:
  ops-slack: { type: slack, channel: C0123, rateLimit: 20/min }
  noc-email: { type: email, to: [noc@example.com],
               quietHours: { tz: Europe/London, from: "20:00", to: "07:00", days: [mon, tue, wed, thu, fri, sat] } }
  oss:       { type: webhook, url: https://oss.example.com/colt, secret: \${OSS_WEBHOOK_SECRET} }
rules:
  - name: failures-to-ops
    match: { status: failed }
    notify: [ops-slack, noc-email, oss]
    group: { by: [customerRef], wait: 30s, interval: 5m }
`;
  let file: string;
  beforeAll(async () => {
    file = await scratch.write('notify-rules.yaml', NOTIFY_RULES);
    await scratch.write('acme.json', JSON.stringify({ ...FAILED, customerRef: 'ACME' }));
  });

  it('prints, per channel, the group and whether quiet hours hold it at that time', async () => {
    const io = captureIo(ENV, scratch.dir);
    expect(await runRulesTest([file, '--event', 'acme.json', '--at', '2026-03-29T00:30:00Z'], io, deps)).toBe(0);
    expect(io.out()).toContain(
      [
        'channels ops-slack (slack), noc-email (email), oss (webhook)',
        'at       2026-03-29T00:30:00.000Z',
        'decision ops-slack: grouped by customerRef=ACME (wait 30s, interval 5m)',
        'decision ops-slack: rate limit 20/min: excess waits, nothing is dropped',
        'decision noc-email: grouped by customerRef=ACME (wait 30s, interval 5m)',
        'decision noc-email: held by quiet hours until 07:00 Europe/London (2026-03-29T06:00:00Z)',
        '',
      ].join('\n'),
    );
    expect(io.out()).not.toContain('decision oss');
    expect(io.err()).toBe('');
  });

  it('says when the time is outside the window, or on a night the days do not start one', async () => {
    const noon = captureIo(ENV, scratch.dir);
    expect(await runRulesTest([file, '--event', 'acme.json', '--at', '2026-03-29T12:00:00Z'], noon, deps)).toBe(0);
    expect(noon.out()).toContain('decision noc-email: not held: outside quiet hours (20:00–07:00 Europe/London, mon tue wed thu fri sat)\n');
    // Sunday 2026-03-29 22:00 BST: Sunday starts no window.
    const sunday = captureIo(ENV, scratch.dir);
    expect(await runRulesTest([file, '--event', 'acme.json', '--at', '2026-03-29T21:00:00Z'], sunday, deps)).toBe(0);
    expect(sunday.out()).toContain('decision noc-email: not held: outside quiet hours');
  });

  it('refuses an --at that is not an ISO time', async () => {
    const io = captureIo(ENV, scratch.dir);
    expect(await runRulesTest([file, '--event', 'acme.json', '--at', 'tonight'], io, deps)).toBe(2);
    expect(io.err()).toMatch(/^--at: "tonight" is not an ISO 8601 time like 2026-03-29T00:30:00Z\nusage: colt-relay rules test/);
  });
});
