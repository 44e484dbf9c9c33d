/**
 * Real databases for tests: an in-memory PGlite restored from a migrated snapshot
 * (≈ 0.7 s instead of ≈ 4.5 s for initdb and migrations; made once per test process, which
 * the Node project shares between files: isolate is off), and, when TEST_DATABASE_URL is
 * set, a fresh Postgres database per call, copied from a migrated template made once per run
 * by test/support/global-setup.ts (without it, as in another configuration, migrated anew),
 * dropped on close.
 */
import type { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, inject } from 'vitest';
import postgres from 'postgres';
import type { Store, StoreKind } from '../../src/store/db.js';
import { openPostgresStore } from '../../src/store/db.js';
import { openPgliteStore } from '../../src/store/pglite.js';
import { migrateStore } from '../../src/store/migrate.js';
import { copyTemplate, dropDatabase, uniqueDatabaseName, withDatabase } from './template-db.js';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;

/** The backends every store-touching suite runs against. */
export const STORE_KINDS: StoreKind[] = TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

if (!TEST_DATABASE_URL && !process.env.COLT_RELAY_QUIET_PG_NOTICE) {
  process.env.COLT_RELAY_QUIET_PG_NOTICE = '1';
  console.warn('TEST_DATABASE_URL is not set: Postgres variants of the store tests do not run (PGlite only).');
}

let snapshot: Promise<Blob> | undefined;

async function migratedSnapshot(): Promise<Blob> {
  snapshot ??= (async () => {
    const store = await openPgliteStore({ dataDir: 'memory://' });
    await migrateStore(store);
    const client = (store.db as unknown as { $client: PGlite }).$client;
    const blob = await client.dumpDataDir('none');
    await store.close();
    return blob;
  })();
  return snapshot;
}

export interface TestStore extends Store {
  /** Postgres only: the URL of this test's own database. */
  url?: string;
}

/** A migrated, empty store of the given kind. Close it to free (and drop) it. */
export async function createTestStore(kind: StoreKind, options: { poolSize?: number } = {}): Promise<TestStore> {
  if (kind === 'pglite') {
    return openPgliteStore({ dataDir: 'memory://', loadDataDir: await migratedSnapshot() });
  }
  if (!TEST_DATABASE_URL) throw new Error('TEST_DATABASE_URL is required for Postgres tests');
  const name = uniqueDatabaseName('colt_test');
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  const template = inject('postgresTemplate');
  if (template) await copyTemplate(admin, template, name);
  else await admin.unsafe(`create database ${name}`);
  const url = withDatabase(TEST_DATABASE_URL, name);
  const store = await openPostgresStore({ url, max: options.poolSize ?? 10 });
  if (!template) await migrateStore(store);
  return {
    ...store,
    url,
    close: async () => {
      await store.close();
      await dropDatabase(admin, name);
      await admin.end();
    },
  };
}

export { withDatabase };

/**
 * One migrated store for the enclosing describe block: opened before its tests, closed
 * after them. The returned handle forwards to the store once it is open.
 */
export function useTestStore(kind: StoreKind): TestStore {
  let store: TestStore | undefined;
  beforeAll(async () => {
    store = await createTestStore(kind);
  });
  afterAll(async () => {
    await store?.close();
  });
  const open = (): TestStore => {
    if (!store) throw new Error('the test store opens in beforeAll');
    return store;
  };
  return {
    kind,
    get db() {
      return open().db;
    },
    get url() {
      return open().url;
    },
    ping: () => open().ping(),
    close: () => open().close(),
  };
}

/**
 * A temporary PGlite data folder, already migrated (restored from the snapshot: no initdb),
 * for tests that start relay processes on a DATA_DIR. Remove it with `rm`.
 */
export async function createPgliteDataDir(parent: string): Promise<string> {
  const { mkdtemp } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const dir = await mkdtemp(join(parent, 'colt-relay-data-'));
  const store = await openPgliteStore({ dataDir: dir, loadDataDir: await migratedSnapshot() });
  await store.close();
  return dir;
}
