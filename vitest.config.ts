import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // test/browser needs chromium: `npm run test:browser` (vitest.browser.config.ts).
    exclude: ['test/workers/**', 'test/browser/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Files share one machine with two cores and a Postgres server.
    maxWorkers: 2,
  },
});
