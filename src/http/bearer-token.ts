/** `Authorization: Bearer <token>`, as the admin API and /metrics (METRICS_TOKEN) read it. */
import type { Context } from 'hono';
import { timingSafeEqualText } from '../lib/crypto.js';

/** `Bearer <token>` → token; anything else → null. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return match ? match[1]! : null;
}

/** True when the request carries `Authorization: Bearer <expected>` (constant-time). */
export function hasBearerToken(c: Context, expected: string): boolean {
  const given = bearerToken(c.req.header('authorization'));
  return given !== null && timingSafeEqualText(given, expected);
}
