/**
 * JSON Merge Patch (RFC 7386), the semantics of a TMF PATCH with
 * `application/merge-patch+json`: objects merge key by key, `null` removes a key, and any
 * other value (an array included) replaces the target's value whole.
 */

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** The target with `patch` applied; neither argument is changed. */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}
