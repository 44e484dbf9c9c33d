/**
 * Finding 4 (brute force): failed sign-ins are counted per client address; the 6th
 * attempt in a window is answered 429 with Retry-After, on /login and on /api alike, until
 * the window passes. Successes do not count; other addresses are not affected. A short
 * ADMIN_TOKEN is refused in production.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from '../../src/config/env.js';
import { createAuthThrottle } from '../../src/http/auth-throttle.js';
import { createManualClock } from '../../src/lib/clock.js';
import { STORE_KINDS } from '../support/store.js';
import { ADMIN_TOKEN, postLogin, startSecurityRelay, type SecurityRelay } from './support.js';

const WINDOW_MS = 15 * 60 * 1000;

describe.each(STORE_KINDS)('sign-in throttle on %s', (kind) => {
  let relay: SecurityRelay;
  beforeAll(async () => {
    relay = await startSecurityRelay(kind);
  });
  afterAll(async () => relay?.close());

  const api = (token: string) => relay.app.request('/api/events', { headers: { authorization: `Bearer ${token}` } });

  it('the 6th wrong login from one address is answered 429 with Retry-After, even with the right token', async () => {
    relay.peer = '198.51.100.1';
    relay.held.length = 0;
    for (let i = 1; i <= 5; i++) expect((await postLogin(relay.app, `wrong-${i}`)).status, `attempt ${i}`).toBe(401);
    // Each failure's answer was held longer than the last (the throttle's default 250 ms steps).
    expect(relay.held).toEqual([250, 500, 750, 1000, 1000]);
    const sixth = await postLogin(relay.app, 'wrong-6');
    expect(sixth.status).toBe(429);
    expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(sixth.headers.get('retry-after'))).toBeLessThanOrEqual(WINDOW_MS / 1000);
    expect(await sixth.text()).toContain('Too many failed attempts');
    // Guessing right now does not help: the address waits out its window.
    const right = await postLogin(relay.app, ADMIN_TOKEN);
    expect(right.status).toBe(429);
    expect(right.headers.getSetCookie().some((c) => c.startsWith('colt_relay_session='))).toBe(false);
    // The admin API shares the count: same address, same 429.
    const viaApi = await api(ADMIN_TOKEN);
    expect(viaApi.status).toBe(429);
    expect(await viaApi.json()).toEqual({ error: { code: 'too_many_requests', message: expect.stringContaining('retry in') } });

    // Another address is not affected.
    relay.peer = '198.51.100.2';
    expect((await postLogin(relay.app, ADMIN_TOKEN)).status).toBe(303);

    // Once the window has passed, the first address may try again.
    relay.peer = '198.51.100.1';
    relay.clock.advance(WINDOW_MS);
    expect((await postLogin(relay.app, ADMIN_TOKEN)).status).toBe(303);
  });

  it('/api: five wrong tokens are 401, the sixth 429 with Retry-After; successes do not count', async () => {
    relay.peer = '198.51.100.3';
    for (let i = 0; i < 20; i++) expect((await api(ADMIN_TOKEN)).status).toBe(200);
    for (let i = 1; i <= 5; i++) expect((await api(`wrong-token-${i}`)).status, `attempt ${i}`).toBe(401);
    const sixth = await api('wrong-token-6');
    expect(sixth.status).toBe(429);
    const wait = Number(sixth.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    relay.clock.advance(wait * 1000);
    expect((await api(ADMIN_TOKEN)).status).toBe(200);
  });

  it('the throttle learns the address over a real socket too', async () => {
    // Listener callers are 127.0.0.1: its own window.
    for (let i = 1; i <= 5; i++) {
      const res = await fetch(`${relay.url}/api/events`, { headers: { authorization: 'Bearer nope' } });
      expect(res.status).toBe(401);
    }
    const res = await fetch(`${relay.url}/api/events`, { headers: { authorization: 'Bearer nope' } });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});

describe('sign-in slowdown', () => {
  it('holds each failure of an address longer than the last (capped), before the 429s', async () => {
    const held: number[] = [];
    const throttle = createAuthThrottle({
      clock: createManualClock(),
      failureDelayMs: 250,
      sleep: async (ms) => {
        held.push(ms);
      },
    });
    for (let i = 0; i < 5; i++) await throttle.failed('198.51.100.9');
    await throttle.failed('203.0.113.5');
    expect(held).toEqual([250, 500, 750, 1000, 1000, 250]);
    expect(throttle.retryAfterS('198.51.100.9')).toBeGreaterThan(0);
    expect(throttle.retryAfterS('203.0.113.5')).toBe(0);
  });
});

describe('sign-in throttle memory', () => {
  it('tracks at most maxTracked addresses, dropping the oldest', async () => {
    const clock = createManualClock();
    const throttle = createAuthThrottle({ clock, maxFailures: 1, maxTracked: 3, failureDelayMs: 0 });
    for (const a of ['a', 'b', 'c']) await throttle.failed(a);
    expect(['a', 'b', 'c'].map((a) => throttle.retryAfterS(a) > 0)).toEqual([true, true, true]);
    await throttle.failed('d');
    expect(['a', 'b', 'c', 'd'].map((a) => throttle.retryAfterS(a) > 0)).toEqual([false, true, true, true]);
  });
});

describe('ADMIN_TOKEN length', () => {
  it('refuses an ADMIN_TOKEN shorter than 16 characters when NODE_ENV=production, naming it', () => {
    const env = { NODE_ENV: 'production', CALLBACK_TOKEN: 'callback-token-0123456789', ADMIN_TOKEN: 'short-token-15ch' };
    expect(() => parseEnv({ ...env, ADMIN_TOKEN: 'short-token-15c' })).toThrow(ConfigError);
    expect(() => parseEnv({ ...env, ADMIN_TOKEN: 'short-token-15c' })).toThrow(/ADMIN_TOKEN: must be at least 16 characters/);
    expect(parseEnv(env).ADMIN_TOKEN).toBe('short-token-15ch');
    // Outside production it only warns (local development).
    expect(parseEnv({ ADMIN_TOKEN: 'short' }).ADMIN_TOKEN).toBe('short');
  });
});
