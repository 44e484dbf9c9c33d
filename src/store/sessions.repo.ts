/**
 * Dashboard sessions (`dashboard_sessions`): a login adds a row, logout revokes it, and a
 * cookie only counts while its row is live. Expired rows are pruned as new ones are made.
 */
import { and, eq, gt, isNull, lt } from 'drizzle-orm';
import type { DbOrTx } from './db.js';
import { dashboardSessions } from './schema.js';

/** Records a new session; prunes sessions that have expired. */
export async function createSession(db: DbOrTx, id: string, createdAt: Date, expiresAt: Date): Promise<void> {
  await db.delete(dashboardSessions).where(lt(dashboardSessions.expiresAt, createdAt));
  await db.insert(dashboardSessions).values({ id, createdAt, expiresAt });
}

/** True while the session exists, has not expired and was not ended by logout. */
export async function isSessionLive(db: DbOrTx, id: string, now: Date): Promise<boolean> {
  const rows = await db
    .select({ id: dashboardSessions.id })
    .from(dashboardSessions)
    .where(and(eq(dashboardSessions.id, id), gt(dashboardSessions.expiresAt, now), isNull(dashboardSessions.revokedAt)));
  return rows.length > 0;
}

/** Ends a session (logout): its cookie no longer opens anything, even before it expires. */
export async function revokeSession(db: DbOrTx, id: string, now: Date): Promise<void> {
  await db.update(dashboardSessions).set({ revokedAt: now }).where(eq(dashboardSessions.id, id));
}
