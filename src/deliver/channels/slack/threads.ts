/** The parent message of an order's Slack thread, and the status it currently shows. */
export interface SlackThread {
  threadTs: string;
  lastStatus: string;
}

/**
 * Where the Slack channel remembers one thread per order per Slack channel
 * (docs/design.md#data-model "slack threads"). The Postgres implementation lives with the store;
 * `createMemorySlackThreadStore` is the in-memory twin for unit tests.
 */
export interface SlackThreadStore {
  get(orderId: string, slackChannel: string): Promise<SlackThread | null>;
  /** Inserts or replaces the thread of this order in this Slack channel. */
  save(orderId: string, slackChannel: string, threadTs: string, lastStatus: string): Promise<void>;
}

/** In-memory twin of the thread store: one process, no persistence. */
export function createMemorySlackThreadStore(): SlackThreadStore & { readonly size: number } {
  const threads = new Map<string, SlackThread>();
  // A separator that cannot appear in a Slack channel id keeps keys unambiguous.
  const key = (orderId: string, slackChannel: string) => `${slackChannel}\u0000${orderId}`;
  return {
    get size() {
      return threads.size;
    },
    get: async (orderId, slackChannel) => {
      const thread = threads.get(key(orderId, slackChannel));
      return thread ? { ...thread } : null;
    },
    save: async (orderId, slackChannel, threadTs, lastStatus) => {
      threads.set(key(orderId, slackChannel), { threadTs, lastStatus });
    },
  };
}
