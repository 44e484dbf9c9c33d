/**
 * The members of zod's `z` the relay uses, for the Workers bundle's `z`
 * (src/runtime/workers/shims/zod.ts). `ZodType` is also what @hono/zod-openapi and zod-to-openapi
 * read (they add `.openapi()` to its prototype). Using `z.<member>` in src/ without adding
 * it here fails src/runtime/workers/shims/zod.test.ts; on Workers it would be undefined.
 * Imported from `zod/v4`, the same module `zod` re-exports (an alias matches `zod` only).
 */
export {
  array,
  boolean,
  coerce,
  email,
  enum,
  int,
  literal,
  NEVER,
  number,
  object,
  preprocess,
  record,
  strictObject,
  string,
  union,
  unknown,
  url,
  ZodObject,
  ZodType,
} from 'zod/v4';
