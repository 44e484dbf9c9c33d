/**
 * Cheap checks come before the database (docs/design.md#runtime-and-packaging): a taken port or broken rules are
 * reported at once, without PGlite's initdb and without leaving a data folder behind.
 */
import { access, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('startup checks before the database', () => {
  let dir: string;
  let taken: Server;
  let port: number;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'colt-relay-startup-'));
    taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    port = (taken.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => taken.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('a taken port is reported, naming it, before any data folder is created', async () => {
    const dataDir = join(dir, 'port-data');
    const result = await runCli(['serve'], { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot listen on 127.0.0.1:${port} (PORT/HOST): the port is already in use`);
    await expect(access(dataDir)).rejects.toThrow(/ENOENT/);
    console.log(`taken port reported after ${result.ms} ms (process start included)`);
  }, 120_000);

  it('broken rules are reported before the port is bound or the folder created', async () => {
    const dataDir = join(dir, 'rules-data');
    const result = await runCli(['worker'], { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, RULES: 'rules: [', LOG_LEVEL: 'silent' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('rules (RULES)');
    expect(result.stderr).not.toContain('cannot listen');
    await expect(access(dataDir)).rejects.toThrow(/ENOENT/);
  }, 120_000);
});
