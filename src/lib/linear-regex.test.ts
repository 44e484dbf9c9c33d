import { describe, expect, it } from 'vitest';
import { LinearRegex, MAX_STATES } from './linear-regex.js';

/** Patterns and values on which JavaScript's RegExp is quick, to compare answers with. */
const PATTERNS: [string, string][] = [
  ['^IN-ORD-\\d+$', ''], ['a|b', ''], ['^(a|aa)+$', ''], ['^(a|a)*$', ''], ['(a+)+$', ''], ['(a|b|ab)*c', ''],
  ['^(\\w+\\s?){1,10}$', ''], ['^(.*a){3}$', ''], ['colou?r', 'i'], ['^\\+44(800|808)', ''], ['\\bfoo\\b', ''],
  ['\\Bfoo', ''], ['^a$', 'm'], ['a$', 'm'], ['a.c', 's'], ['a.c', ''], ['[^a-c]x', ''], ['[\\d-]+', ''], ['x{2,3}y', ''],
  ['x{2,}y', ''], ['x{2}', ''], ['(?:ab)+', ''], ['(?<n>ab)c', ''], ['\\x41\\u0042', ''], ['\\u{1F600}', 'u'], ['[.]', ''],
  ['a{', ''], ['^$', ''], ['', ''], ['\\.', ''], ['[\\w.]+@', ''], ['COMPL', 'i'], ['^\\s*$', ''], ['é', 'i'],
  ['[A-Z]', 'i'], ['a*?b', ''], ['(a*)*b', ''], ['[\\b]', ''], ['\\0', ''], ['a|', ''], ['(|a)+b', ''], ['^😀.$', 'u'],
];
const VALUES = [
  '', 'a', 'aa', 'aaa', 'ab', 'abc', 'aXc', 'a\nc', 'IN-ORD-123', 'in-ord-1', 'color', 'COLOUR', '+44800123', 'foo bar',
  'afoo', 'x\na', 'a\nb', 'dx', '1-2', 'xxy', 'xy', 'xxxxy', 'abab c', 'AB', 'a{', '.', 'me.x@y', 'completed', '   ', 'É',
  'k', 'aaab', 'b', 'aaaaaaaaaa!', 'word word word', 'ababab', '\b', '\0', '😀', '😀x', 'x😀', 'AB',
];

describe('LinearRegex', () => {
  it('answers as RegExp does', () => {
    for (const [pattern, flags] of PATTERNS) {
      const expected = new RegExp(pattern, flags);
      const actual = new LinearRegex(pattern, flags);
      for (const value of VALUES) expect(actual.test(value), `/${pattern}/${flags} on ${JSON.stringify(value)}`).toBe(expected.test(value));
    }
  });

  it('refuses what needs backtracking, and syntax errors, with a position', () => {
    const refusal = (pattern: string) => {
      try {
        new LinearRegex(pattern);
        return 'accepted';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(refusal('(a)\\1')).toMatch(/^at position 4: backreference \\1 is not supported/);
    expect(refusal('(?<=a)b')).toMatch(/^at position 1: lookaround \(\?<=…\)/);
    expect(refusal('(?i:a)')).toBe('at position 1: unsupported group (?…): use (…) or (?:…)');
    expect(refusal('a**')).toBe('at position 3: nothing to repeat');
    expect(refusal('(a')).toBe('at position 1: missing )');
    expect(refusal('a)')).toBe('at position 2: unmatched )');
    expect(refusal('[z-a]')).toMatch(/range out of order/);
    expect(refusal('a{5,2}')).toMatch(/numbers out of order/);
    expect(refusal('\\p{L}')).toMatch(/unsupported escape \\p/);
    expect(refusal('(((a{100}){100}){100})')).toMatch(`more than ${MAX_STATES} states`);
  });

  it('answers the same once its step cache has started over (many distinct inputs)', () => {
    const regex = new LinearRegex('^(.*a){5}$');
    for (let i = 0; i < 3000; i++) regex.test(String.fromCodePoint(0x4e00 + i).repeat(5) + 'a');
    expect(regex.test('a'.repeat(5))).toBe(true);
  });
});
