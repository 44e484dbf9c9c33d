/**
 * Runs on Node before the Workers tests: migrates a template database with the Node
 * migrator (the Worker never migrates; `colt-relay migrate` does), starts the peers, and
 * hands their URLs to the tests inside workerd through `provide`/`inject`, with the OpenAPI
 * document and /docs page as Node serves them (the Worker must serve the same).
 *
 * Without TEST_DATABASE_URL the tests cannot run. In CI (CI=true) that is an error;
 * locally the suite is skipped with a message that says so.
 */
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { parseEnv } from '../../../src/config/env.js';
import { createAdminRoutes } from '../../../src/http/admin/admin.routes.js';
import { createAuthThrottle } from '../../../src/http/auth-throttle.js';
import { systemClock } from '../../../src/lib/clock.js';
import { createSilentLogger } from '../../../src/lib/logger.js';
import type { Store } from '../../../src/store/db.js';
import type { CallbackWriter } from '../../../src/store/ingest.js';
import type { RefusalRecorder } from '../../../src/store/refusal-recorder.js';
import { copyTemplate, createMigratedTemplate, dropDatabase, uniqueDatabaseName, withDatabase } from '../../support/template-db.js';
import { startPeers, type DatabaseFactory, type PeerUrls } from './support/peers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    workersPeers: PeerUrls;
    /** False when TEST_DATABASE_URL is not set (local runs only). */
    workersDatabase: boolean;
    /** A migrated database behind the pool's HYPERDRIVE binding; null without Postgres. */
    workersHyperdriveUrl: string | null;
    /** GET /openapi.json and GET /docs of the Node app (JSON and HTML). */
    nodeApiDocs: { openapi: unknown; docs: string };
  }
}

const NO_DATABASE = 'TEST_DATABASE_URL is not set: the Workers tests need a real Postgres and cannot run';

/** Hyperdrive bindings insist on a password; a server with trust authentication ignores it. */
function withPassword(url: string): string {
  const u = new URL(url);
  if (!u.password) u.password = 'unused-with-trust-auth';
  return u.toString();
}

/** A migrated template; each test file gets a copy (CREATE DATABASE … TEMPLATE is fast). */
async function createDatabaseFactory(adminUrl: string): Promise<DatabaseFactory & { close(): Promise<void> }> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  const template = await createMigratedTemplate(admin, adminUrl, 'colt_workers_tmpl');
  const created = new Set<string>();
  return {
    create: async () => {
      const name = uniqueDatabaseName('colt_workers');
      await copyTemplate(admin, template, name);
      created.add(name);
      return withDatabase(adminUrl, name);
    },
    drop: async (url) => {
      const name = new URL(url).pathname.slice(1);
      if (!created.delete(name)) return;
      await dropDatabase(admin, name);
    },
    close: async () => {
      for (const name of [...created, template]) await dropDatabase(admin, name);
      await admin.end();
    },
  };
}

/** /openapi.json and /docs as Node serves them (createApp mounts these admin routes at /). */
async function nodeApiDocs(): Promise<{ openapi: unknown; docs: string }> {
  // Built from the route schemas alone: neither page may touch the store.
  const untouched = new Proxy({}, {
    get: (_, key) => {
      throw new Error(`building /openapi.json or /docs used the store (${String(key)})`);
    },
  });
  const app = createAdminRoutes({
    env: parseEnv({ DATABASE_URL: 'postgres://unused@127.0.0.1:1/none' }),
    store: untouched as Store,
    writer: untouched as CallbackWriter,
    refusals: untouched as RefusalRecorder,
    clock: systemClock,
    logger: createSilentLogger(),
    authThrottle: createAuthThrottle({ clock: systemClock }),
    socketAddress: () => null,
    clientAddress: () => null,
    attemptAddresses: () => [null],
  });
  const [openapi, docs] = await Promise.all([app.request('/openapi.json'), app.request('/docs')]);
  if (!openapi.ok || !docs.ok) throw new Error(`the Node app answered /openapi.json ${openapi.status}, /docs ${docs.status}`);
  return { openapi: await openapi.json(), docs: await docs.text() };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!project.vitest.projects.some((p) => p.name === 'workers')) return async () => {};
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    if (process.env.CI && !['false', '0'].includes(process.env.CI)) throw new Error(`${NO_DATABASE} (CI=${process.env.CI}); set TEST_DATABASE_URL`);
    console.warn(`\n!!! ${NO_DATABASE}: every Workers test is SKIPPED.\n!!! Set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run them.\n`);
  }
  const databases = adminUrl ? await createDatabaseFactory(adminUrl) : null;
  const peers = await startPeers(databases);
  project.provide('workersPeers', peers.urls);
  project.provide('workersDatabase', databases !== null);
  project.provide('nodeApiDocs', await nodeApiDocs());
  // Miniflare builds the HYPERDRIVE binding once, before any test file runs: its database is made here.
  project.provide('workersHyperdriveUrl', databases ? withPassword(await databases.create()) : null);
  return async () => {
    await peers.close();
    await databases?.close();
  };
}
