/**
 * Silences (docs/design.md#silences): created with a window, a match and optionally the channels
 * they mute, listed newest first, expired
 * by hand (`expired_at`), and loaded by dispatchers while they can still apply. A silence's
 * match is validated before it gets here (src/config/silence-match.ts).
 */
import { and, desc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import { newId } from '../lib/ids.js';
import { isUuid } from './cursor.js';
import type { DbOrTx } from './db.js';
import { deliveries, silences } from './schema.js';

export type SilenceRow = typeof silences.$inferSelect;

export interface NewSilence {
  /** The match as the operator gave it (rules-file syntax), already checked. */
  match: unknown;
  startsAt: Date;
  endsAt: Date;
  comment: string;
  createdBy: string;
  /** Channel names it mutes; null or absent: every channel. */
  channels?: string[] | null;
}

/** `pending` (starts later), `active`, or `expired` (ended, or expired by hand). */
export type SilenceState = 'pending' | 'active' | 'expired';

export function silenceState(row: Pick<SilenceRow, 'startsAt' | 'endsAt' | 'expiredAt'>, now: Date): SilenceState {
  if (row.expiredAt || row.endsAt.getTime() <= now.getTime()) return 'expired';
  return row.startsAt.getTime() > now.getTime() ? 'pending' : 'active';
}

/** Stores a new silence; its id orders silences by creation. */
export async function createSilence(db: DbOrTx, silence: NewSilence, now: Date): Promise<SilenceRow> {
  const [row] = await db
    .insert(silences)
    .values({ id: newId(now.getTime()), ...silence, channels: silence.channels ?? null, createdAt: now })
    .returning();
  return row!;
}

export async function getSilence(db: DbOrTx, id: string): Promise<SilenceRow | null> {
  if (!isUuid(id)) return null;
  const [row] = await db.select().from(silences).where(eq(silences.id, id));
  return row ?? null;
}

/** Most silences a list returns. */
export const MAX_SILENCE_LIST = 500;

/** Silences newest first: the active and pending ones, and the recently ended. */
export async function listSilences(db: DbOrTx, options: { limit?: number } = {}): Promise<SilenceRow[]> {
  const limit = Math.min(options.limit ?? 100, MAX_SILENCE_LIST);
  return db.select().from(silences).orderBy(desc(silences.createdAt), desc(silences.id)).limit(limit);
}

export type ExpireResult =
  | { kind: 'expired'; silence: SilenceRow }
  | { kind: 'not_found' }
  /** It had ended already (its end passed, or someone expired it): nothing changed. */
  | { kind: 'ended'; silence: SilenceRow };

/** Ends a silence now. Only a silence that has not ended changes; the answer says which case it was. */
export async function expireSilence(db: DbOrTx, id: string, now: Date): Promise<ExpireResult> {
  if (!isUuid(id)) return { kind: 'not_found' };
  const [row] = await db
    .update(silences)
    .set({ expiredAt: now })
    .where(and(eq(silences.id, id), isNull(silences.expiredAt), gt(silences.endsAt, now)))
    .returning();
  if (row) return { kind: 'expired', silence: row };
  const existing = await getSilence(db, id);
  return existing ? { kind: 'ended', silence: existing } : { kind: 'not_found' };
}

/**
 * Silences that may still apply at or after `now` (not expired by hand, end still ahead),
 * oldest first; pending ones included, so a dispatcher's cached list holds them when they start.
 */
export async function loadUnendedSilences(db: DbOrTx, now: Date): Promise<SilenceRow[]> {
  return db
    .select()
    .from(silences)
    .where(and(isNull(silences.expiredAt), gt(silences.endsAt, now)))
    .orderBy(silences.createdAt, silences.id);
}

/**
 * Deliveries each silence suppressed, for the listed silences only. Reads through the
 * (status, updated_at) index: suppressed deliveries are few next to all deliveries.
 */
export async function countSuppressed(db: DbOrTx, ids: readonly string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: deliveries.silenceId, count: sql<number>`count(*)::int` })
    .from(deliveries)
    .where(and(eq(deliveries.status, 'suppressed'), inArray(deliveries.silenceId, [...ids])))
    .groupBy(deliveries.silenceId);
  return new Map(rows.map((r) => [r.id!, Number(r.count)]));
}
