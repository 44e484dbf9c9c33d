/** Audit of refused callbacks: bounded in row size and in row count. */
import { desc, lt, sql } from 'drizzle-orm';
import type { DbOrTx } from './db.js';
import { rejectedCallbacks } from './schema.js';

export type RejectedRow = typeof rejectedCallbacks.$inferSelect;
export type NewRejection = Omit<typeof rejectedCallbacks.$inferInsert, 'id'>;

/** Bytes of a refused body kept for audit. */
export const REJECTED_BODY_EXCERPT = 2048;
/** Rows kept; older ones are pruned. */
export const REJECTED_KEEP_ROWS = 10_000;
const PRUNE_EVERY = 100;

let insertsSincePrune = 0;

export async function recordRejection(db: DbOrTx, rejection: NewRejection): Promise<void> {
  await db.insert(rejectedCallbacks).values({
    ...rejection,
    bodyExcerpt: rejection.bodyExcerpt?.slice(0, REJECTED_BODY_EXCERPT).replace(/\u0000/g, '\uFFFD') ?? null,
    message: rejection.message.slice(0, 1000),
  });
  if (++insertsSincePrune >= PRUNE_EVERY) {
    insertsSincePrune = 0;
    await pruneRejections(db, REJECTED_KEEP_ROWS);
  }
}

/** Deletes all but the newest `keep` rows. */
export async function pruneRejections(db: DbOrTx, keep: number): Promise<void> {
  await db
    .delete(rejectedCallbacks)
    .where(lt(rejectedCallbacks.id, sql`(select coalesce(max(id), 0) - ${keep} + 1 from rejected_callbacks)`));
}

export async function listRejections(db: DbOrTx, limit = 100): Promise<RejectedRow[]> {
  return db.select().from(rejectedCallbacks).orderBy(desc(rejectedCallbacks.id)).limit(limit);
}
