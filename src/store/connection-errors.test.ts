import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { describeDatabaseFailure, redactDatabaseUrl, storeOpenError } from './connection-errors.js';

/** drizzle's wrapper, as it reaches us: the driver's error on `.cause`. */
const wrapped = (cause: unknown) => Object.assign(new Error('Failed query: CREATE SCHEMA IF NOT EXISTS "drizzle"\nparams: '), { cause });

describe('database failure causes', () => {
  it('a bad password (SQLSTATE 28P01, the class postgres.js raises) is named with the setting, never the password', () => {
    // The test server uses trust authentication, so the refusal cannot be provoked there.
    const refusal = new postgres.PostgresError({ message: 'password authentication failed for user "relay"', code: '28P01', severity: 'FATAL' } as never);
    const url = 'postgres://relay:hunter2-secret@db.internal:5432/relay';
    const error = storeOpenError(wrapped(refusal), { databaseUrl: url });
    expect(error.message).toBe('cannot open the database (DATABASE_URL=postgres://relay:***@db.internal:5432/relay): password authentication failed for user "relay"');
    expect(error.cause).toBeDefined();
  });

  it('socket and DNS errors say what failed and where', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.5:5432'), { code: 'ECONNREFUSED', address: '10.0.0.5', port: 5432 });
    expect(describeDatabaseFailure(wrapped(refused))).toBe('cannot connect to 10.0.0.5:5432: connection refused');
    const dns = Object.assign(new Error('getaddrinfo ENOTFOUND db'), { code: 'ENOTFOUND', hostname: 'db' });
    expect(describeDatabaseFailure(wrapped(dns))).toBe('cannot resolve host db');
    const timeout = Object.assign(new Error('write CONNECT_TIMEOUT db:5432'), { code: 'CONNECT_TIMEOUT' });
    expect(describeDatabaseFailure(wrapped(timeout), 'postgres://u@db:6432/x')).toBe('cannot connect to db:6432: no answer before the connect timeout');
  });

  it('other errors are not claimed as database failures', () => {
    expect(describeDatabaseFailure(new Error('boom'))).toBeNull();
    expect(redactDatabaseUrl('postgres://u:p@h/d')).toBe('postgres://u:***@h/d');
  });
});
