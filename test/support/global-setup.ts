/**
 * Runs on Node once before the Node project's files, when TEST_DATABASE_URL is set: one
 * migrated template database; test/support/store.ts makes each Postgres test store with
 * CREATE DATABASE … TEMPLATE of it instead of migrating a fresh database again. It reads the
 * template's name through `inject`; without it (another configuration) it migrates, as before.
 */
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { openPostgresStore } from '../../src/store/db.js';
import { migrateStore } from '../../src/store/migrate.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The migrated template database on TEST_DATABASE_URL's server; null without one. */
    postgresTemplate: string | null;
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl || !project.vitest.projects.some((p) => p.name === 'node')) return async () => {};
  const name = `colt_test_tmpl_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const store = await openPostgresStore({ url: withDatabase(adminUrl, name), max: 1 });
  await migrateStore(store);
  // CREATE DATABASE … TEMPLATE refuses while anyone is connected to the template.
  await store.close();
  project.provide('postgresTemplate', name);
  return async () => {
    await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  };
}
