/**
 * Raw bytes → a JSON object that is safe to store. Valid-but-odd JSON (deep nesting,
 * `\u0000`, lone surrogates, `__proto__` keys) is accepted: the raw text is kept exactly,
 * and only the queryable jsonb copy is made storable.
 */
import { isObject, type JsonObject } from './normalise.js';
import { storableJson } from './storable-text.js';

/** Deeper bodies are stored raw, with a placeholder as their jsonb copy. */
export const MAX_JSON_DEPTH = 256;

export type ParsedBody =
  | {
      ok: true;
      text: string;
      body: JsonObject;
      /**
       * What goes into the jsonb column when the text itself cannot (odd characters, too
       * deep); undefined when the store may parse `text` directly.
       */
      storable: unknown;
      /** Too deep to canonicalise safely: dedupe hashes the raw bytes. */
      deep: boolean;
    }
  | {
      ok: false;
      message: string;
      path: string;
      /** The bytes are not JSON at all (not UTF-8, or malformed), rather than JSON of the wrong kind. */
      notJson: boolean;
    };

/** Nesting depth of JSON text, counting brackets outside strings. Iterative: no stack to blow. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) max = Math.max(max, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

const NEEDS_SANITISING = /\\u0000|\\u[dD][89a-fA-F]/;

export function parseBody(bytes: Uint8Array): ParsedBody {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return { ok: false, path: '', message: 'body is not valid UTF-8', notJson: true };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, path: '', message: `malformed JSON: ${(error as Error).message}`, notJson: true };
  }
  if (!isObject(value)) {
    const kind = Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`;
    return { ok: false, path: '', message: `expected a JSON object, got ${kind}`, notJson: false };
  }
  if (jsonDepth(text) > MAX_JSON_DEPTH) {
    const storable = { _colt_relay: `nesting deeper than ${MAX_JSON_DEPTH} levels: see the raw body` };
    return { ok: true, text, body: value, storable, deep: true };
  }
  const storable = NEEDS_SANITISING.test(text) ? storableJson(value) : undefined;
  return { ok: true, text, body: value, storable, deep: false };
}
