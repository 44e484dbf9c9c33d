/**
 * The dashboard at / (issue: operator surface): server-rendered pages, no script, no
 * external asset, runtime-free. Every route carries the security headers and the secret
 * scrub; pages need a session; form posts need a session and its CSRF token.
 *
 * | route | what |
 * |---|---|
 * | `GET /login`, `POST /login`, `POST /logout` | sign in with ADMIN_TOKEN, sign out |
 * | `GET /` | overview: dead letters, queue, 24 h charts, orders that need attention |
 * | `GET /orders`, `GET /orders/:orderId` | search; one order's timeline |
 * | `GET /events/:eventId` | one callback in full |
 * | `GET /deliveries` | deliveries; `?status=dead` is the dead-letter list |
 * | `GET /rejected` | refused callbacks |
 * | `GET /rules`, `POST /rules/dry-run` | channels, rules, dry run |
 * | `POST /deliveries/:id/retry`, `POST /events/:id/replay`, `POST /channels/:name/enable` | actions |
 * | `GET /silences`, `POST /silences`, `POST /silences/:id/expire` | silences (docs/design.md#silences) |
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { every } from 'hono/combine';
import { createMiddleware } from 'hono/factory';
import type { AppDeps, RouteDeps } from '../deps.js';
import { peerIsTrustedProxy } from '../../lib/client-address.js';
import { addActionRoutes } from './actions.routes.js';
import { requireCsrf, requireSession, securityHeaders, type DashboardEnv } from './auth.js';
import { DRY_RUN_MAX_CHARS } from '../../deliver/dry-run.js';
import { TooLargePage } from './login.page.js';
import { createLoginRoutes } from './login.routes.js';
import { addPageRoutes } from './pages.routes.js';
import { collectSecrets, scrubSecrets } from './secrets.js';
import { addSilenceRoutes } from './silences.routes.js';

/** Form posts are small; the dry run carries one callback (the receiver's limit) plus the form. */
const MAX_FORM_BYTES = DRY_RUN_MAX_CHARS * 4 + 4096;

/** Rewrites an HTML answer without any secret in it (see secrets.ts). */
function secretScrub(deps: AppDeps): MiddlewareHandler {
  return createMiddleware(async (c, next) => {
    await next();
    if (!c.res.headers.get('content-type')?.startsWith('text/html')) return;
    const html = await c.res.text();
    const clean = scrubSecrets(html, collectSecrets(deps.env, deps.pipeline?.rules()));
    const headers = new Headers(c.res.headers);
    headers.delete('content-length');
    c.res = new Response(clean, { status: c.res.status, headers });
  });
}

/** The dashboard routes, mounted at `/` by createApp; they answer only for their own paths. */
export function createDashboardRoutes(deps: RouteDeps): Hono<DashboardEnv> {
  const app = new Hono<DashboardEnv>();
  const auth = {
    env: deps.env,
    clock: deps.clock,
    store: deps.store,
    throttle: deps.authThrottle,
    attemptAddresses: deps.attemptAddresses,
    behindTrustedProxy: (c: Context) => peerIsTrustedProxy(deps.env.TRUST_PROXY, deps.socketAddress(c)),
  };
  // Registered per route, not with use('*'): the dashboard must not answer for paths it
  // does not own (unknown paths keep the app's JSON 404).
  const common = [securityHeaders, secretScrub(deps)] as MiddlewareHandler<DashboardEnv>[];
  // Counted as it streams in (chunked bodies too): a form is never buffered past the limit.
  const limit = bodyLimit({ maxSize: MAX_FORM_BYTES, onError: (c) => c.html(TooLargePage(), 413) });
  const page: MiddlewareHandler<DashboardEnv> = every(...common, requireSession(auth));
  const action: MiddlewareHandler<DashboardEnv> = every(...common, limit, requireSession(auth), requireCsrf(auth));

  for (const path of ['/login', '/logout']) app.use(path, ...common, limit);
  app.route('/', createLoginRoutes(auth));
  addPageRoutes(app, deps, page);
  addActionRoutes(app, deps, action);
  addSilenceRoutes(app, deps, { page, action });
  return app;
}
