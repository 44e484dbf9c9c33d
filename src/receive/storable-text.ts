/**
 * Postgres text and jsonb refuse `\u0000` and unpaired UTF-16 surrogates, both of which
 * valid JSON may carry. Whatever the store must hold as text (the jsonb copy of a body, the
 * fields extracted from it) goes through here; the raw body is kept exactly as received.
 */

/** True when Postgres text can hold `s` as it is. */
export function isStorableText(s: string): boolean {
  return s.isWellFormed() && !s.includes('\u0000');
}

/** `s` with NUL and unpaired surrogates replaced by U+FFFD (REPLACEMENT CHARACTER). */
export function storableText(s: string): string {
  return isStorableText(s) ? s : s.toWellFormed().replace(/\u0000/g, '\uFFFD');
}

/** A JSON value with every string (and key) made storable; other values are kept as they are. */
export function storableJson(value: unknown): unknown {
  if (typeof value === 'string') return storableText(value);
  if (Array.isArray(value)) return value.map(storableJson);
  if (typeof value === 'object' && value !== null) {
    const source = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(source)) {
      // defineProperty: a `__proto__` key stays an own key, never the object's prototype.
      Object.defineProperty(out, storableText(key), {
        value: storableJson(source[key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}
