import { describe, expect, it } from 'vitest';
import type { NormalisedEvent } from '../event/event.js';
import { compileMatch } from '../route/matcher.js';
import { findSilence, parseSilencedReason, silencedReason } from '../route/silences.js';
import { checkSilenceMatch, describeMatch, parseMatchText } from './silence-match.js';

const event = (over: Partial<NormalisedEvent>): NormalisedEvent =>
  ({ status: 'failed', customerRef: 'ACME-1', orderType: 'activation', numbers: [], payload: {}, order: null, ...over }) as NormalisedEvent;

const compiled = (raw: unknown) => {
  const check = checkSilenceMatch(raw);
  if (!check.ok) throw new Error(JSON.stringify(check.issues));
  return compileMatch(check.spec);
};

describe('silence matches', () => {
  it('use the rules syntax: values, lists, operators, enum values in any case', () => {
    expect(compiled({ status: 'Failed', customerRef: { prefix: 'AC' } })(event({}))).toBe(true);
    expect(compiled({ status: ['completed', 'failed'] })(event({}))).toBe(true);
    expect(compiled({ customerRef: { regex: '^ACME-\\d$' } })(event({ customerRef: 'ACME-12' }))).toBe(false);
    expect(compiled([{ status: 'completed' }, { customerRef: 'ACME-1' }])(event({}))).toBe(true);
  });

  it('refuse what a rule would refuse, naming the field, and a match of nothing', () => {
    expect(checkSilenceMatch({ stauts: 'failed' })).toEqual({ ok: false, issues: [{ path: 'match.stauts', message: expect.stringContaining('did you mean "status"') }] });
    expect(checkSilenceMatch({ customerRef: { regex: '(a' } })).toMatchObject({ ok: false, issues: [{ path: 'match.customerRef.regex' }] });
    expect(checkSilenceMatch({})).toMatchObject({ ok: false, issues: [{ path: 'match', message: expect.stringContaining('names no field') }] });
    expect(checkSilenceMatch([])).toMatchObject({ ok: false });
    expect(checkSilenceMatch(null)).toMatchObject({ ok: false, issues: [{ message: expect.stringContaining('is required') }] });
  });

  it('field=value text: repeated fields become a list, JSON for operators, bad lines named', () => {
    expect(parseMatchText(['status=failed', 'customerRef = ACME', 'status=cancelled'])).toEqual({
      ok: true,
      match: { status: ['failed', 'cancelled'], customerRef: 'ACME' },
    });
    expect(parseMatchText(['status=failed\n\n# comment\ncustomerRef=ACME'])).toEqual({ ok: true, match: { status: 'failed', customerRef: 'ACME' } });
    expect(parseMatchText(['{"customerRef":{"prefix":"AC"}}'])).toEqual({ ok: true, match: { customerRef: { prefix: 'AC' } } });
    expect(parseMatchText(['status'])).toMatchObject({ ok: false, issues: [{ path: 'match', message: expect.stringContaining('"status" is not field=value') }] });
    expect(parseMatchText(['{nope'])).toMatchObject({ ok: false, issues: [{ message: expect.stringContaining('not valid JSON') }] });
    expect(describeMatch({ status: ['failed', 'cancelled'], customerRef: { prefix: 'AC' } })).toBe('status=failed|cancelled customerRef: {"prefix":"AC"}');
  });

  it('a silence holds from its start (inclusive) to its end (exclusive)', () => {
    const silence = { id: 's1', comment: 'c', startsAt: 1000, endsAt: 2000, matches: compiled({ status: 'failed' }), channels: null };
    expect(findSilence([silence], event({}), 'oss', 999)).toBeNull();
    expect(findSilence([silence], event({}), 'oss', 1000)).toBe(silence);
    expect(findSilence([silence], event({}), 'oss', 1999)).toBe(silence);
    expect(findSilence([silence], event({}), 'oss', 2000)).toBeNull();
    expect(findSilence([silence], event({ status: 'completed' }), 'oss', 1500)).toBeNull();
  });

  it('a silence with channels mutes those channels only; its reason names them and reads back', () => {
    const slackOnly = { id: 's2', comment: 'Slack noise: a, b', startsAt: 0, endsAt: 2000, matches: compiled({ status: 'failed' }), channels: ['ops-slack'] };
    expect(findSilence([slackOnly], event({}), 'ops-slack', 1000)).toBe(slackOnly);
    expect(findSilence([slackOnly], event({}), 'oss', 1000)).toBeNull();
    expect(silencedReason(slackOnly)).toBe('silenced by s2 (channels ops-slack): Slack noise: a, b');
    expect(parseSilencedReason('s2', silencedReason(slackOnly))).toEqual({ comment: 'Slack noise: a, b', channels: ['ops-slack'] });
    const both = { ...slackOnly, channels: ['ops-slack', 'noc-email'] };
    expect(parseSilencedReason('s2', silencedReason(both))).toEqual({ comment: 'Slack noise: a, b', channels: ['ops-slack', 'noc-email'] });
    expect(parseSilencedReason('s2', 'silenced by s2: (channels x): y')).toEqual({ comment: '(channels x): y', channels: null });
    expect(parseSilencedReason('s2', 'HTTP 500')).toBeNull();
  });
});
