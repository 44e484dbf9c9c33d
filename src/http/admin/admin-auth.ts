/**
 * Guards /api: the admin API is off until ADMIN_TOKEN is set, and then wants
 * `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time. Wrong tokens count
 * against the caller's addresses (auth-throttle.ts): past the limit, 429 with Retry-After.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { hasBearerToken } from '../bearer-token.js';
import type { AuthThrottle } from '../auth-throttle.js';
import { ApiError } from '../errors.js';

/** The OpenAPI name of the bearer scheme. */
export const ADMIN_SECURITY_SCHEME = 'adminToken';

/** 429 for an address that failed too often; Retry-After says when it may try again. */
export function tooManyFailures(retryAfterS: number): ApiError {
  return new ApiError('too_many_requests', `too many failed attempts from this address; retry in ${retryAfterS} s`, {
    headers: { 'Retry-After': String(retryAfterS) },
  });
}

export interface AdminGuardDeps {
  adminToken: string | undefined;
  throttle: AuthThrottle;
  /** Who a wrong token counts against (the client, and the socket peer unless a CIDR-named proxy). */
  attemptAddresses(c: Context): (string | null)[];
}

/**
 * 503 `not_configured` without ADMIN_TOKEN (whatever the caller sends), 401 with
 * `WWW-Authenticate: Bearer` for a missing or wrong token, 429 once the address has
 * failed too often. Nothing else is said either way.
 */
export function requireAdminToken(deps: AdminGuardDeps): MiddlewareHandler {
  return async (c, next) => {
    if (!deps.adminToken) throw new ApiError('not_configured', 'the admin API is off: set ADMIN_TOKEN');
    const address = deps.attemptAddresses(c);
    const wait = deps.throttle.retryAfterS(address);
    if (wait > 0) throw tooManyFailures(wait);
    if (!hasBearerToken(c, deps.adminToken)) {
      await deps.throttle.failed(address);
      throw new ApiError('unauthorized', 'a valid admin token is required (Authorization: Bearer <ADMIN_TOKEN>)', {
        headers: { 'WWW-Authenticate': 'Bearer realm="colt-relay-admin"' },
      });
    }
    await next();
  };
}
