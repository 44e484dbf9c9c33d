/**
 * The Workers project: test/workers/** runs inside workerd (@cloudflare/vitest-plugin)
 * against a real Postgres and Node-side peers started by test/workers/global-setup.ts.
 * `npm test` runs it beside the Node project (vitest.config.ts lists both, and runs the
 * peers' global setup: here the plugin's workerd resolve conditions would load postgres.js's
 * Workers build on Node). Run it with `vitest run --project workers`, not with `-c`.
 */
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

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
      // RULES is JSON on Workers: the YAML reader is left out of the bundle.
      './rules-yaml.js': fromRoot('./src/runtime/worker-rules-yaml.ts'),
      // zod's JSON Schema generator, never asked for by the relay: the tests run without it too.
      ...Object.fromEntries(
        [
          './to-json-schema.js',
          '../core/to-json-schema.js',
          './json-schema-generator.js',
        ].map((specifier) => [specifier, fromRoot('./src/runtime/worker-zod-json-schema.ts')]),
      ),
      './subscribe.js': fromRoot('./src/runtime/worker-postgres-subscribe.ts'),
      pino: fromRoot('./src/runtime/worker-pino.ts'),
    },
  },
  test: {
    name: 'workers',
    include: ['test/workers/**/*.test.ts'],
    // The files share one webhook receiver whose scripted answers are a single queue.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
