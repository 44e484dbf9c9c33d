/**
 * A relay for the security suites: createApp over a real store, behind a real listener
 * (@hono/node-server on port 0) so bodies really travel over a socket, with a manual
 * clock and a caller address the test can change (`app.request()` has no socket).
 * The sign-in throttle holds failed attempts on that clock's terms: the holds it asks for
 * are recorded in `held` instead of slept (n × 250 ms of real time per failure otherwise).
 */
import { serve, type ServerType } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Hono } from 'hono';
import { createApp, type AppDeps } from '../../src/app.js';
import { createAuthThrottle } from '../../src/http/auth-throttle.js';
import { parseEnv, type Env } from '../../src/config/env.js';
import { createManualClock, type ManualClock } from '../../src/lib/clock.js';
import { createSilentLogger } from '../../src/lib/logger.js';
import type { StoreKind } from '../../src/store/db.js';
import { createCallbackWriter, type CallbackWriter } from '../../src/store/ingest.js';
import { createTestStore, type TestStore } from '../support/store.js';

export const ADMIN_TOKEN = 'security-admin-token-4b1d9e77c2';
export const CALLBACK_TOKEN = 'security-callback-token-5c2e8f';

export interface SecurityRelay {
  app: Hono;
  store: TestStore;
  env: Env;
  clock: ManualClock;
  writer: CallbackWriter;
  /** `http://127.0.0.1:<port>` of the real listener. */
  url: string;
  /**
   * The address `app.request()` calls come from (the listener's callers are 127.0.0.1).
   * @default '192.0.2.10'
   */
  peer: string;
  /** The holds the default sign-in throttle asked for, in order (ms); not slept. */
  held: number[];
  close(): Promise<void>;
}

export async function startSecurityRelay(
  kind: StoreKind,
  envOverrides: Record<string, string> = {},
  deps: Partial<Pick<AppDeps, 'authThrottle' | 'refusals' | 'refusalPacer' | 'renderMetrics'>> & { store?: TestStore } = {},
): Promise<SecurityRelay> {
  const env = parseEnv({ ADMIN_TOKEN, CALLBACK_TOKEN, LOG_LEVEL: 'silent', ...envOverrides });
  const store = deps.store ?? (await createTestStore(kind));
  const clock = createManualClock(Date.now());
  const writer = createCallbackWriter(store);
  const relay = { peer: '192.0.2.10', held: [] as number[] } as SecurityRelay;
  const app = createApp({
    env,
    store,
    writer,
    clock,
    logger: createSilentLogger(),
    // A socket peer when there is one (the listener), else the test's chosen address.
    socketAddress: (c) => (c.env?.incoming ? (getConnInfo(c).remote.address ?? null) : relay.peer),
    authThrottle:
      deps.authThrottle ??
      createAuthThrottle({
        clock,
        sleep: async (ms) => {
          relay.held.push(ms);
        },
      }),
    ...(deps.refusals && { refusals: deps.refusals }),
    ...(deps.refusalPacer && { refusalPacer: deps.refusalPacer }),
    ...(deps.renderMetrics && { renderMetrics: deps.renderMetrics }),
  });
  const server: ServerType = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', () => resolve())));
  const address = server.address();
  const port = address && typeof address === 'object' ? address.port : 0;
  return Object.assign(relay, {
    app,
    store,
    env,
    clock,
    writer,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await writer.drain();
      if (!deps.store) await store.close();
    },
  });
}

/** Reads the login form as a browser would: its CSRF field and double-submit cookie. */
export async function loginForm(app: Hono): Promise<{ csrf: string; cookie: string }> {
  const res = await app.request('/login');
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await res.text())![1]!;
  const cookie = res.headers.getSetCookie()[0]!.split(';')[0]!;
  return { csrf, cookie };
}

/** POST /login with a token, through the form (CSRF included). */
export async function postLogin(app: Hono, token: string): Promise<Response> {
  const { csrf, cookie } = await loginForm(app);
  return app.request('/login', {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, token, next: '/' }).toString(),
  });
}
