/**
 * The Workers suite: test/workers/** runs inside workerd (@cloudflare/vitest-pool-workers)
 * against a real Postgres and Node-side peers started by test/workers/global-setup.ts.
 * `npm test` runs it after the Node suite.
 */
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const POSTGRES_POLYFILL_REJECTIONS = new Set([
  'Stream was cancelled.',
  'proxy request failed, cannot connect to the specified address',
]);

const fromRoot = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => {
      const hyperdriveUrl = inject('workersHyperdriveUrl');
      return {
        main: './src/runtime/worker.ts',
        // compatibility_date and nodejs_compat come from the deployed configuration.
        wrangler: { configPath: './wrangler.toml' },
        // A local Hyperdrive in front of a test database, as `wrangler dev` provides one.
        miniflare: hyperdriveUrl ? { hyperdrives: { HYPERDRIVE: hyperdriveUrl } } : {},
      };
    }),
  ],
  resolve: {
    // The same substitutions wrangler.toml's [alias] makes for the deployed bundle.
    alias: {
      nodemailer: fromRoot('./src/runtime/worker-nodemailer-stub.ts'),
      '@slack/web-api': fromRoot('./src/deliver/channels/slack-fetch.ts'),
    },
  },
  test: {
    include: ['test/workers/**/*.test.ts'],
    globalSetup: ['test/workers/global-setup.ts'],
    // The files share one webhook receiver whose scripted answers are a single queue.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    onUnhandledError(error) {
      // Two rejections postgres.js's workerd socket polyfill (postgres/cf/polyfills.js) leaves
      // unhandled, both upstream bugs that do not affect results: a read that goes on after the
      // client closed the socket (DESIGN.md §7), and, when Postgres cannot be reached (the
      // store_unavailable test), the writer's `ready` promise. Only these exact messages are
      // ignored; any other unhandled error still fails the run.
      if (POSTGRES_POLYFILL_REJECTIONS.has(error.message)) return false;
    },
  },
});
