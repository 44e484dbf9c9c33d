/**
 * The dashboard believes X-Forwarded-Proto and X-Forwarded-Host only from a trusted proxy
 * (docs/design.md#trust-and-proxies): with TRUST_PROXY as proxy CIDRs, a caller reaching the relay directly
 * cannot make it think the page was served over https (Secure cookie) or from another host
 * (the Origin check of form posts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { parseEnv } from '../../src/config/env.js';
import { createManualClock } from '../../src/lib/clock.js';
import { createSilentLogger } from '../../src/lib/logger.js';
import { createCallbackWriter } from '../../src/store/ingest.js';
import { LOGIN_CSRF_COOKIE } from '../../src/http/dashboard/session.js';
import { createTestStore, type TestStore } from '../support/store.js';

const PROXY = '10.1.2.3';
const ADMIN_TOKEN = 'admin-token-0123456789abcdef';
const DIRECT = '198.51.100.7';

describe('forwarded headers on the dashboard', () => {
  let store: TestStore;
  let peer = DIRECT;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    store = await createTestStore('pglite');
    const env = parseEnv({
      CALLBACK_TOKEN: 'callback-token-0123456789',
      ADMIN_TOKEN,
      TRUST_PROXY: '10.0.0.0/8',
      LOG_LEVEL: 'silent',
    });
    const clock = createManualClock(Date.now());
    app = createApp({ env, store, writer: createCallbackWriter(store), clock, logger: createSilentLogger(), socketAddress: () => peer });
  });
  afterAll(() => store.close());

  const loginCookie = async (from: string) => {
    peer = from;
    const res = await app.request('http://relay.internal/login', { headers: { 'x-forwarded-proto': 'https' } });
    expect(res.status).toBe(200);
    return res.headers.getSetCookie().find((c) => c.startsWith(`${LOGIN_CSRF_COOKIE}=`)) ?? '';
  };

  it('marks cookies Secure on X-Forwarded-Proto: https only when the socket peer is a trusted proxy', async () => {
    expect(await loginCookie(PROXY)).toMatch(/;\s*Secure/i);
    expect(await loginCookie(DIRECT)).not.toMatch(/;\s*Secure/i);
  });

  it('trusts X-Forwarded-Host in the Origin check of a sign-in only from a trusted proxy', async () => {
    const signIn = async (from: string) => {
      const nonce = (await loginCookie(from)).split(';')[0]!.split('=')[1]!;
      return app.request('http://relay.internal/login', {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          cookie: `${LOGIN_CSRF_COOKIE}=${nonce}`,
          origin: 'https://relay.example.com',
          'x-forwarded-host': 'relay.example.com',
        },
        body: new URLSearchParams({ token: ADMIN_TOKEN, _csrf: nonce }).toString(),
      });
    };
    // Behind the proxy the public host is the forwarded one: a same-site sign-in.
    expect((await signIn(PROXY)).status).toBe(303);
    // Straight from the caller the forwarded host is not believed: the Origin is another site.
    const direct = await signIn(DIRECT);
    expect(direct.status).toBe(403);
    expect(direct.headers.getSetCookie().some((c) => c.startsWith('colt_relay_session='))).toBe(false);
  });
});
