/**
 * Opening the database: postgres.js for a Postgres URL, PGlite (embedded) otherwise.
 * Both give the same drizzle API, so every repository has one code path.
 */
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import type { Sql } from 'postgres';
import { schema } from './schema.js';

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A transaction or the database itself: repositories accept either. */
export type DbOrTx = Pick<Db, 'select' | 'insert' | 'update' | 'delete' | 'execute' | 'transaction'>;

export type StoreKind = 'postgres' | 'pglite';

export interface Store {
  readonly db: Db;
  readonly kind: StoreKind;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface PostgresStoreOptions {
  url: string;
  /** Pool size. @default 10 */
  max?: number;
  /** Seconds to wait for a connection before failing (the receiver answers 503); fractions allowed. @default 5 */
  connectTimeoutS?: number;
  /** Disable prepared statements (PgBouncer in transaction mode, Hyperdrive). @default true */
  prepare?: boolean;
  /**
   * Look up array types on connect. A client per request (Workers) turns this off to save a
   * round trip; the schema has no Postgres arrays. @default true
   */
  fetchTypes?: boolean;
}

/**
 * Most statement texts postgres.js keeps prepared (per connection, and on the server): the
 * hot ones repeat from the start; texts past the bound (lists of varying length) run unnamed.
 */
const MAX_PREPARED_TEXTS = 200;

/**
 * drizzle runs every statement unnamed (`prepare: false`), for which postgres.js first sends
 * Parse/Describe and waits for the parameter types before it sends Bind/Execute: two round
 * trips per statement. A prepared statement pays that once per connection, then one.
 */
function preparing(client: Sql): Sql {
  const texts = new Set<string>();
  const unsafe: Sql['unsafe'] = (query, parameters, queryOptions) => {
    if (!texts.has(query) && texts.size < MAX_PREPARED_TEXTS) texts.add(query);
    return client.unsafe(query, parameters, { ...queryOptions, prepare: texts.has(query) });
  };
  return new Proxy(client, { get: (target, key, receiver) => (key === 'unsafe' ? unsafe : Reflect.get(target, key, receiver)) });
}

export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const client = postgres(options.url, {
    max: options.max ?? 10,
    connect_timeout: options.connectTimeoutS ?? 5,
    idle_timeout: 30,
    prepare: options.prepare ?? true,
    fetch_types: options.fetchTypes ?? true,
    onnotice: () => {},
  });
  const db = drizzle(options.prepare === false ? client : preparing(client), { schema }) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: () => client.end({ timeout: 5 }),
  };
}
