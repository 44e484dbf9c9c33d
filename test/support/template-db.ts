/**
 * Postgres test databases copied from one migrated template (CREATE DATABASE … TEMPLATE takes
 * a fraction of a migration): the Node project's global setup and test stores and the Workers
 * project's setup share these. Runs on Node, without vitest.
 */
import type postgres from 'postgres';
import { openPostgresStore } from '../../src/store/db.js';
import { migrateStore } from '../../src/store/migrate.js';

/** The URL of another database on the same server. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** A database name of this prefix no other test run uses. */
export const uniqueDatabaseName = (prefix: string): string => `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;

/** Creates and migrates a database to copy from; `admin` is a client of the server's. Returns its name. */
export async function createMigratedTemplate(admin: postgres.Sql, adminUrl: string, prefix: string): Promise<string> {
  const name = uniqueDatabaseName(prefix);
  await admin.unsafe(`create database ${name}`);
  const store = await openPostgresStore({ url: withDatabase(adminUrl, name), max: 1 });
  try {
    await migrateStore(store);
  } finally {
    // CREATE DATABASE … TEMPLATE refuses while anyone is connected to the template.
    await store.close();
  }
  return name;
}

/**
 * CREATE DATABASE `name` TEMPLATE `template`, one copy at a time across the run's processes:
 * Postgres refuses a template that another copy is reading. `admin` must hold one connection
 * (`max: 1`): the advisory lock is its session's.
 */
export async function copyTemplate(admin: postgres.Sql, template: string, name: string): Promise<void> {
  await admin`select pg_advisory_lock(hashtext(${template}))`;
  try {
    await admin.unsafe(`create database ${name} template ${template}`);
  } finally {
    await admin`select pg_advisory_unlock(hashtext(${template}))`;
  }
}

/** Drops a test database, whoever is still connected to it. */
export async function dropDatabase(admin: postgres.Sql, name: string): Promise<void> {
  await admin.unsafe(`drop database if exists ${name} with (force)`);
}
