/**
 * Stands in for zod's `core/compile.js` and `classic/from-json-schema.js` in the Workers
 * bundle (wrangler.toml `[alias]`), ≈ 13 KiB gzip the relay never calls: `z.compile` builds
 * parsers with `new Function` (which workerd refuses) and `z.fromJSONSchema` reads JSON
 * Schema. Exports the names zod re-exports from those files; calling one throws. If zod
 * renames them the bundle build fails and says which name is missing.
 */
function unavailable(name: string): never {
  throw new Error(`zod ${name} is not included in the Worker bundle`);
}

export const INVALID = Symbol.for('zod.compile.invalid');
export class ZodCompileAsyncError extends Error {}
export class ZodCompileUnsupportedError extends Error {}
export const compile = (): never => unavailable('compile');
export const compileFn = (): never => unavailable('compileFn');
export const withParser = (): never => unavailable('withParser');
export const fromJSONSchema = (): never => unavailable('fromJSONSchema');
