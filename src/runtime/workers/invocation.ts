/**
 * One invocation of the Worker (a request, a cron run, a queue batch) and what is its own:
 * the Postgres client (workerd lets no socket outlive the invocation that opened it), the
 * callbacks it stored, the wake-ups it sends. What is built once per isolate (the app, the
 * channels, drizzle: isolate.ts) reaches these through `currentInvocation()`, which
 * AsyncLocalStorage resolves to the invocation whose code is running, across awaits and
 * inside its waitUntil work, however many run at once (docs/design.md#workers-lifecycle).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres, { type Sql } from 'postgres';
import type { Db, Store } from '../../store/db.js';
import { schema } from '../../store/schema.js';

/** What one invocation owns; created by scope.ts. */
export interface Invocation {
  /** The invocation's own Postgres client, made (not yet connected) on first use. */
  sql(): Sql;
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

/** The running invocation; throws outside one (a bug: isolate state used at module scope). */
export function currentInvocation(): Invocation {
  const invocation = storage.getStore();
  if (!invocation) throw new Error('no Worker invocation is running: isolate state used outside fetch, scheduled or queue');
  return invocation;
}

/**
 * The client drizzle is built on: the part of postgres.js drizzle calls (`unsafe`, `begin`),
 * each call made on the running invocation's client. drizzle sets its type parsers on it
 * once; every invocation's client is given the same (`createInvocationClient`).
 */
const forwardingClient = {
  options: { parsers: {} as Record<string, unknown>, serializers: {} as Record<string, unknown> },
  unsafe: (...args: Parameters<Sql['unsafe']>) => currentInvocation().sql().unsafe(...args),
  begin: (...args: Parameters<Sql['begin']>) => currentInvocation().sql().begin(...args),
};

/** drizzle over the forwarding client: built once per isolate, its schema and dialect with it. */
let isolateDb: Db | null = null;

/**
 * The Store of isolate-lived code (the app, the dispatchers, the channels' Slack threads and
 * tickets, the refusal audit): every statement runs on the running invocation's client.
 * Closing it does nothing; each invocation closes its own client.
 */
export function invocationStore(): Store {
  isolateDb ??= drizzle(forwardingClient as unknown as Sql, { schema }) as unknown as Db;
  const db = isolateDb;
  return {
    db,
    kind: 'postgres',
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: async () => {},
  };
}

export interface InvocationClientOptions {
  url: string;
  /** Connections at most. */
  max: number;
  /** Seconds to wait for a connection. */
  connectTimeoutS: number;
}

/**
 * An invocation's postgres.js client: no connection until its first statement; array types
 * are not looked up (a round trip the schema does not need); statements run unnamed (a
 * connection lives one invocation, so none would be reused); no idle or lifetime timer (the
 * invocation ends it: postgres.js would otherwise re-arm a timer after every statement);
 * drizzle's type parsers set.
 */
export function createInvocationClient(options: InvocationClientOptions): Sql {
  invocationStore();
  const client = postgres(options.url, {
    max: options.max,
    connect_timeout: options.connectTimeoutS,
    idle_timeout: 0,
    max_lifetime: 0,
    prepare: false,
    fetch_types: false,
    onnotice: () => {},
  });
  Object.assign(client.options.parsers, forwardingClient.options.parsers);
  Object.assign(client.options.serializers, forwardingClient.options.serializers);
  return client;
}
