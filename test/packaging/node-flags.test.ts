/**
 * The Node flags colt-relay starts with (V8 heap and WebAssembly compiler settings for memory,
 * bench/README.md) are written in three places: the bin's shebang, `npm start` and the
 * Dockerfile's CMD. They must agree, and the installed command must start with them.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readRuntimeStage } from './dockerfile.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFile(`${ROOT}${path}`, 'utf8');

describe('Node flags of the relay process', () => {
  it('are the same in the shebang, `npm start` and the Dockerfile CMD', async () => {
    const shebang = (await read('bin/colt-relay.mjs')).split('\n', 1)[0]!;
    const flags = /^#!\/usr\/bin\/env -S node (.+)$/.exec(shebang)?.[1]?.split(' ');
    expect(flags, shebang).toEqual(['--max-semi-space-size=8', '--heap-growing-percent=20', '--liftoff-only']);
    const start = (JSON.parse(await read('package.json')) as { scripts: Record<string, string> }).scripts.start;
    // `npm start` also reads ./.env when there is one (.env.example lists every variable).
    expect(start).toBe(['node', ...flags!, '--env-file-if-exists=.env', 'bin/colt-relay.mjs', 'serve'].join(' '));
    expect(readRuntimeStage(await read('Dockerfile')).cmd).toEqual(['node', ...flags!, 'bin/colt-relay.mjs', 'serve']);
  });

  it('let the bin run as an executable (its shebang goes through `env -S`)', async () => {
    // `--version` answers before any database work; node refuses an unknown flag at start.
    const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) =>
      execFile(`${ROOT}bin/colt-relay.mjs`, ['--version'], (error, stdout) => (error ? reject(error) : resolve({ stdout }))),
    );
    expect(stdout).toMatch(/^colt-relay \d+\.\d+\.\d+/);
  });
});
