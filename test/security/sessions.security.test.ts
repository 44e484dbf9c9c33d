/**
 * Finding 4 (sessions) and 7 (cookie): logout ends the session on the server, so the old
 * cookie, replayed, leads to the login page; the cookie is Secure when PUBLIC_URL is https.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/http/dashboard/session.js';
import { dashboardSessions } from '../../src/store/schema.js';
import { createTestStore, STORE_KINDS, type TestStore } from '../support/store.js';
import { ADMIN_TOKEN, postLogin, startSecurityRelay, type SecurityRelay } from './support.js';

/** `name=value` of the session cookie a response sets. */
function sessionCookieOf(res: Response): string {
  const line = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!line) throw new Error(`no session cookie set (status ${res.status})`);
  return line.split(';')[0]!;
}

describe.each(STORE_KINDS)('dashboard sessions on %s', (kind) => {
  let store: TestStore;
  let relay: SecurityRelay;
  beforeAll(async () => {
    store = await createTestStore(kind);
    relay = await startSecurityRelay(kind, {}, { store });
  });
  afterAll(async () => {
    await relay?.close();
    await store?.close();
  });

  it('logout, then the old cookie replayed: the login page, not the dashboard', async () => {
    const cookie = sessionCookieOf(await postLogin(relay.app, ADMIN_TOKEN));
    const home = await relay.app.request('/', { headers: { cookie } });
    expect(home.status).toBe(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await home.text())![1]!;

    const out = await relay.app.request('/logout', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf }).toString(),
    });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/login');

    // The browser forgot the cookie; an attacker who copied it replays it.
    const replay = await relay.app.request('/', { headers: { cookie } });
    expect(replay.status).toBe(303);
    expect(replay.headers.get('location')).toBe('/login');
    const login = await relay.app.request('/login', { headers: { cookie } });
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('Admin token');
    // Form posts with it change nothing either.
    const post = await relay.app.request('/channels/oss/enable', {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf }).toString(),
    });
    expect(post.status).toBe(303);
    expect(post.headers.get('location')).toBe('/login');
  });

  it('records sessions server-side (id, created, expires, revoked) and prunes expired ones at the next login', async () => {
    const first = sessionCookieOf(await postLogin(relay.app, ADMIN_TOKEN));
    const id = first.split('.')[2]!;
    const [row] = await store.db.select().from(dashboardSessions).where(eq(dashboardSessions.id, id));
    expect(row).toMatchObject({ id, revokedAt: null });
    expect(row!.expiresAt.getTime() - row!.createdAt.getTime()).toBe(12 * 60 * 60 * 1000);
    // A day later the session has expired; the next login removes its row.
    relay.clock.advance(24 * 60 * 60 * 1000);
    expect((await relay.app.request('/', { headers: { cookie: first } })).status).toBe(303);
    sessionCookieOf(await postLogin(relay.app, ADMIN_TOKEN));
    expect(await store.db.select().from(dashboardSessions).where(eq(dashboardSessions.id, id))).toEqual([]);
  });

  it('a second session is not ended by another one’s logout', async () => {
    const a = sessionCookieOf(await postLogin(relay.app, ADMIN_TOKEN));
    const b = sessionCookieOf(await postLogin(relay.app, ADMIN_TOKEN));
    const home = await relay.app.request('/', { headers: { cookie: a } });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await home.text())![1]!;
    await relay.app.request('/logout', {
      method: 'POST',
      headers: { cookie: a, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf }).toString(),
    });
    expect((await relay.app.request('/', { headers: { cookie: a } })).status).toBe(303);
    expect((await relay.app.request('/', { headers: { cookie: b } })).status).toBe(200);
  });
});

describe.each(STORE_KINDS)('session cookie and PUBLIC_URL on %s', (kind) => {
  it('is Secure when PUBLIC_URL is https, even when the request reached us over plain http', async () => {
    const https = await startSecurityRelay(kind, { PUBLIC_URL: 'https://relay.example.com' });
    try {
      const res = await postLogin(https.app, ADMIN_TOKEN);
      expect(res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))).toMatch(/; Secure/);
    } finally {
      await https.close();
    }
    const http = await startSecurityRelay(kind, { PUBLIC_URL: 'http://localhost:8080' });
    try {
      const res = await postLogin(http.app, ADMIN_TOKEN);
      expect(res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))).not.toMatch(/Secure/);
    } finally {
      await http.close();
    }
  });
});
