/**
 * Classifies database errors: is the store down, or did it refuse this particular input?
 * drizzle wraps the driver's error (its SQLSTATE sits on `.cause`), so every question here
 * looks through the whole cause chain.
 */
import { causeChain } from './connection-errors.js';

function ownSqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** The first SQLSTATE found along the cause chain, if the database answered with one. */
export function sqlState(error: unknown): string | undefined {
  for (const e of causeChain(error)) {
    const state = ownSqlState(e);
    if (state !== undefined) return state;
  }
  return undefined;
}

/**
 * The database's own message (innermost error), without the wrapper's "Failed query …",
 * which repeats the statement's parameters: other callers' data must not leak into an answer.
 */
export function storeErrorMessage(error: unknown): string {
  const chain = causeChain(error);
  const withState = chain.find((e) => ownSqlState(e) !== undefined) ?? chain.at(-1) ?? error;
  const message = withState instanceof Error ? withState.message : String(withState);
  const state = ownSqlState(withState);
  return state ? `${message} (SQLSTATE ${state})` : message;
}

/**
 * True when Postgres refused the data itself (class 22 data exception, 54 program limit
 * exceeded, e.g. a value too deep or too large): retrying the same input cannot help.
 */
export function isInputRejection(error: unknown): boolean {
  const state = sqlState(error);
  return state !== undefined && (state.startsWith('22') || state.startsWith('54'));
}

/**
 * SQLSTATE classes that say the store itself cannot serve anyone right now: connection
 * (08), authorisation (28), missing database (3D), resources (53), shutdown/cancel (57),
 * system (58), internal (XX).
 */
const UNAVAILABLE_CLASSES = ['08', '28', '3D', '53', '57', '58', 'XX'];

/**
 * True when the store is unreachable or failing as a whole, so another try of the same
 * batch, or of any part of it, would fail too: a network error (no SQLSTATE at all), a
 * closed client, or one of the classes above. Everything else is about this statement's
 * content, and a batch failing that way is worth splitting.
 */
export function isStoreUnavailable(error: unknown): boolean {
  const state = sqlState(error);
  return state === undefined || UNAVAILABLE_CLASSES.includes(state.slice(0, 2));
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
