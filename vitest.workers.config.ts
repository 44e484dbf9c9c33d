/**
 * The Workers project: test/runtime/workers/** runs inside workerd (@cloudflare/vitest-plugin)
 * against a real Postgres and Node-side peers started by test/runtime/workers/global-setup.ts.
 * `npm test` runs it beside the Node project (vitest.config.ts lists both, and runs the
 * peers' global setup: here the plugin's workerd resolve conditions would load postgres.js's
 * Workers build on Node). Run it with `vitest run --project workers`, not with `-c`.
 */
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { unstable_readConfig } from 'wrangler';
import { peerBindings } from './test/runtime/workers/support/bindings.js';

const fromRoot = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => {
      const hyperdriveUrl = inject('workersHyperdriveUrl');
      return {
        main: './src/runtime/workers/worker.ts',
        // compatibility_date, nodejs_compat and the wake-up queue come from the deployed configuration.
        wrangler: { configPath: './wrangler.toml' },
        // A local Hyperdrive in front of a test database, as `wrangler dev` provides one, and
        // the vars the peers need: the runtime calls the queue consumer with these bindings.
        miniflare: hyperdriveUrl
          ? { hyperdrives: { HYPERDRIVE: hyperdriveUrl }, bindings: peerBindings(inject('workersPeers'), '') }
          : {},
      };
    }),
  ],
  resolve: {
    // The substitutions wrangler.toml's [alias] makes for the deployed bundle, read from it so
    // the tests run what is deployed. wrangler matches whole import paths; so do these (a
    // plain string would also catch `zod/v4` for `zod`).
    alias: Object.entries<string>(unstable_readConfig({ config: fromRoot('./wrangler.toml') }).alias ?? {}).map(([specifier, target]) => ({
      find: new RegExp(`^${specifier.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
      replacement: fromRoot(target),
    })),
  },
  test: {
    name: 'workers',
    include: ['test/runtime/workers/**/*.test.ts'],
    // The files share one webhook receiver whose scripted answers are a single queue.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
