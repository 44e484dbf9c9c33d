/**
 * Building blocks shared by the admin route modules: the error answers each operation may
 * give, JSON content, and the validation hook that turns zod issues into our error shape.
 */
import type { z, OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { RouteDeps } from '../deps.js';
import { InvalidCursorError } from '../../store/admin.repo.js';
import { ApiError, type ErrorIssue } from '../errors.js';
import { ADMIN_SECURITY_SCHEME } from './admin-auth.js';
import { ErrorSchema } from './schemas.js';

/** The admin app's type: AppDeps reach handlers through closures, not the context. */
export type AdminApp = OpenAPIHono;
export type AdminDeps = RouteDeps;

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

const errorAnswer = (description: string) => json(ErrorSchema, description);

/** Answers every admin operation may give besides its own. */
export const COMMON_ERRORS = {
  400: errorAnswer('Invalid query, path or body (`bad_request` / `invalid_payload`, with `issues`).'),
  401: errorAnswer('Missing or wrong admin token (`WWW-Authenticate: Bearer`).'),
  503: errorAnswer('`not_configured`: ADMIN_TOKEN is unset, or this process has no dispatcher.'),
} as const;

export const NOT_FOUND = { 404: errorAnswer('No such item (`not_found`).') } as const;
export const CONFLICT = { 409: errorAnswer('The item is in a state that does not allow this (`conflict`).') } as const;

/** Every admin operation needs the bearer token. */
export const SECURED = [{ [ADMIN_SECURITY_SCHEME]: [] }];

function toIssues(error: z.ZodError): ErrorIssue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

/**
 * Validation failures as our error shape: a bad body is `invalid_payload`, a bad query or
 * path `bad_request`; both list every issue.
 */
export function validationHook(
  result: { target: string; success: true; data: unknown } | { target: string; success: false; error: z.ZodError },
  _c: Context,
): void {
  if (result.success) return;
  const issues = toIssues(result.error);
  if (result.target === 'json') throw new ApiError('invalid_payload', 'the request body is not valid', { issues });
  throw new ApiError('bad_request', `invalid ${result.target === 'param' ? 'path parameter' : 'query parameter'}`, { issues });
}

/** Runs a store read; a forged or stale cursor becomes a 400 naming `cursor`. */
export async function withCursor<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof InvalidCursorError) {
      throw new ApiError('bad_request', 'invalid cursor', { issues: [{ path: 'cursor', message: 'not a cursor of this list' }] });
    }
    throw error;
  }
}

/** The dispatcher side, or 503: replay, rules and dry-run need the rules this process loaded. */
export function requirePipeline(deps: AdminDeps) {
  if (!deps.pipeline) throw new ApiError('not_configured', 'this process has no dispatcher (rules and channels are not loaded)');
  return deps.pipeline;
}
