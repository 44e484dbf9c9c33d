/** Applies drizzle/ migrations. Node only: the migrator reads the folder from disk. */
import { fileURLToPath } from 'node:url';
import type { Store } from './db.js';

/** drizzle/ at the package root, from src/store or dist/store alike. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

export async function migrateStore(store: Store): Promise<void> {
  const config = { migrationsFolder: MIGRATIONS_FOLDER };
  if (store.kind === 'pglite') {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    await migrate(store.db as never, config);
  } else {
    const { migrate } = await import('drizzle-orm/postgres-js/migrator');
    await migrate(store.db as never, config);
  }
}
