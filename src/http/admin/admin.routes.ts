/** Admin JSON API under /api, OpenAPI document and docs (issue: operator surface). */
import { Hono } from 'hono';
import type { AppDeps } from '../../app.js';

export function createAdminRoutes(_deps: AppDeps): Hono {
  return new Hono();
}
