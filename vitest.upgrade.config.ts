import { defineConfig } from 'vitest/config';

/**
 * The rolling-upgrade test: installs the previous release (git worktree + npm ci) and runs it
 * beside this checkout on one Postgres database. Kept out of `npm test` because the install
 * keeps both cores busy (10 s on an idle machine, 25-50 s on a busy one) and the whole file
 * takes ≈ 45 s: `npm run test:upgrade` (CI runs it).
 */
export default defineConfig({
  test: {
    include: ['test/packaging/rolling-upgrade.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 600_000,
    maxWorkers: 1,
  },
});
