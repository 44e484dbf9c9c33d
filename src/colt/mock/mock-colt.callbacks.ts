/**
 * Order lifecycle of the simulator: "raised" callback at once, then after a delay the
 * order settles and the final callback goes out. Callbacks for one order are sent in
 * order; each is tried a few times so a receiver that starts late still gets them.
 */
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { FetchFn } from '../colt-http.js';
import { basicAuthorization } from '../token-cache.js';
import { callbackBody } from './mock-colt.bodies.js';
import { settleOrder } from './mock-colt.inventory.js';
import type { CallbackShape, MockColtState, MockOrder, MockOrderStatus, MockScheduler } from './mock-colt.types.js';

export interface LifecycleOptions {
  state: MockColtState;
  clock: Clock;
  logger: Logger;
  schedule: MockScheduler;
  fetch: FetchFn;
  callbackUrl: string | undefined;
  callbackToken: string | undefined;
  callbackBasic: string | undefined;
  callbackShape: CallbackShape;
  completeAfterMs: number;
  callbackAttempts: number;
  callbackRetryDelayMs: number;
  trackingHeader: string;
  /** Fraction of orders whose final callback is dropped. */
  dropCallbacks: number;
  random: () => number;
}

export interface Lifecycle {
  /** Starts an order's callbacks and settlement in the background. */
  start(order: MockOrder): void;
  /** Resolves when every started order has settled and its callbacks are done. */
  idle(): Promise<void>;
  /** Sends the final callbacks dropped so far, late (the "lost" callback turning up after all). */
  sendDropped(): Promise<void>;
  /** Cancels pending delays; unfinished orders stay as they are. */
  close(): void;
}

const CALLBACK_TIMEOUT_MS = 10_000;

/** The Authorization header the simulator's notifications carry (callback token or Basic). */
export function authorization(options: Pick<LifecycleOptions, 'callbackToken' | 'callbackBasic'>): Record<string, string> {
  if (options.callbackToken) return { authorization: `Bearer ${options.callbackToken}` };
  if (options.callbackBasic) {
    const at = options.callbackBasic.indexOf(':');
    return { authorization: basicAuthorization(options.callbackBasic.slice(0, at), options.callbackBasic.slice(at + 1)) };
  }
  return {};
}

export function createLifecycle(options: LifecycleOptions): Lifecycle {
  const { state, clock, logger } = options;
  const jobs = new Set<Promise<void>>();
  const pending = new Set<{ cancel: () => void; resolve: () => void }>();
  let closed = false;

  const delay = (ms: number) =>
    new Promise<void>((resolve) => {
      const entry = { cancel: () => {}, resolve };
      entry.cancel = options.schedule(() => {
        pending.delete(entry);
        resolve();
      }, ms);
      pending.add(entry);
    });

  async function post(url: string, order: MockOrder, status: MockOrderStatus): Promise<void> {
    const body = callbackBody(options.callbackShape, order, status, {
      eventId: crypto.randomUUID(),
      eventTime: new Date(clock.now()).toISOString(),
    });
    for (let attempt = 1; attempt <= options.callbackAttempts && !closed; attempt++) {
      const record = { orderId: order.orderId, status, attempt, httpStatus: null as number | null, error: null as string | null, body };
      try {
        const response = await options.fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'user-agent': 'colt-relay-mock-colt',
            [options.trackingHeader]: crypto.randomUUID(),
            ...authorization(options),
          },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(CALLBACK_TIMEOUT_MS),
        });
        await response.arrayBuffer();
        record.httpStatus = response.status;
      } catch (error) {
        record.error = error instanceof Error ? error.message : String(error);
      }
      state.callbacks.push(record);
      const ok = record.httpStatus !== null && record.httpStatus >= 200 && record.httpStatus < 300;
      logger.info({ orderId: order.orderId, status, attempt, httpStatus: record.httpStatus, error: record.error }, 'mock-colt callback');
      if (ok) return;
      if (attempt < options.callbackAttempts) await delay(options.callbackRetryDelayMs);
    }
  }

  async function run(order: MockOrder): Promise<void> {
    const url = options.callbackUrl;
    if (url) await post(url, order, 'raised');
    await delay(options.completeAfterMs);
    if (closed) return;
    settleOrder(order, order.outcome, new Date(clock.now()).toISOString());
    logger.info({ orderId: order.orderId, status: order.status }, 'mock-colt order settled');
    if (options.dropCallbacks > 0 && options.random() < options.dropCallbacks) {
      state.dropped.push({ orderId: order.orderId, status: order.status });
      logger.info({ orderId: order.orderId, status: order.status }, 'mock-colt callback dropped (--drop-callbacks)');
      return;
    }
    if (url) await post(url, order, order.status);
  }

  return {
    start(order) {
      const job = run(order).catch((error: unknown) => logger.error({ err: error, orderId: order.orderId }, 'mock-colt lifecycle failed'));
      jobs.add(job);
      void job.finally(() => jobs.delete(job));
    },
    async idle() {
      while (jobs.size > 0) await Promise.allSettled([...jobs]);
    },
    async sendDropped() {
      const url = options.callbackUrl;
      const late = state.dropped.splice(0);
      for (const { orderId, status } of late) {
        const order = state.orders.get(orderId);
        if (url && order) await post(url, order, status);
      }
    },
    close() {
      closed = true;
      for (const entry of pending) {
        entry.cancel();
        entry.resolve();
      }
      pending.clear();
    },
  };
}
