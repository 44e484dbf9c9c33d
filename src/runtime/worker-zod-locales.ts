/**
 * Stands in for zod's locale index in the Workers bundle (wrangler.toml `[alias]`).
 * `import { z } from 'zod'` keeps every locale (≈ 39 KiB gzip, 15 % of the budget)
 * because the `z` namespace cannot be tree-shaken; the relay only ever reports errors in
 * English, which zod configures from its own `locales/en.js`, not from this index. If
 * zod moves this file the alias stops matching and the bundle only grows (the
 * `deploy:dry-run` size check says so).
 */
export { default as en } from 'zod/v4/locales/en.js';
