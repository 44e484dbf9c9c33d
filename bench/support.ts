/** What the benchmarks share: a throwaway, migrated Postgres database. */
import postgres from 'postgres';
import { openPostgresStore } from '../src/store/db.js';
import { migrateStore } from '../src/store/migrate.js';

/** BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local server. */
export const BENCH_BASE_URL =
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Creates (and, unless `migrate: false`, migrates) a fresh database beside BENCH_BASE_URL's; drop() removes it. */
export async function createBenchDatabase(options: { migrate?: boolean } = {}): Promise<BenchDatabase> {
  const name = `colt_bench_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  const admin = postgres(BENCH_BASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const u = new URL(BENCH_BASE_URL);
  u.pathname = `/${name}`;
  if (options.migrate ?? true) {
    const store = await openPostgresStore({ url: u.toString(), max: 1 });
    await migrateStore(store);
    await store.close();
  }
  return {
    url: u.toString(),
    drop: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
