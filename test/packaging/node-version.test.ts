/**
 * Old Node is refused clearly: npm stops an install (engine-strict in .npmrc, engines in
 * package.json), and the installed command says what it needs before it imports anything,
 * instead of dying on a SyntaxError about `node:module`.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/colt-relay.mjs', import.meta.url));

/** Runs the bin under this Node, made to report `version` (a preload replaces process.version). */
async function binReporting(version: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const preload = `data:text/javascript,${encodeURIComponent(
    `Object.defineProperty(process, 'version', { value: 'v${version}' });` +
      `Object.defineProperty(process.versions, 'node', { value: '${version}' });`,
  )}`;
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', preload, BIN, '--version'], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('Node.js version', () => {
  it.each(['20.20.2', '22.11.0', '18.20.4'])('the bin refuses Node %s with one line naming the requirement, exit 1', async (version) => {
    const result = await binReporting(version);
    expect(result).toEqual({ code: 1, stdout: '', stderr: `colt-relay needs Node.js 22.12 or later (this is v${version})\n` });
  });

  it('the bin runs on 22.12 and later', async () => {
    const result = await binReporting('22.12.0');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^colt-relay \d+\.\d+\.\d+/);
  });

  it('npm refuses to install on older Node: engines in package.json, engine-strict in .npmrc', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { engines: { node: string } };
    expect(pkg.engines.node).toBe('>=22.12');
    expect(readFileSync(new URL('../../.npmrc', import.meta.url), 'utf8')).toMatch(/^engine-strict=true$/m);
  });
});
