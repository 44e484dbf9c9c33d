import { defineConfig } from 'vitest/config';

/**
 * `npm test` (= `vitest run`): two projects in one run.
 *   node     src/**, test/** on Node (PGlite, and Postgres when TEST_DATABASE_URL is set)
 *   workers  test/runtime/workers/** inside workerd (vitest.workers.config.ts; needs TEST_DATABASE_URL,
 *            and fails rather than skips without it when CI=true)
 * test/browser needs chromium: `npm run test:browser` (vitest.browser.config.ts).
 * test/packaging/rolling-upgrade.test.ts installs the previous release: `npm run test:upgrade`
 * (vitest.upgrade.config.ts).
 * test/deploy needs Debian's promtool and prometheus (`apt-get install prometheus`) and fails without them.
 * `vitest run --project node` runs one of them.
 */
/**
 * Rejections postgres.js's workerd socket polyfill (postgres/cf/polyfills.js) leaves unhandled
 * in the Workers project, upstream bugs that do not affect results: a read that goes on after
 * the client closed the socket (docs/design.md#platform-notes; older and newer workerd word it differently),
 * and, when Postgres cannot be reached (the store_unavailable test), the writer's `ready`
 * promise. Only these exact messages are ignored; any other unhandled error fails the run.
 * (Vitest takes this hook from the root configuration only.)
 */
const POSTGRES_POLYFILL_REJECTIONS = new Set([
  'Stream was cancelled.',
  'This socket has been closed.',
  'proxy request failed, cannot connect to the specified address',
]);

export default defineConfig({
  test: {
    // Files share one machine with two cores and a Postgres server.
    maxWorkers: 2,
    // The Node project's migrated Postgres template (test/support/store.ts copies it), and the
    // Workers project's Node-side peers and database; each does nothing when its project is
    // filtered out. Declared here because the root resolves modules as Node does.
    globalSetup: ['test/support/global-setup.ts', 'test/runtime/workers/global-setup.ts'],
    onUnhandledError(error) {
      if (POSTGRES_POLYFILL_REJECTIONS.has(error.message)) return false;
    },
    projects: [
      {
        test: {
          name: 'node',
          // Files of one worker process share loaded modules: each file would otherwise load
          // PGlite, drizzle, hono… again, and make the migrated PGlite snapshot again (≈ 4.5 s).
          // vi.mock and spies are still reset between files.
          isolate: false,
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['test/runtime/workers/**', 'test/browser/**', 'test/packaging/rolling-upgrade.test.ts', 'node_modules/**'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      './vitest.workers.config.ts',
    ],
  },
});
