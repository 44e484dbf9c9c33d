import { describe, expect, it } from 'vitest';
import { hmacSha256, timingSafeEqualText, toBase64, toHex } from './crypto.js';

describe('timingSafeEqualText', () => {
  it.each([
    ['secret', 'secret', true],
    ['secret', 'secreT', false],
    ['secre', 'secret', false],
    ['secretx', 'secret', false],
    ['', 'secret', false],
    ['sécret', 'sécret', true],
  ])('%j vs %j → %s', (a, b, expected) => expect(timingSafeEqualText(a, b)).toBe(expected));
});

describe('hmacSha256', () => {
  it('matches the RFC 4231 test case 2', async () => {
    const mac = await hmacSha256('Jefe', new TextEncoder().encode('what do ya want for nothing?'));
    expect(toHex(mac)).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    expect(toBase64(mac)).toBe('W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=');
  });
});
