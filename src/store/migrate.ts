/** Applies drizzle/ migrations. Node only: the migrator reads the folder from disk. */
import { fileURLToPath } from 'node:url';
import type { Store } from './db.js';

/** drizzle/ at the package root, from src/store or dist/store alike. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** Applies the migrations of `folder` (the package's own by default) that the store has not had. */
export async function migrateStore(store: Store, folder = MIGRATIONS_FOLDER): Promise<void> {
  const config = { migrationsFolder: folder };
  if (store.kind === 'pglite') {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    await migrate(store.db as never, config);
  } else {
    const { migrate } = await import('drizzle-orm/postgres-js/migrator');
    await migrate(store.db as never, config);
  }
}
