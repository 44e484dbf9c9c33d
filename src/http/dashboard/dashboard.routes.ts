/** The dashboard at / (issue: operator surface). */
import { Hono } from 'hono';
import type { AppDeps } from '../../app.js';

export function createDashboardRoutes(_deps: AppDeps): Hono {
  return new Hono();
}
