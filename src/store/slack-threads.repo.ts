/**
 * Slack threads (`slack_threads`): the parent message of an order in a Slack channel, so
 * every later status of the order is posted as a reply in one thread.
 */
import { and, eq } from 'drizzle-orm';
import type { SlackThreadStore } from '../deliver/channels/slack/threads.js';
import type { Clock } from '../lib/clock.js';
import type { DbOrTx } from './db.js';
import { slackThreads } from './schema.js';

export type { SlackThreadStore };

/** A SlackThreadStore over the database; `save` upserts on (order id, Slack channel). */
export function createSlackThreadStore(db: DbOrTx, clock: Clock): SlackThreadStore {
  return {
    async get(orderId, slackChannel) {
      const [row] = await db
        .select({ threadTs: slackThreads.threadTs, lastStatus: slackThreads.lastStatus })
        .from(slackThreads)
        .where(and(eq(slackThreads.orderId, orderId), eq(slackThreads.slackChannel, slackChannel)));
      return row ?? null;
    },
    async save(orderId, slackChannel, threadTs, lastStatus) {
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
