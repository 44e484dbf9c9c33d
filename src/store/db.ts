/**
 * Opening the database: postgres.js for a Postgres URL, PGlite (embedded) otherwise.
 * Both give the same drizzle API, so every repository has one code path.
 */
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
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
  /** Seconds to wait for a connection before failing (the receiver answers 503). @default 5 */
  connectTimeoutS?: number;
  /** Disable prepared statements (PgBouncer in transaction mode, Hyperdrive). @default true */
  prepare?: boolean;
  /**
   * Look up array types on connect. A client per request (Workers) turns this off to save a
   * round trip; the schema has no Postgres arrays. @default true
   */
  fetchTypes?: boolean;
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
  const db = drizzle(client, { schema }) as unknown as Db;
  return {
    db,
    kind: 'postgres',
    ping: async () => {
      await db.execute(sql`select 1`);
    },
    close: () => client.end({ timeout: 5 }),
  };
}
