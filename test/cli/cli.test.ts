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
    const { code, stderr } = await run(['frobnicate']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/usage: colt-relay/);
  });
});
