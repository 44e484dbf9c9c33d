/** The command line as a user runs it: a real process through bin/colt-relay-dev.mjs (the sources). */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/colt-relay-dev.mjs', import.meta.url));

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH!, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

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
