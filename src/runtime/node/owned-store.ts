/**
 * Opening the store from a Node process: on PGlite the data folder is locked first, so a
 * second process on the same folder is refused before it touches the database.
 */
import type { Env } from '../../config/env.js';
import type { Store } from '../../store/db.js';
import { openStore } from '../../store/open.js';
import { acquireDataDirLock, type DataDirLock, type LockHolder } from './data-dir-lock.js';

export interface OwnedStore {
  store: Store;
  /** PGlite only: this process's hold on DATA_DIR. */
  lock: DataDirLock | null;
  /** Closes the store, then releases the folder. */
  close(): Promise<void>;
}

/**
 * Opens (and migrates) the store; on PGlite, holds DATA_DIR for `who` first and throws
 * DataDirHeldError naming the process that holds it.
 */
export async function openOwnedStore(
  env: Pick<Env, 'DATABASE_URL' | 'DATA_DIR' | 'DATABASE_POOL_SIZE' | 'DATABASE_CONNECT_TIMEOUT'>,
  who: { command: string; api?: LockHolder['api'] },
  options: { poolSize?: number } = {},
): Promise<OwnedStore> {
  const embeddedFolder = !env.DATABASE_URL && !env.DATA_DIR.startsWith('memory://');
  const lock = embeddedFolder ? await acquireDataDirLock(env.DATA_DIR, who) : null;
  let store: Store;
  try {
    store = await openStore({
      databaseUrl: env.DATABASE_URL,
      dataDir: env.DATA_DIR,
      poolSize: options.poolSize ?? env.DATABASE_POOL_SIZE,
      connectTimeoutS: env.DATABASE_CONNECT_TIMEOUT / 1000,
    });
  } catch (error) {
    await lock?.release();
    throw error;
  }
  return {
    store,
    lock,
    async close() {
      try {
        await store.close();
      } finally {
        await lock?.release();
      }
    },
  };
}

/** Where a CLI on this machine reaches the admin API of a server bound to `host:port`. */
export function localApiUrl(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '::' || host === '' || host === '*') return `http://127.0.0.1:${port}`;
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}
