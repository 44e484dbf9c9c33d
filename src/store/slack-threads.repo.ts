/**
 * Slack threads (`slack_threads`): the parent message of an order in a Slack channel, so
 * every later status of the order is posted as a reply in one thread.
 */
import { and, eq } from 'drizzle-orm';
import type { Clock } from '../lib/clock.js';
import type { DbOrTx } from './db.js';
import { slackThreads } from './schema.js';

/** The parent message of an order's thread in one Slack channel, and the status it shows. */
export interface SlackThreadRow {
  threadTs: string;
  lastStatus: string;
}

/**
 * Slack threads over the database: the thread store the Slack channel declares
 * (src/deliver/channels/slack/threads.ts), which this file fits without importing it.
 * `save` upserts on (order id, Slack channel).
 */
export function createSlackThreadStore(db: DbOrTx, clock: Clock) {
  return {
    async get(orderId: string, slackChannel: string): Promise<SlackThreadRow | null> {
      const [row] = await db
        .select({ threadTs: slackThreads.threadTs, lastStatus: slackThreads.lastStatus })
        .from(slackThreads)
        .where(and(eq(slackThreads.orderId, orderId), eq(slackThreads.slackChannel, slackChannel)));
      return row ?? null;
    },
    async save(orderId: string, slackChannel: string, threadTs: string, lastStatus: string): Promise<void> {
      const updatedAt = new Date(clock.now());
      await db
        .insert(slackThreads)
        .values({ orderId, slackChannel, threadTs, lastStatus, updatedAt })
        .onConflictDoUpdate({
          target: [slackThreads.orderId, slackThreads.slackChannel],
          set: { threadTs, lastStatus, updatedAt },
        });
    },
  };
}
