import { describe, expect, it } from 'vitest';
import { compileRegex, MAX_REGEX_INPUT } from './regex.js';

const compiled = (pattern: string, caseInsensitive = false) => {
  const result = compileRegex(pattern, caseInsensitive);
  if ('error' in result) throw new Error(result.error);
  return result.regex;
};

describe('compileRegex', () => {
  it('accepts /pattern/flags, refuses stateful flags, and adds i on request', () => {
    expect(compiled('/^a/im').test('x\nA')).toBe(true);
    expect(compileRegex('/^a/g')).toEqual({ error: 'unsupported regex flags "g": use i, m, s or u' });
    expect(compiled('^a', true).test('A')).toBe(true);
    expect(compiled('^a').test('A')).toBe(false);
    expect(compiled('a/b').test('xa/b')).toBe(true);
    expect(compileRegex('[')).toEqual({ error: 'invalid regex at position 1: missing ]' });
  });

  it('keeps the pattern as written, for the API and the dashboard', () => {
    expect(compiled('/^compl/i').source).toBe('/^compl/i');
    expect(String(compiled('^IN-\\d+'))).toBe('^IN-\\d+');
  });

  it('refuses what a linear-time engine cannot run, naming it and its position', () => {
    expect(compileRegex('^(a)\\1$')).toEqual({ error: expect.stringMatching(/^invalid regex at position 5: backreference \\1 is not supported: .*linear-time/) });
    expect(compileRegex('^(?<x>a)\\k<x>$')).toMatchObject({ error: expect.stringContaining('backreference \\k') });
    expect(compileRegex('foo(?=bar)')).toMatchObject({ error: expect.stringMatching(/^invalid regex at position 4: lookaround \(\?=…\) is not supported/) });
    expect(compileRegex('(?<!x)y')).toMatchObject({ error: expect.stringContaining('lookaround (?<!…)') });
    expect(compileRegex('\\p{L}')).toMatchObject({ error: expect.stringContaining('unsupported escape \\p') });
    expect(compileRegex('^(\\w+\\s?){1,1000}$')).toMatchObject({ error: expect.stringContaining('repetition {1,1000} is above 100') });
  });

  it(`looks at the first ${MAX_REGEX_INPUT} characters of a value`, () => {
    const value = 'a'.repeat(MAX_REGEX_INPUT) + 'b';
    expect(compiled('b').test(value)).toBe(false);
    expect(compiled('a$').test(value)).toBe(true);
  });
});
