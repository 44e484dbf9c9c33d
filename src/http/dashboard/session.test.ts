import { describe, expect, it } from 'vitest';
import { csrfToken, csrfTokenMatches, issueSession, SESSION_TTL_MS, verifySession } from './session.js';

const TOKEN = 'unit-admin-token-0123456789';
const NOW = Date.parse('2026-11-26T02:00:00Z');

describe('dashboard session', () => {
  it('verifies its own cookie until it expires, 12 hours later', async () => {
    const { cookie, session } = await issueSession(TOKEN, NOW);
    expect(cookie).toMatch(/^v1\.\d+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(cookie).not.toContain(TOKEN);
    expect(await verifySession(TOKEN, cookie, NOW)).toEqual(session);
    expect(await verifySession(TOKEN, cookie, NOW + SESSION_TTL_MS - 1)).toEqual(session);
    expect(await verifySession(TOKEN, cookie, NOW + SESSION_TTL_MS)).toBeNull();
  });

  it('refuses a cookie signed under another token, or with any part changed', async () => {
    const { cookie } = await issueSession(TOKEN, NOW);
    expect(await verifySession('another-admin-token-000000', cookie, NOW)).toBeNull();
    const parts = cookie.split('.');
    for (let i = 0; i < parts.length; i++) {
      const changed = [...parts];
      const part = parts[i]!;
      const mid = Math.floor(part.length / 2);
      changed[i] = i === 1 ? String(Number(part) - 1) : `${part.slice(0, mid)}${part[mid] === 'A' ? 'B' : 'A'}${part.slice(mid + 1)}`;
      expect(await verifySession(TOKEN, changed.join('.'), NOW), `part ${i}`).toBeNull();
    }
    // The MAC's last character has two unused bits: a non-canonical spelling is refused too.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const mac = parts[3]!;
    const sibling = alphabet[alphabet.indexOf(mac.at(-1)!) + 1]!;
    expect(await verifySession(TOKEN, [...parts.slice(0, 3), mac.slice(0, -1) + sibling].join('.'), NOW)).toBeNull();
    for (const junk of [undefined, '', 'v1', 'v1...', `${cookie}.x`, 'x'.repeat(400)]) {
      expect(await verifySession(TOKEN, junk, NOW)).toBeNull();
    }
  });

  it('binds the CSRF token to the session', async () => {
    const a = (await issueSession(TOKEN, NOW)).session;
    const b = (await issueSession(TOKEN, NOW)).session;
    const token = await csrfToken(TOKEN, a);
    expect(await csrfTokenMatches(TOKEN, a, token)).toBe(true);
    expect(await csrfTokenMatches(TOKEN, b, token)).toBe(false);
    expect(await csrfTokenMatches('another-admin-token-000000', a, token)).toBe(false);
    for (const given of [undefined, '', 'forged', 42]) expect(await csrfTokenMatches(TOKEN, a, given)).toBe(false);
  });
});
