/**
 * One invocation of the Worker (a request, a cron run, a queue batch) and what is its own:
 * the Postgres client (workerd lets no socket outlive the invocation that opened it), the
 * callbacks it stored, the dispatcher that delivers them and the wake-ups it sends. What is
 * built once per isolate (the app, the channels: isolate.ts) reaches these through
 * `currentInvocation()`, which AsyncLocalStorage resolves to the invocation whose code is
 * running, across awaits and inside its waitUntil work, however many run at once
 * (docs/design.md#workers-lifecycle).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Db, Store } from '../../store/db.js';

/** What one invocation owns; created by scope.ts. */
export interface Invocation {
  /** The invocation's own Postgres store, opened (no connection yet) on first use. */
  store(): Store;
  /** Ids of the callbacks this invocation stored: delivered in its waitUntil. */
  readonly freshEvents: string[];
  /** Something is due at `at` (a retry, an admin action): wake the relay then. */
  wakeAt(at: Date): void;
}

const storage = new AsyncLocalStorage<Invocation>();

/** Runs `fn` as `invocation`: everything it starts, awaits or hands to waitUntil sees it. */
export function runAs<T>(invocation: Invocation, fn: () => T): T {
  return storage.run(invocation, fn);
}

/** The running invocation; throws outside one (a bug: isolate code used at module scope). */
export function currentInvocation(): Invocation {
  const invocation = storage.getStore();
  if (!invocation) throw new Error('no Worker invocation is running: isolate state used outside fetch, scheduled or queue');
  return invocation;
}

/** A property of the running invocation's drizzle database, with methods bound to it. */
function forwarded(key: string | symbol): unknown {
  const db = currentInvocation().store().db;
  const value: unknown = Reflect.get(db, key, db);
  return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(db) : value;
}

/**
 * A Store for isolate-lived code (the app, the channels' Slack threads and tickets, the
 * refusal audit): each use goes to the running invocation's own store. Closing it does
 * nothing; each invocation closes its own.
 */
export function createInvocationStore(): Store {
  const db = new Proxy({} as Db, {
    get: (_, key) => forwarded(key),
    has: (_, key) => key in currentInvocation().store().db,
    getPrototypeOf: () => Object.getPrototypeOf(currentInvocation().store().db) as object,
  });
  return {
    db,
    kind: 'postgres',
    ping: () => currentInvocation().store().ping(),
    close: async () => {},
  };
}
