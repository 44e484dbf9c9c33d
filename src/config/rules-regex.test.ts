import { describe, expect, it } from 'vitest';
import { compileRegex, hasNestedUnboundedQuantifier } from './rules-regex.js';

describe('compileRegex', () => {
  it('flags nested unbounded quantifiers and nothing else', () => {
    for (const risky of ['(a+)+', '(\\w*)*', '(?:x+y)*z', '((a)+)+', '(a+){2,}', '^(\\d+\\s?)+$']) {
      expect(hasNestedUnboundedQuantifier(risky), risky).toBe(true);
    }
    for (const safe of ['^\\+44(800|808)', '(ab)+', '[(a+)]+', '\\(a+\\)+', '(a+)?', '(a{2,3})+', '^IN-ORD-\\d+$']) {
      expect(hasNestedUnboundedQuantifier(safe), safe).toBe(false);
    }
  });

  it('accepts /pattern/flags, refuses stateful flags, and adds i on request', () => {
    expect(compileRegex('/^a/im')).toEqual({ regex: /^a/im });
    expect(compileRegex('/^a/g')).toEqual({ error: 'unsupported regex flags "g": use i, m, s or u' });
    expect(compileRegex('^a', true)).toEqual({ regex: /^a/i });
    expect(compileRegex('a/b')).toEqual({ regex: /a\/b/ });
    expect(compileRegex('[')).toMatchObject({ error: expect.stringMatching(/^invalid regex/) });
  });
});
