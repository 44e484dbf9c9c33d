/**
 * GET/POST /login and POST /logout. The token is compared in constant time; a success
 * records a session and sets its signed cookie; a failure shows the form again with a fixed
 * message and counts against the address (429 past the limit). Logout ends the session on
 * the server. The login form carries a double-submit token (cookie + field): there is no
 * session yet to bind one to.
 */
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { timingSafeEqualText } from '../../lib/crypto.js';
import { createSession, revokeSession } from '../../store/sessions.repo.js';
import { cookieOptions, crossSitePost, currentSession, requireCsrf, requireSession, safeNext, type AuthDeps, type DashboardEnv } from './auth.js';
import { AdminOffPage, LoginPage, type LoginError } from './login.page.js';
import { issueSession, LOGIN_CSRF_COOKIE, randomToken, SESSION_COOKIE, SESSION_TTL_MS } from './session.js';

/** How long a login form stays valid. */
const LOGIN_FORM_TTL_S = 60 * 60;
const LOGIN_STATUS: Record<LoginError, 401 | 403 | 429> = { wrong: 401, expired: 403, throttled: 429 };

function showLogin(c: Context, deps: AuthDeps, next: string, error?: LoginError, headers?: Record<string, string>): Response {
  const nonce = randomToken(16);
  setCookie(c, LOGIN_CSRF_COOKIE, nonce, cookieOptions(c, deps, '/login', LOGIN_FORM_TTL_S));
  const page = LoginPage({ csrf: nonce, next, ...(error && { error }) });
  return c.html(page, error ? LOGIN_STATUS[error] : 200, headers) as Response;
}

/** GET/POST /login and POST /logout. */
export function createLoginRoutes(deps: AuthDeps): Hono<DashboardEnv> {
  const app = new Hono<DashboardEnv>();

  app.get('/login', async (c) => {
    const token = deps.env.ADMIN_TOKEN;
    if (!token) return c.html(AdminOffPage(), 503);
    const next = safeNext(c.req.query('next'));
    if (await currentSession(c, deps, token)) return c.redirect(next, 303);
    return showLogin(c, deps, next);
  });

  app.post('/login', async (c) => {
    const token = deps.env.ADMIN_TOKEN;
    if (!token) return c.html(AdminOffPage(), 503);
    const address = deps.attemptAddresses(c);
    const wait = deps.throttle.retryAfterS(address);
    if (wait > 0) return showLogin(c, deps, '/', 'throttled', { 'Retry-After': String(wait) });
    const form = await c.req.parseBody();
    const next = safeNext(form['next']);
    const cookieNonce = getCookie(c, LOGIN_CSRF_COOKIE) ?? '';
    const formNonce = typeof form['_csrf'] === 'string' ? form['_csrf'] : '';
    if (crossSitePost(c, deps) || cookieNonce.length < 16 || !timingSafeEqualText(formNonce, cookieNonce)) {
      return showLogin(c, deps, next, 'expired');
    }
    const given = typeof form['token'] === 'string' ? form['token'] : '';
    if (!timingSafeEqualText(given, token)) {
      await deps.throttle.failed(address);
      return showLogin(c, deps, next, 'wrong');
    }
    const now = deps.clock.now();
    const { session, cookie } = await issueSession(token, now);
    await createSession(deps.store.db, session.id, new Date(now), new Date(session.expiresAt));
    deleteCookie(c, LOGIN_CSRF_COOKIE, { path: '/login' });
    setCookie(c, SESSION_COOKIE, cookie, cookieOptions(c, deps, '/', SESSION_TTL_MS / 1000));
    return c.redirect(next, 303);
  });

  app.post('/logout', requireSession(deps), requireCsrf(deps), async (c) => {
    await revokeSession(deps.store.db, c.get('session').id, new Date(deps.clock.now()));
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/login', 303);
  });

  return app;
}
