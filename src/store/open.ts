import { storeOpenError } from './connection-errors.js';
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
  /** Seconds a Postgres connection attempt may take. @default 5 */
  connectTimeoutS?: number;
  /** Apply migrations after opening. @default true */
  migrate?: boolean;
}

/**
 * Opens Postgres or PGlite and brings the schema up to date. Node only. A failure is a
 * StoreOpenError naming the setting (password hidden) and the cause.
 */
export async function openStore(options: OpenStoreOptions): Promise<Store> {
  let store: Store | undefined;
  try {
    store = options.databaseUrl
      ? await openPostgresStore({
          url: options.databaseUrl,
          max: options.poolSize ?? 10,
          ...(options.connectTimeoutS !== undefined && { connectTimeoutS: options.connectTimeoutS }),
        })
      : await (await import('./pglite.js')).openPgliteStore({ dataDir: options.dataDir ?? './data' });
    if (options.migrate ?? true) await migrateStore(store);
    return store;
  } catch (error) {
    await store?.close().catch(() => {});
    throw storeOpenError(error, options);
  }
}
