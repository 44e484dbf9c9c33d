import type { Store } from './db.js';
import { openPostgresStore } from './db.js';
import { migrateStore } from './migrate.js';

export interface OpenStoreOptions {
  /** Postgres URL; absent → embedded PGlite in dataDir. */
  databaseUrl?: string;
  /** @default "./data" */
  dataDir?: string;
  /** Postgres pool size. @default 10 */
  poolSize?: number;
  /** Apply migrations after opening. @default true */
  migrate?: boolean;
}

/** Opens Postgres or PGlite and brings the schema up to date. Node only. */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  const store = options.databaseUrl
    ? await openPostgresStore({ url: options.databaseUrl, max: options.poolSize ?? 10 })
    : await (await import('./pglite.js')).openPgliteStore({ dataDir: options.dataDir ?? './data' });
  if (options.migrate ?? true) await migrateStore(store);
  return store;
}
