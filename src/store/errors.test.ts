import { describe, expect, it } from 'vitest';
import { isInputRejection, isStoreUnavailable, isTransient, sqlState, storeErrorMessage } from './errors.js';

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });
/** drizzle's shape: its own message repeats the statement and its parameters; the driver's error is the cause. */
const wrapped = (cause: unknown) => new Error('Failed query: insert … params: {"secret":"other callers"}', { cause });

describe('store error classification', () => {
  it('reads the SQLSTATE through a wrapper’s cause chain', () => {
    const error = wrapped(pgError('22P05', 'unsupported Unicode escape sequence'));
    expect(sqlState(error)).toBe('22P05');
    expect(isInputRejection(error)).toBe(true);
    expect(isStoreUnavailable(error)).toBe(false);
    expect(isTransient(wrapped(pgError('40P01', 'deadlock detected')))).toBe(true);
  });

  it('names the database’s own message, never the wrapper’s parameters', () => {
    const message = storeErrorMessage(wrapped(pgError('54000', 'index row size 4528 exceeds maximum 2704')));
    expect(message).toBe('index row size 4528 exceeds maximum 2704 (SQLSTATE 54000)');
  });

  it('treats network errors, closed clients and server-side failures as an unavailable store', () => {
    expect(isStoreUnavailable(wrapped(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })))).toBe(true);
    expect(isStoreUnavailable(new Error('PGlite is closed'))).toBe(true);
    expect(isStoreUnavailable(wrapped(pgError('57P01', 'terminating connection due to administrator command')))).toBe(true);
    expect(isStoreUnavailable(wrapped(pgError('08006', 'connection failure')))).toBe(true);
    expect(isStoreUnavailable(wrapped(pgError('23505', 'duplicate key')))).toBe(false);
  });
});
