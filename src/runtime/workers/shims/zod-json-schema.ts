/**
 * Stands in for zod's JSON Schema generator (`core/to-json-schema.js`,
 * `core/json-schema-generator.js`) in the Workers bundle (wrangler.toml `[alias]`): it is
 * reachable from every zod schema, yet the relay never asks for JSON Schema (the OpenAPI
 * document is built by zod-to-openapi from the schemas' definitions). The per-type
 * processors have their own stand-in (zod-processors.ts). Asking a schema for JSON
 * Schema throws. The names are those the two files export: if zod adds one the relay
 * imports, the bundle build fails.
 */
/** Also the body of every stub in zod-processors.ts. */
export function unavailable(): never {
  throw new Error('zod JSON Schema output is not included in the Worker bundle');
}
const processor = (): never => unavailable();

// core/to-json-schema.js
export const initializeContext = processor;
export const handleUnrepresentable = processor;
export const processSchema = processor;
export { processSchema as process };
export const extractDefs = processor;
export const finalize = processor;
/** Called while a schema is built: the method it returns throws when called. */
export const createToJSONSchemaMethod = () => processor;
export const createStandardJSONSchemaMethod = () => processor;

// core/json-schema-generator.js
export class JSONSchemaGenerator {
  constructor() {
    unavailable();
  }
}
