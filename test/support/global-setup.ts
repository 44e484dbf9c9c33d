/**
 * Runs on Node once before the Node project's files, when TEST_DATABASE_URL is set: one
 * migrated template database; test/support/store.ts makes each Postgres test store with
 * CREATE DATABASE … TEMPLATE of it instead of migrating a fresh database again. It reads the
 * template's name through `inject`; without it (another configuration) it migrates, as before.
 */
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { createMigratedTemplate, dropDatabase } from './template-db.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The migrated template database on TEST_DATABASE_URL's server; null without one. */
    postgresTemplate: string | null;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl || !project.vitest.projects.some((p) => p.name === 'node')) return async () => {};
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const name = await createMigratedTemplate(admin, adminUrl, 'colt_test_tmpl');
  project.provide('postgresTemplate', name);
  return async () => {
    await dropDatabase(admin, name);
    await admin.end();
  };
}
