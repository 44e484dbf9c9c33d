import { describe, expect, it } from 'vitest';
import { createManualClock } from '../lib/clock.js';
import { createSilentLogger } from '../lib/logger.js';
import { basicAuthorization, createTokenCache, type IssuedToken } from './token-cache.js';

/** A token source whose requests stay open until the test resolves them. */
function controllableSource() {
  const pending: ((token: IssuedToken) => void)[] = [];
  let issued = 0;
  return {
    fetchToken: () =>
      new Promise<IssuedToken>((resolve) => {
        pending.push(resolve);
      }),
    issue(expiresInS = 1800) {
      pending.shift()!({ accessToken: `t${++issued}`, expiresInS });
    },
    get requests() {
      return issued + pending.length;
    },
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('createTokenCache', () => {
  it('shares one request among concurrent callers and caches until 60 s before expiry', async () => {
    const clock = createManualClock();
    const source = controllableSource();
    const cache = createTokenCache({ fetchToken: source.fetchToken, clock, logger: createSilentLogger(), refreshMarginS: 60 });
    const waiting = Array.from({ length: 10 }, () => cache.get());
    await flush();
    expect(source.requests).toBe(1);
    source.issue(1800);
    expect(new Set(await Promise.all(waiting))).toEqual(new Set(['t1']));

    clock.advance((1800 - 61) * 1000);
    expect(await cache.get()).toBe('t1');
    clock.advance(1000);
    const next = cache.get();
    await flush();
    source.issue();
    expect(await next).toBe('t2');
    expect(source.requests).toBe(2);
  });

  it('refreshAfterRejection: one refresh for many rejections of the same token', async () => {
    const source = controllableSource();
    const cache = createTokenCache({ fetchToken: source.fetchToken, clock: createManualClock(), logger: createSilentLogger(), refreshMarginS: 60 });
    const first = cache.get();
    await flush();
    source.issue();
    expect(await first).toBe('t1');

    const early = Array.from({ length: 5 }, () => cache.refreshAfterRejection('t1'));
    await flush();
    source.issue();
    expect(await Promise.all(early)).toEqual(['t2', 't2', 't2', 't2', 't2']);
    // A rejection of the old token arriving after the refresh reuses the new one.
    expect(await cache.refreshAfterRejection('t1')).toBe('t2');
    expect(source.requests).toBe(2);
  });

  it('a short-lived token is refreshed at half its lifetime', async () => {
    const clock = createManualClock();
    const source = controllableSource();
    const cache = createTokenCache({ fetchToken: source.fetchToken, clock, logger: createSilentLogger(), refreshMarginS: 60 });
    const first = cache.get();
    await flush();
    source.issue(30);
    await first;
    clock.advance(14_000);
    expect(await cache.get()).toBe('t1');
    clock.advance(1000);
    void cache.get();
    await flush();
    expect(source.requests).toBe(2);
  });

  it('a failed refresh is not cached: the next caller tries again', async () => {
    let calls = 0;
    const cache = createTokenCache({
      fetchToken: async () => {
        calls++;
        if (calls === 1) throw new Error('boom');
        return { accessToken: 'ok', expiresInS: 1800 };
      },
      clock: createManualClock(),
      logger: createSilentLogger(),
      refreshMarginS: 60,
    });
    await expect(cache.get()).rejects.toThrow('boom');
    expect(await cache.get()).toBe('ok');
  });
});

describe('basicAuthorization', () => {
  it('encodes UTF-8 user:password', () => {
    expect(basicAuthorization('id', 'sécret')).toBe(`Basic ${Buffer.from('id:sécret', 'utf8').toString('base64')}`);
  });
});
