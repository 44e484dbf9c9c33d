/**
 * Audit of refused callbacks (`callback_refusals`): one row per (client address, reason),
 * written as upserts of counts, so the table grows with distinct callers, not requests.
 */
import { desc, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from './db.js';
import { callbackRefusals } from './schema.js';

export type RefusalRow = typeof callbackRefusals.$inferSelect;

/** What one refused request leaves: its pair, and a sample of it. */
export interface Refusal {
  at: Date;
  remoteAddr: string | null;
  reason: string;
  statusCode: number;
  message: string;
  /** The route, with a path token masked. */
  path: string;
  contentType?: string | null;
  bodyExcerpt?: string | null;
  bodyBytes?: number | null;
}

/** Refusals of one pair gathered since the last write. */
export interface RefusalAggregate {
  count: number;
  firstSeenAt: Date;
  /** The latest refusal of the pair: its time is the pair's last_seen_at. */
  sample: Refusal;
}

/** Bytes of a refused body kept for audit. */
export const REFUSAL_BODY_EXCERPT = 2048;
/** Pairs kept; the least recently seen are pruned past this. */
export const REFUSAL_KEEP_ROWS = 10_000;

function clean(text: string | null | undefined, max: number): string | null {
  return text?.slice(0, max).replace(/\u0000/g, '\uFFFD') ?? null;
}

/**
 * Adds the aggregates to their rows in one statement: counts summed, first/last seen
 * widened, the sample replaced by the newer one. Pairs must be distinct within a call.
 */
export async function upsertRefusals(db: DbOrTx, aggregates: RefusalAggregate[]): Promise<void> {
  if (aggregates.length === 0) return;
  const rows = aggregates.map(({ count, firstSeenAt, sample }) => ({
    remoteAddr: sample.remoteAddr,
    reason: sample.reason,
    count,
    firstSeenAt,
    lastSeenAt: sample.at,
    statusCode: sample.statusCode,
    message: clean(sample.message, 1000)!,
    path: sample.path.slice(0, 300),
    contentType: clean(sample.contentType, 200),
    bodyExcerpt: clean(sample.bodyExcerpt, REFUSAL_BODY_EXCERPT),
    bodyBytes: sample.bodyBytes ?? null,
  }));
  // `callback_refusals` is the stored row, `excluded` the one proposed: the newer gives the sample.
  const newer = 'excluded.last_seen_at >= callback_refusals.last_seen_at';
  const sampled = (column: string) => sql.raw(`case when ${newer} then excluded.${column} else callback_refusals.${column} end`);
  await db
    .insert(callbackRefusals)
    .values(rows)
    .onConflictDoUpdate({
      target: [callbackRefusals.remoteAddr, callbackRefusals.reason],
      set: {
        count: sql.raw('callback_refusals.count + excluded.count'),
        firstSeenAt: sql.raw('least(callback_refusals.first_seen_at, excluded.first_seen_at)'),
        lastSeenAt: sql.raw('greatest(callback_refusals.last_seen_at, excluded.last_seen_at)'),
        statusCode: sampled('status_code'),
        message: sampled('message'),
        path: sampled('path'),
        contentType: sampled('content_type'),
        bodyExcerpt: sampled('body_excerpt'),
        bodyBytes: sampled('body_bytes'),
      },
    });
}

/** Deletes all but the `keep` most recently seen pairs. */
export async function pruneRefusals(db: DbOrTx, keep: number): Promise<void> {
  const stale = db
    .select({ id: callbackRefusals.id })
    .from(callbackRefusals)
    .orderBy(desc(callbackRefusals.lastSeenAt), desc(callbackRefusals.id))
    .offset(keep);
  await db.delete(callbackRefusals).where(inArray(callbackRefusals.id, stale));
}
