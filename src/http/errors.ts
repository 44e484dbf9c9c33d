/**
 * One error type for the HTTP layer. Every error answer has the shape
 * `{"error":{"code","message","issues"?}}`: never a stack trace, never HTML.
 */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from '../lib/logger.js';

export const ERROR_STATUS = {
  invalid_payload: 400,
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_requests: 429,
  internal_error: 500,
  not_configured: 503,
  store_unavailable: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorIssue {
  path: string;
  message: string;
}

export class ApiError extends HTTPException {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: { issues?: ErrorIssue[]; headers?: Record<string, string> } = {},
  ) {
    super(ERROR_STATUS[code], { message });
  }
}

export function errorBody(code: ErrorCode, message: string, issues?: ErrorIssue[]) {
  return { error: { code, message, ...(issues && { issues }) } };
}

export function errorResponse(c: Context, error: ApiError): Response {
  return c.json(errorBody(error.code, error.message, error.extra.issues), error.status, error.extra.headers);
}

/** Maps anything thrown to a JSON answer; unknown errors are logged, not shown. */
export function createErrorHandler(logger: Logger) {
  return (error: Error, c: Context): Response => {
    if (error instanceof ApiError) return errorResponse(c, error);
    if (error instanceof HTTPException) {
      const code = (Object.keys(ERROR_STATUS) as ErrorCode[]).find((k) => ERROR_STATUS[k] === error.status) ?? 'bad_request';
      return c.json(errorBody(code, error.message || code.replace(/_/g, ' ')), error.status);
    }
    logger.error({ err: { message: error.message, name: error.name }, path: c.req.path }, 'unhandled error');
    return c.json(errorBody('internal_error', 'internal error'), 500);
  };
}
