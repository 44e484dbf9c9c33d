/**
 * Who may see the dashboard: sign-in with ADMIN_TOKEN, the session check on every page,
 * CSRF checks on every form post, and the headers every dashboard answer carries.
 */
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { createMiddleware } from 'hono/factory';
import type { Env } from '../../config/env.js';
import type { Clock } from '../../lib/clock.js';
import type { Store } from '../../store/db.js';
import { isSessionLive } from '../../store/sessions.repo.js';
import type { AuthThrottle } from '../auth-throttle.js';
import { AdminOffPage, RefusedPage } from './login.page.js';
import { csrfToken, csrfTokenMatches, SESSION_COOKIE, verifySession, type Session } from './session.js';

/** Form fields as Hono parses them. */
export type FormBody = Record<string, string | File | (string | File)[]>;

/** What the dashboard middleware leaves on the context. */
export interface DashboardEnv {
  Variables: {
    session: Session;
    /** The session's CSRF token, for the forms of the page. */
    csrf: string;
    /** The parsed form of a verified POST. */
    form: FormBody;
  };
}

export interface AuthDeps {
  env: Env;
  clock: Clock;
  /** Where sessions are recorded (logout ends them there). */
  store: Store;
  /** Failed logins per address (shared with the admin API). */
  throttle: AuthThrottle;
  /** Who a wrong token counts against (the client, and the socket peer unless a CIDR-named proxy). */
  attemptAddresses(c: Context): (string | null)[];
  /** True when the socket peer is a trusted proxy: only then are X-Forwarded-Proto/-Host believed. */
  behindTrustedProxy(c: Context): boolean;
}

/**
 * Pages hold order data and secrets-adjacent settings: never cached, never framed, no
 * script, nothing loaded from elsewhere, no referrer leaking ids to other sites.
 * `same-origin`, not `no-referrer`: with the latter browsers send `Origin: null` on our own
 * form posts, and the Origin check below could not tell them from a foreign page's.
 */
export const securityHeaders = createMiddleware(async (c, next) => {
  await next();
  c.header(
    'content-security-policy',
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  );
  c.header('x-content-type-options', 'nosniff');
  c.header('x-frame-options', 'DENY');
  c.header('referrer-policy', 'same-origin');
  c.header('cache-control', 'no-store');
});

/** True when the browser reached us over https (directly, or through a trusted proxy). */
export function requestIsHttps(c: Context, behindTrustedProxy: boolean): boolean {
  if (new URL(c.req.url).protocol === 'https:') return true;
  return behindTrustedProxy && c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https';
}

/** Attributes of the dashboard's cookies: HttpOnly, SameSite=Strict, Secure on https (or when PUBLIC_URL is https). */
export function cookieOptions(c: Context, deps: Pick<AuthDeps, 'env' | 'behindTrustedProxy'>, path: string, maxAgeS: number) {
  const secure = requestIsHttps(c, deps.behindTrustedProxy(c)) || deps.env.PUBLIC_URL?.startsWith('https:') === true;
  return { path, httpOnly: true, sameSite: 'Strict' as const, secure, maxAge: maxAgeS };
}

/** The session the request's cookie proves: signed by this ADMIN_TOKEN, unexpired, and not ended by logout. */
export async function currentSession(c: Context, deps: AuthDeps, adminToken: string): Promise<Session | null> {
  const now = deps.clock.now();
  const session = await verifySession(adminToken, getCookie(c, SESSION_COOKIE), now);
  if (!session) return null;
  return (await isSessionLive(deps.store.db, session.id, new Date(now))) ? session : null;
}

/**
 * A form post that a browser says came from another site. SameSite=Strict already keeps the
 * session cookie off such requests; this refuses them even when it does not (old browsers).
 */
export function crossSitePost(c: Context, deps: Pick<AuthDeps, 'behindTrustedProxy'>): boolean {
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  const origin = c.req.header('origin');
  if (origin === undefined) return false;
  const host = (deps.behindTrustedProxy(c) && c.req.header('x-forwarded-host')) || c.req.header('host') || new URL(c.req.url).host;
  try {
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
}

/** A local path to return to after login; anything else (other hosts, `//x`) becomes `/`. */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next.length > 500) return '/';
  if (!next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  return /[\u0000-\u001f\\]/.test(next) ? '/' : next;
}

/** The refusal page for a post without a valid CSRF token. */
export function forbiddenPage(c: Context) {
  return c.html(RefusedPage(), 403);
}

/**
 * Every page but login: with no ADMIN_TOKEN, the "admin surface off" page; without a valid
 * session, a redirect to the login page (GET keeps the page to return to). Nothing else.
 */
export function requireSession(deps: AuthDeps) {
  return createMiddleware<DashboardEnv>(async (c, next) => {
    const token = deps.env.ADMIN_TOKEN;
    if (!token) return c.html(AdminOffPage(), 503);
    const session = await currentSession(c, deps, token);
    if (!session) {
      const url = new URL(c.req.url);
      const back = c.req.method === 'GET' ? `?next=${encodeURIComponent(url.pathname + url.search)}` : '';
      return c.redirect(`/login${back === '?next=%2F' ? '' : back}`, 303);
    }
    c.set('session', session);
    c.set('csrf', await csrfToken(token, session));
    await next();
  });
}

/** Form posts: same-site only, and carrying this session's CSRF token. Runs after requireSession. */
export function requireCsrf(deps: AuthDeps) {
  return createMiddleware<DashboardEnv>(async (c, next) => {
    if (crossSitePost(c, deps)) return forbiddenPage(c);
    const form = await c.req.parseBody();
    if (!(await csrfTokenMatches(deps.env.ADMIN_TOKEN ?? '', c.get('session'), form['_csrf']))) return forbiddenPage(c);
    c.set('form', form);
    await next();
  });
}
