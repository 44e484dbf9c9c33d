/**
 * Stands in for the `zod` package entry in the Workers bundle (wrangler.toml `[alias]`).
 * zod's own `z` is a namespace of all of zod, and @hono/zod-openapi hands it as a value
 * to zod-to-openapi, so a bundler must keep every schema type, check and helper in it, and a
 * cold isolate evaluates them all: ≈ 14 ms more start-up CPU (bench/README.md#worker-cpu). This
 * `z` is a namespace of only the members listed in zod-members.ts, re-exported from zod itself:
 * same classes, same behaviour.
 * src/runtime/workers/shims/zod.test.ts fails when src/ uses a member the list lacks.
 */
import * as z from './zod-members.js';

export * from './zod-members.js';
export { z, z as default };
