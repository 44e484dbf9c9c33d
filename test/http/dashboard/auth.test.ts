/**
 * Who gets in: the login form, the signed session cookie, CSRF on every form post, and the
 * "admin surface off" page. Without a session nothing from the store is shown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueSession, SESSION_COOKIE, SESSION_TTL_MS } from '../../../src/http/dashboard/session.js';
import { fixture } from '../../support/fixtures.js';
import { STORE_KINDS } from '../../support/store.js';
import { ADMIN_TOKEN, createBrowser, createDashboardHarness, csrfOf, type DashboardHarness } from './support.js';

const ORDER = 'IN-ORD-100235';
const PAGES = ['/', '/orders', `/orders/${ORDER}`, '/deliveries', '/deliveries?status=dead', '/rejected', '/rules'];

describe.each(STORE_KINDS)('dashboard sign-in on %s', (kind) => {
  let h: DashboardHarness;
  beforeAll(async () => {
    h = await createDashboardHarness(kind);
    await h.callback(fixture('flat-activation-failed.json'));
  });
  afterAll(async () => h?.close());

  it('sends every page to the login form without a session, and shows no data', async () => {
    const browser = createBrowser(h.app);
    for (const path of PAGES) {
      const res = await browser.get(path);
      expect(res.status, path).toBe(303);
      const location = res.headers.get('location')!;
      expect(location.startsWith('/login'), path).toBe(true);
      expect(await res.text(), path).not.toContain(ORDER);
    }
    expect((await browser.get(`/orders/${ORDER}`)).headers.get('location')).toBe(`/login?next=${encodeURIComponent(`/orders/${ORDER}`)}`);
    const login = await browser.get('/login');
    const html = await login.text();
    expect(login.status).toBe(200);
    expect(html).toContain('Admin token');
    expect(html).not.toContain(ORDER);
    expect(html).not.toContain('<script');
  });

  it('logs in with the token: signed HttpOnly SameSite=Strict cookie, redirect to the page asked for', async () => {
    const browser = createBrowser(h.app);
    const form = await browser.get(`/login?next=${encodeURIComponent(`/orders/${ORDER}`)}`);
    const csrf = csrfOf(await form.text())!;
    const res = await browser.post('/login', { token: ADMIN_TOKEN, next: `/orders/${ORDER}`, _csrf: csrf });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/orders/${ORDER}`);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).toMatch(/Max-Age=43200/);
    expect(cookie).not.toMatch(/Secure/);
    expect(cookie).not.toContain(ADMIN_TOKEN);
    expect(await browser.page(`/orders/${ORDER}`)).toContain(ORDER);
  });

  it('marks the cookie Secure when the request is https', async () => {
    const browser = createBrowser(h.app, 'https://relay.example.com');
    const res = await browser.login();
    expect(res.status).toBe(303);
    expect(res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))).toMatch(/Secure/);
  });

  it('refuses a wrong token with the form again and an error, and sets no session', async () => {
    const browser = createBrowser(h.app);
    const res = await browser.login('not-the-admin-token');
    expect(res.status).toBe(401);
    const html = await res.text();
    expect(html).toContain('That is not the admin token.');
    expect(html).not.toContain('not-the-admin-token');
    expect(browser.cookies.has(SESSION_COOKIE)).toBe(false);
    expect((await browser.get('/')).status).toBe(303);
  });

  it('refuses a login post without the login form token (login CSRF)', async () => {
    const browser = createBrowser(h.app);
    const res = await browser.post('/login', { token: ADMIN_TOKEN, _csrf: 'forged-forged-forged-forged' });
    expect(res.status).toBe(403);
    expect(browser.cookies.has(SESSION_COOKIE)).toBe(false);
  });

  it('refuses forged, tampered, expired, foreign-key and never-recorded cookies', async () => {
    const browser = createBrowser(h.app);
    await browser.login();
    const cookie = browser.cookies.get(SESSION_COOKIE)!;
    // Signed with the right key, but no login recorded it: the server does not know this session.
    const unrecorded = (await issueSession(ADMIN_TOKEN, h.clock.now())).cookie;
    const [v, expires, id, mac] = cookie.split('.') as [string, string, string, string];
    const later = String(Number(expires) + 1000);
    const expired = (await issueSession(ADMIN_TOKEN, h.clock.now() - SESSION_TTL_MS - 1000)).cookie;
    const otherKey = (await issueSession('some-other-admin-token-value', h.clock.now())).cookie;
    const forged = [
      'v1.9999999999999.AAAAAAAAAAAAAAAAAAAAAA.AAAA',
      `${v}.${later}.${id}.${mac}`,
      `${v}.${expires}.${id}x.${mac}`,
      `${v}.${expires}.${id}.${mac.slice(0, 10)}${mac[10] === 'A' ? 'B' : 'A'}${mac.slice(11)}`,
      expired,
      otherKey,
      unrecorded,
      ADMIN_TOKEN,
    ];
    for (const value of forged) {
      const res = await h.app.request('/', { headers: { cookie: `${SESSION_COOKIE}=${value}` } });
      expect(res.status, value).toBe(303);
      expect(res.headers.get('location')).toBe('/login');
    }
    const good = await h.app.request('/', { headers: { cookie: `${SESSION_COOKIE}=${cookie}` } });
    expect(good.status).toBe(200);
  });

  it('expires a session after 12 hours', async () => {
    const browser = createBrowser(h.app);
    await browser.login();
    expect((await browser.get('/')).status).toBe(200);
    h.clock.advance(SESSION_TTL_MS + 1);
    try {
      expect((await browser.get('/')).status).toBe(303);
    } finally {
      h.clock.advance(-SESSION_TTL_MS - 1);
    }
  });

  it('requires the session CSRF token on every form post', async () => {
    const browser = createBrowser(h.app);
    await browser.login();
    await browser.page('/rules');
    const own = browser.lastCsrf!;
    const other = createBrowser(h.app);
    await other.login();
    await other.page('/rules');
    for (const path of ['/logout', '/rules/dry-run', '/channels/oss/enable', '/deliveries/00000000-0000-7000-8000-000000000000/retry']) {
      for (const token of ['', 'forged', other.lastCsrf!]) {
        const res = await browser.post(path, { _csrf: token });
        expect(res.status, `${path} ${token}`).toBe(403);
        expect(await res.text()).toContain('This form was refused');
      }
    }
    // The right token from another site is still refused (Origin and Sec-Fetch-Site).
    expect((await browser.post('/rules/dry-run', { _csrf: own }, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await browser.post('/rules/dry-run', { _csrf: own }, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await browser.post('/rules/dry-run', { _csrf: own }, { origin: 'null' })).status).toBe(403);
    expect((await browser.post('/rules/dry-run', { _csrf: own }, { origin: 'http://localhost', 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    // Still logged in: none of the refused posts logged out.
    expect((await browser.get('/')).status).toBe(200);
  });

  it('a post without a session changes nothing and goes to the login page', async () => {
    const res = await createBrowser(h.app).post('/channels/oss/enable', { _csrf: 'x' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login');
  });

  it('logs out: the cookie is cleared', async () => {
    const browser = createBrowser(h.app);
    await browser.login();
    await browser.page('/');
    const res = await browser.post('/logout', {});
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login');
    expect(browser.cookies.has(SESSION_COOKIE)).toBe(false);
    expect((await browser.get('/')).status).toBe(303);
  });

  it('never redirects to another site after login', async () => {
    for (const next of ['//evil.example/x', 'https://evil.example', '/\\evil.example', 'javascript:alert(1)']) {
      const browser = createBrowser(h.app);
      const form = await browser.get(`/login?next=${encodeURIComponent(next)}`);
      const csrf = csrfOf(await form.text())!;
      const res = await browser.post('/login', { token: ADMIN_TOKEN, next, _csrf: csrf });
      expect(res.headers.get('location'), next).toBe('/');
    }
  });

  it('sends no-store, CSP without scripts, and frame denial on every page', async () => {
    const browser = createBrowser(h.app);
    await browser.login();
    for (const path of ['/login', ...PAGES]) {
      const res = await browser.get(path);
      expect(res.headers.get('cache-control'), path).toBe('no-store');
      expect(res.headers.get('content-security-policy'), path).toContain("default-src 'none'");
      expect(res.headers.get('content-security-policy'), path).not.toContain('script-src');
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
    }
  });

  it('leaves paths it does not own to the app (JSON 404)', async () => {
    const res = await h.app.request('/no-such-page');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
  });
});

describe('dashboard without ADMIN_TOKEN', () => {
  let h: DashboardHarness;
  beforeAll(async () => {
    h = await createDashboardHarness('pglite', { adminToken: null });
    await h.callback(fixture('flat-activation-failed.json'));
  });
  afterAll(async () => h?.close());

  it('says the admin surface is off and how to turn it on, with no data, on every page', async () => {
    for (const path of ['/login', ...PAGES]) {
      const res = await h.app.request(path);
      const html = await res.text();
      expect(res.status, path).toBe(503);
      expect(html, path).toContain('The admin surface is off');
      expect(html, path).toContain('ADMIN_TOKEN');
      expect(html, path).not.toContain(ORDER);
    }
    const post = await h.app.request('/login', { method: 'POST', body: new URLSearchParams({ token: '' }) });
    expect(post.status).toBe(503);
    expect(post.headers.getSetCookie()).toEqual([]);
  });
});
