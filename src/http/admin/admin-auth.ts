/**
 * Guards /api: the admin surface is off until ADMIN_TOKEN is set, and then wants
 * `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time.
 */
import type { MiddlewareHandler } from 'hono';
import { timingSafeEqualText } from '../../lib/crypto.js';
import { ApiError } from '../errors.js';

/** The OpenAPI name of the bearer scheme. */
export const ADMIN_SECURITY_SCHEME = 'adminToken';

/** `Bearer <token>` → token; anything else → null. */
function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return match ? match[1]! : null;
}

/**
 * 503 `not_configured` without ADMIN_TOKEN (whatever the caller sends), 401 with
 * `WWW-Authenticate: Bearer` for a missing or wrong token. Nothing else is said either way.
 */
export function requireAdminToken(adminToken: string | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (!adminToken) throw new ApiError('not_configured', 'the admin API is off: set ADMIN_TOKEN');
    const given = bearerToken(c.req.header('authorization'));
    if (given === null || !timingSafeEqualText(given, adminToken)) {
      throw new ApiError('unauthorized', 'a valid admin token is required (Authorization: Bearer <ADMIN_TOKEN>)', {
        headers: { 'WWW-Authenticate': 'Bearer realm="colt-relay-admin"' },
      });
    }
    await next();
  };
}
