/** `colt-relay <command> --help` prints that command's usage and does nothing else; `--version`. Real processes. */
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const COMMANDS: [args: string[], firstLine: RegExp][] = [
  [['serve', '--help'], /^usage: colt-relay serve\n/],
  [['worker', '--help'], /^usage: colt-relay worker\n/],
  [['migrate', '--help'], /^usage: colt-relay migrate\n/],
  [['rules', '--help'], /^usage: colt-relay rules check/],
  [['rules', 'check', '-h'], /^usage: colt-relay rules check/],
  [['mock-colt', '--help'], /^Usage: colt-relay mock-colt/],
  [['replay', '--help'], /^usage: colt-relay replay <eventId> \[--json\]\n/],
  [['deliveries', 'retry', '--help'], /^usage: colt-relay deliveries list [^\n]*\n[^\n]*\n {7}colt-relay deliveries retry <deliveryId>\n/],
  [['prune', '--help'], /^usage: colt-relay prune --older-than/],
  [['silence', '--help'], /^usage: colt-relay silence add --match/],
  [['silence', 'add', '--match', 'status=failed', '--help'], /^usage: colt-relay silence add --match/],
  [['silence', 'list', '--json', '--help'], /^usage: colt-relay silence add --match/],
  [['deliveries', '--help'], /^usage: colt-relay deliveries list \[--status <status>\]/],
  [['deliveries', 'list', '--help'], /^usage: colt-relay deliveries list/],
  [['config', '--help'], /^usage: colt-relay config show \[--json\]\n/],
  [['config', 'show', '--json', '--help'], /^usage: colt-relay config show \[--json\]\n/],
  [['secret', '--help'], /^usage: colt-relay secret\n/],
];

describe('colt-relay --help and --version', () => {
  let dir: string;
  let hits = 0;
  let server: Server;
  let url: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'colt-relay-help-'));
    server = createServer((_req, res) => {
      hits++;
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks/colt`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('every command prints its usage on stdout, exits 0 and touches nothing', async () => {
    const dataDir = join(dir, 'data');
    // A closed database port: were --help ignored, serve and migrate would fail, not exit 0.
    const env = { DATA_DIR: dataDir, PORT: '0', NODE_ENV: 'production' };
    const results = await Promise.all([
      ...COMMANDS.map(([args]) => runCli(args, env)),
      runCli(['send-callback', url, '--help'], env),
      runCli(['migrate', '--help'], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }),
    ]);
    COMMANDS.forEach(([args, firstLine], i) => {
      const result = results[i]!;
      expect({ args, code: result.code, stderr: result.stderr }).toEqual({ args, code: 0, stderr: '' });
      expect(result.stdout).toMatch(firstLine);
    });
    const [send, migrate] = results.slice(COMMANDS.length);
    expect([send!.code, send!.stdout]).toEqual([0, expect.stringMatching(/^usage: colt-relay send-callback <url>/)]);
    expect(hits).toBe(0);
    expect([migrate!.code, migrate!.stderr]).toEqual([0, '']);
    await expect(access(dataDir)).rejects.toThrow(/ENOENT/);
  }, 180_000);

  it('--version prints the version of package.json', async () => {
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const result = await runCli(['--version']);
    expect(result).toMatchObject({ code: 0, stdout: `colt-relay ${version}\n`, stderr: '' });
  }, 60_000);

  it('the general usage lists every command and the per-command help', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    const names = ['serve', 'worker', 'migrate', 'rules check', 'rules test', 'rules compile', 'mock-colt', 'send-callback', 'replay', 'colt order'];
    names.push('deliveries list', 'deliveries retry', 'prune', 'silence add', 'silence list', 'config show', 'secret', '--version');
    for (const name of names) expect(result.stdout).toContain(name);
    expect(result.stdout).toContain('colt-relay <command> --help');
    expect(result.stdout).toContain('Data goes to stdout, logs and messages to stderr');
  }, 60_000);
});
