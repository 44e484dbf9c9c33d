/**
 * Database failures name their cause and the setting, never the password: `migrate`,
 * `serve` and an operator command against Postgres URLs that cannot work. Real processes.
 */
import { describe, expect, it } from 'vitest';
import { STORE_KINDS, TEST_DATABASE_URL, withDatabase } from '../support/store.js';
import { runCli } from '../support/cli.js';

const PASSWORD = 'pa55-do-not-print';

/** The test server's URL with another user (and our marker password) or database. */
function variant(options: { user?: string; database?: string }): string {
  const url = new URL(withDatabase(TEST_DATABASE_URL!, options.database ?? new URL(TEST_DATABASE_URL!).pathname.slice(1)));
  if (options.user) url.username = options.user;
  url.password = PASSWORD;
  return url.toString();
}

function expectCause(result: { code: number; stderr: string; stdout: string }, cause: string, url: string): void {
  expect(result.code).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr).toContain(cause);
  expect(result.stderr).toContain(`DATABASE_URL=${url.replace(PASSWORD, '***')}`);
  expect(result.stderr).not.toContain(PASSWORD);
  expect(result.stderr).not.toContain('Failed query');
}

describe('database failures name their cause', () => {
  it('refused connection and unknown host: migrate, serve and replay say what and where', async () => {
    const refused = `postgres://relay:${PASSWORD}@127.0.0.1:1/relay`;
    const unknown = `postgres://relay:${PASSWORD}@nosuch.invalid:5432/relay`;
    const [migrateRefused, serveRefused, replayRefused, migrateUnknown] = await Promise.all([
      runCli(['migrate'], { DATABASE_URL: refused }),
      runCli(['serve'], { DATABASE_URL: refused, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }),
      runCli(['replay', '01900000-0000-7000-8000-000000000000'], { DATABASE_URL: refused }),
      runCli(['migrate'], { DATABASE_URL: unknown }),
    ]);
    for (const result of [migrateRefused, serveRefused, replayRefused]) expectCause(result, 'cannot connect to 127.0.0.1:1: connection refused', refused);
    expectCause(migrateUnknown, 'cannot resolve host nosuch.invalid', unknown);
  }, 180_000);

  it.runIf(STORE_KINDS.includes('postgres'))('missing database and missing role, provoked on the real server', async () => {
    const noDatabase = variant({ database: 'colt_relay_no_such_db' });
    const noRole = variant({ user: 'colt_relay_no_such_role' });
    const [database, role] = await Promise.all([runCli(['migrate'], { DATABASE_URL: noDatabase }), runCli(['migrate'], { DATABASE_URL: noRole })]);
    expectCause(database, 'database "colt_relay_no_such_db" does not exist', noDatabase);
    expectCause(role, 'role "colt_relay_no_such_role" does not exist', noRole);
  }, 120_000);
});
