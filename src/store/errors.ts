/** Classifies database errors: is the store down, or did it refuse this particular input? */

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * True when Postgres refused the data itself (class 22 data exception, 54 program limit
 * exceeded, e.g. a value too deep or too large): retrying the same input cannot help.
 */
export function isInputRejection(error: unknown): boolean {
  const state = sqlState(error);
  return state !== undefined && (state.startsWith('22') || state.startsWith('54'));
}

/** Deadlock or serialisation failure: the same transaction may succeed if run again. */
export function isTransient(error: unknown): boolean {
  const state = sqlState(error);
  return state === '40P01' || state === '40001';
}

/** Runs `fn` once more when it lost a deadlock or a serialisation race (the statement is safe to repeat). */
export async function retryIfTransient<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (!isTransient(error)) throw error;
    return fn();
  }
}
