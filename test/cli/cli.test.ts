/** The command line as a user runs it: a real process (test/support/cli.ts: the compiled command, or the sources when not yet built). */
import { describe, expect, it } from 'vitest';
import { runCli as run } from '../support/cli.js';

describe('colt-relay CLI', () => {
  it('exits non-zero in production without callback authentication, naming the variables', async () => {
    const { code, stderr } = await run(['serve'], { NODE_ENV: 'production', PORT: '0' });
    expect(code).toBe(1);
    for (const name of ['CALLBACK_TOKEN', 'CALLBACK_BASIC_AUTH', 'CALLBACK_HMAC_SECRET', 'CALLBACK_ALLOWED_IPS']) {
      expect(stderr).toContain(name);
    }
  });

  it('rejects an unknown command with usage', async () => {
    const { code, stderr, stdout } = await run(['frobnicate']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^colt-relay: unknown command "frobnicate"\n\nusage: colt-relay/);
  });

  it('a misspelt command, subcommand or option: "did you mean …", exit 2, usage on stderr, nothing run', async () => {
    // DATABASE_URL points nowhere: a command that ran would fail to connect (exit 1), not exit 2.
    const env = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };
    const cases: [string[], string, RegExp][] = [
      [['serv'], 'colt-relay: unknown command "serv" (did you mean "serve"?)', /usage: colt-relay <command>/],
      [['--verison'], 'colt-relay: unknown option "--verison" (did you mean "--version"?)', /usage: colt-relay <command>/],
      [['silence', 'lst'], 'colt-relay silence: unknown subcommand "lst" (did you mean "list"?)', /usage: colt-relay silence add/],
      [['silence', 'list', '--jsn'], 'colt-relay silence list: unknown option --jsn (did you mean "--json"?)', /usage: colt-relay silence add/],
      [['rules', 'chek'], 'colt-relay rules: unknown subcommand "chek" (did you mean "check"?)', /usage: colt-relay rules check/],
      [['rules', 'check', '--jsn'], 'unknown option --jsn (did you mean "--json"?)', /usage: colt-relay rules check/],
      [['deliveries', 'retyr', 'x'], 'colt-relay deliveries: unknown subcommand "retyr" (did you mean "retry"?)', /usage: colt-relay deliveries list/],
      [['prune', '--older', '90d'], 'colt-relay prune: unknown option --older', /usage: colt-relay prune/],
      [['migrate', '--dry-run'], 'colt-relay migrate: unknown option --dry-run', /usage: colt-relay migrate/],
      [['send-callback', 'http://127.0.0.1:1/x', '--tokn', 't'], 'colt-relay send-callback: unknown option --tokn (did you mean "--token"?)', /usage: colt-relay send-callback/],
      [['mock-colt', '--fial-rate', '1'], 'colt-relay: mock-colt: unknown option --fial-rate (did you mean "--fail-rate"?)', /Usage: colt-relay mock-colt/],
    ];
    const results = await Promise.all(cases.map(([args]) => run(args, env)));
    results.forEach((result, i) => {
      const [args, message, usage] = cases[i]!;
      expect({ args, code: result.code, stdout: result.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(result.stderr, args.join(' ')).toContain(message);
      expect(result.stderr, args.join(' ')).toMatch(usage);
    });
  }, 120_000);
});
