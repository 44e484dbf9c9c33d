import { defineConfig } from 'vitest/config';

/**
 * The browser test: a real relay, a real chromium (Debian's, driven by playwright-core).
 * Kept out of `npm test` so the main suite needs no browser: `npm run test:browser`.
 */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.browser.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One browser at a time on a two-core machine.
    maxWorkers: 1,
  },
});
