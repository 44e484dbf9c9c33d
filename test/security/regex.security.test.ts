/**
 * Finding 2: a rule regex cannot stall the event loop. Every pattern known to backtrack
 * catastrophically is either refused by `rules check` (with file:line:col, like every other
 * rule problem) or matched in linear time: a 10,000-character adversarial value in < 50 ms,
 * where a backtracking engine takes seconds to years.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRulesCheck } from '../../src/cli/rules.command.js';
import { parseRules } from '../../src/config/rules/rules.js';
import { LinearRegex } from '../../src/lib/linear-regex.js';
import { compileMatch } from '../../src/route/matcher.js';
import { captureIo, scratchDir, type Scratch } from '../cli/rules/cli-io.js';
import { makeEvent } from '../support/events.js';

const LENGTH = 10_000;
const BUDGET_MS = 50;

/** Pattern, flags, and a value built to make a backtracking engine explore every path. */
const PATTERNS: [pattern: string, flags: string, attack: string][] = [
  // The four from the security review.
  ['^(a|a)*$', '', 'a'.repeat(LENGTH - 1) + '!'],
  ['^(a|aa)+$', '', 'a'.repeat(LENGTH - 1) + '!'],
  ['^(\\w+\\s?){1,1000}$', '', 'ab '.repeat(LENGTH / 3) + '!'],
  ['^(.*a){20}$', '', 'a'.repeat(LENGTH - 1) + 'b'],
  // Classics.
  ['(a+)+$', '', 'a'.repeat(LENGTH - 1) + '!'],
  ['(a|b|ab)*c', '', 'ab'.repeat(LENGTH / 2)],
  ['(x+x+)+y', '', 'x'.repeat(LENGTH)],
  ['^(\\d+)*$', '', '1'.repeat(LENGTH - 1) + 'x'],
  ['(\\w*)*@', '', 'w'.repeat(LENGTH)],
  ['^(([a-z])+.)+[A-Z]([a-z])+$', '', 'a'.repeat(LENGTH)],
  ['^([a-zA-Z0-9])(([\\-.]|[_]+)?([a-zA-Z0-9]+))*(@){1}[a-z0-9]+[.]{1}(([a-z]{2,3})|([a-z]{2,3}[.]{1}[a-z]{2,3}))$', '', 'a'.repeat(LENGTH - 1) + '!'],
  ['^(a?){25}(a){25}$', '', 'a'.repeat(25)],
  ['(.*){1,32000}[bc]', '', 'a'.repeat(LENGTH)],
  ['^(\\s*,*)*$', 'i', ' ,'.repeat(LENGTH / 2) + 'x'],
  // What a linear engine cannot run at all.
  ['^(a+)\\1$', '', 'a'.repeat(LENGTH)],
  ['^(?=(a+))\\1b', '', 'a'.repeat(LENGTH)],
  ['^(?!(a|a)*$)', '', 'a'.repeat(LENGTH)],
];

/** The rules file a pattern sits in, on line 5. */
const rulesFile = (pattern: string, flags: string) =>
  `channels:\n  console: { type: log }\nrules:\n  - name: r\n    match: { orderId: { regex: '${flags ? `/${pattern}/${flags}` : pattern}' } }\n    notify: [console]\n`;

let scratch: Scratch;
beforeAll(async () => {
  scratch = await scratchDir();
});
afterAll(() => scratch.remove());

/**
 * The best of three runs, in ms (the machine's noise only ever adds time), each on a freshly
 * compiled pattern so that no run profits from another's cache.
 */
function timeMs(compile: () => (value: string) => unknown, value: string): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const run = compile();
    const started = performance.now();
    run(value);
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

describe('rule regexes: refused, or linear', () => {
  it.each(PATTERNS)('%s', async (pattern, flags, attack) => {
    const file = await scratch.write('rules.yaml', rulesFile(pattern, flags));
    const io = captureIo({});
    const status = await runRulesCheck([file], io);
    if (status !== 0) {
      // Refused like any other rule problem: where, which field, why.
      expect(io.err()).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5:\\d+  rules\\[0\\]\\.match\\.orderId\\.regex  (invalid regex|regex is)`));
      expect(status).toBe(1);
      return;
    }
    // Accepted: the router's own predicate, and the engine on the whole 10,000 characters.
    const predicate = () => {
      const loaded = parseRules(rulesFile(pattern, flags), {});
      if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
      const matches = compileMatch(loaded.rules.rules[0]!.match);
      return (orderId: string) => matches(makeEvent({ orderId }));
    };
    const routed = timeMs(predicate, attack);
    const whole = timeMs(() => {
      const engine = new LinearRegex(pattern, flags);
      return (value) => engine.test(value);
    }, attack);
    const engine = new LinearRegex(pattern, flags);
    expect(routed, `router on ${pattern}`).toBeLessThan(BUDGET_MS);
    expect(whole, `engine on ${LENGTH} characters of ${pattern}`).toBeLessThan(BUDGET_MS);
    // And the answer is the one JavaScript gives, checked on a short value it survives.
    const short = attack.slice(-12);
    expect(engine.test(short), `same answer as RegExp on ${JSON.stringify(short)}`).toBe(new RegExp(pattern, flags).test(short));
  });

  it('the refusals name what is unsupported', async () => {
    const messages: string[] = [];
    for (const pattern of ['^(a+)\\1$', '^(?=(a+))\\1b', '^(?!(a|a)*$)', '^(\\w+\\s?){1,1000}$']) {
      const io = captureIo({});
      expect(await runRulesCheck([await scratch.write('rules.yaml', rulesFile(pattern, ''))], io)).toBe(1);
      messages.push(io.err().split('\n')[0]!.replace(/^.*regex {2}/, ''));
    }
    expect(messages).toEqual([
      expect.stringMatching(/^invalid regex at position 6: backreference \\1 is not supported: .*linear-time engine/),
      expect.stringMatching(/^invalid regex at position 2: lookaround \(\?=…\) is not supported: /),
      expect.stringMatching(/^invalid regex at position 2: lookaround \(\?!…\) is not supported: /),
      'invalid regex at position 10: repetition {1,1000} is above 100: use * or +',
    ]);
  });
});
