/**
 * Stands in for zod's per-type JSON Schema processors (`core/json-schema-processors.js`) in
 * the Workers bundle (wrangler.toml `[alias]`): every zod schema refers to its processor,
 * yet they only run when JSON Schema is asked for, which the Worker never does (see
 * zod-json-schema.ts). `aggregateChecks` is zod's own: the `minLength`-style getters
 * zod-to-openapi reads for /openapi.json use it. Every other export throws when called;
 * src/runtime/workers/shims/zod.test.ts checks the names match zod's.
 */
// Not public (zod's package exports leave it out): reached by path, beside the alias's target.
export { aggregateChecks } from '../../../../node_modules/zod/v4/core/json-schema-processors.js';

import { unavailable } from './zod-json-schema.js';

const processor = (): never => unavailable();

export const allProcessors = {};
export const toJSONSchema = processor;
export const stringProcessor = processor;
export const numberProcessor = processor;
export const booleanProcessor = processor;
export const bigintProcessor = processor;
export const symbolProcessor = processor;
export const nullProcessor = processor;
export const undefinedProcessor = processor;
export const voidProcessor = processor;
export const neverProcessor = processor;
export const anyProcessor = processor;
export const unknownProcessor = processor;
export const dateProcessor = processor;
export const enumProcessor = processor;
export const literalProcessor = processor;
export const nanProcessor = processor;
export const templateLiteralProcessor = processor;
export const fileProcessor = processor;
export const successProcessor = processor;
export const customProcessor = processor;
export const functionProcessor = processor;
export const transformProcessor = processor;
export const mapProcessor = processor;
export const setProcessor = processor;
export const arrayProcessor = processor;
export const objectProcessor = processor;
export const unionProcessor = processor;
export const intersectionProcessor = processor;
export const tupleProcessor = processor;
export const recordProcessor = processor;
export const nullableProcessor = processor;
export const nonoptionalProcessor = processor;
export const defaultProcessor = processor;
export const prefaultProcessor = processor;
export const catchProcessor = processor;
export const pipeProcessor = processor;
export const readonlyProcessor = processor;
export const promiseProcessor = processor;
export const optionalProcessor = processor;
export const lazyProcessor = processor;
