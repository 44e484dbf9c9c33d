/**
 * Data on stdout, logs and messages on stderr, for every command that is not a server: each
 * runs as a real process with LOG_LEVEL=debug (every log line there is), and its stdout must
 * be only its data: one JSON document with --json, its text lines otherwise, never a log line.
 * `colt numbers … | jq` broke on a pino line before the logger of commands moved to stderr.
 * The servers keep logging JSON lines to stdout, where log collectors read them.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockColt, type RunningMockColt } from '../../src/colt/mock/mock-colt.server.js';
import { insertDeliveries } from '../../src/store/deliveries.repo.js';
import { openPgliteStore } from '../../src/store/pglite.js';
import { deliveries } from '../../src/store/schema.js';
import { CLIENT_ID, CLIENT_SECRET, immediateScheduler } from '../colt/colt-harness.js';
import { insertTestEvent } from '../deliver/support.js';
import { BIN, EMPTY_CWD, runCli, type CliResult } from '../support/cli.js';
import { createPgliteDataDir } from '../support/store.js';

const RULES = 'channels:\n  console: { type: log }\nrules:\n  - name: all\n    notify: [console]\n';
const CALLBACK = { orderId: 'IN-ORD-9', orderStatus: 'Failed', orderType: 'Number Activation' };

/** A pino line: a JSON object with a numeric level. */
const LOG_LINE = /^\{"level":\d+/m;

function expectJsonOnly(result: CliResult, what: string): unknown {
  expect({ what, code: result.code }).toEqual({ what, code: 0 });
  expect(result.stdout, what).not.toMatch(LOG_LINE);
  return JSON.parse(result.stdout) as unknown;
}

function expectText(result: CliResult, what: string, data: RegExp): void {
  expect({ what, code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({ what, code: 0, stderr: '' });
  expect(result.stdout, what).not.toMatch(LOG_LINE);
  expect(result.stdout, what).toMatch(data);
}

describe('stdout holds only the data of each non-server command', () => {
  let parent: string;
  let env: Record<string, string>;
  let mock: RunningMockColt;
  let receiver: Server;
  let receiverUrl: string;
  let eventId: string;
  let deadId: string;

  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'colt-relay-stdout-'));
    const dataDir = await createPgliteDataDir(parent);
    const store = await openPgliteStore({ dataDir });
    eventId = await insertTestEvent(store.db, { receivedAt: new Date(), orderId: 'ORD-STDOUT', queue: false });
    [deadId = ''] = await insertDeliveries(store.db, [{ eventId, orderId: 'ORD-STDOUT', channel: 'console', channelType: 'log', rules: ['all'] }], new Date());
    await store.db.update(deliveries).set({ status: 'dead', attempts: 3, lastError: 'gave up' }).where(eq(deliveries.id, deadId));
    await store.close();
    mock = await startMockColt({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, schedule: immediateScheduler });
    receiver = createServer((_req, res) => res.end('{"received":true}'));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/callbacks/colt`;
    await writeFile(join(parent, 'rules.yaml'), RULES);
    await writeFile(join(parent, 'callback.json'), JSON.stringify(CALLBACK));
    env = {
      LOG_LEVEL: 'debug',
      DATA_DIR: dataDir,
      RULES,
      COLT_CLIENT_ID: CLIENT_ID,
      COLT_CLIENT_SECRET: CLIENT_SECRET,
      COLT_API_BASE_URL: mock.apiBaseUrl,
      COLT_TOKEN_URL: mock.tokenUrl,
    };
  }, 120_000);

  afterAll(async () => {
    await mock?.close();
    await new Promise((resolve) => receiver?.close(resolve));
    await rm(parent, { recursive: true, force: true });
  });

  it('colt numbers: the JSON parses; the client log line is on stderr', async () => {
    const result = await runCli(['colt', 'numbers', '--param', 'country=FR'], env);
    const body = expectJsonOnly(result, 'colt numbers') as { numbers: unknown[] };
    expect(body.numbers.length).toBeGreaterThan(0);
    // The line that used to break `| jq`: still logged, where logs go.
    expect(result.stderr).toMatch(/^\{"level":\d+.*"msg":"colt credentials in use"/m);
  }, 60_000);

  it('--json commands print one JSON document and nothing else', async () => {
    // One after another: the PGlite folder admits one process at a time.
    const file = join(parent, 'rules.yaml');
    const cases: [string[], object][] = [
      [['config', 'show', '--json'], { ok: true }],
      [['rules', 'check', '--json'], { ok: true, source: 'RULES' }],
      [['rules', 'test', file, '--event', join(parent, 'callback.json'), '--json'], { preview: { matched: [{ rule: 'all', channels: ['console'] }] } }],
      [['rules', 'compile', file], { channels: { console: { type: 'log' } } }],
      [['silence', 'list', '--json'], { items: [] }],
      [['deliveries', 'list', '--json'], { items: [{ id: deadId }], nextCursor: null }],
      [['replay', eventId, '--json'], { eventId, generation: 1, through: 'database' }],
    ];
    for (const [args, expected] of cases) expect(expectJsonOnly(await runCli(args, env), args.join(' ')), args.join(' ')).toMatchObject(expected);
  }, 180_000);

  it('text commands print their result lines and no log line', async () => {
    expectText(await runCli(['migrate'], env), 'migrate', new RegExp(`^migrations applied \\(pglite in ${env.DATA_DIR}\\)\\n$`));
    expectText(await runCli(['secret'], env), 'secret', /^whsec_[A-Za-z0-9+/]{43}=\n$/);
    expectText(await runCli(['rules', 'check'], env), 'rules check', /^RULES: ok — 1 channel \(console\), 1 rule\n$/);
    expectText(await runCli(['config', 'show'], env), 'config show', /^Server\n {2}NODE_ENV +default +development\n/);
    const added = await runCli(['silence', 'add', '--match', 'status=failed', '--for', '1h', '--comment', 'stdout test', '--author', 'ci'], env);
    expectText(added, 'silence add', /^silence \S+ created: status=failed until \S+\nno relay runs on DATA_DIR: it applies from its start\n$/);
    const id = /^silence (\S+)/.exec(added.stdout)![1]!;
    expectText(await runCli(['silence', 'list'], env), 'silence list', new RegExp(`^${id}  active  `));
    expectText(await runCli(['silence', 'expire', id], env), 'silence expire', new RegExp(`^silence ${id} expired`));
    expectText(await runCli(['deliveries', 'list'], env), 'deliveries list', /^\S+ {2}pending/);
    expectText(await runCli(['deliveries', 'retry', deadId], env), 'deliveries retry', new RegExp(`^delivery ${deadId} \\(console, was dead\\) is pending again\\n$`));
    expectText(await runCli(['prune', '--older-than', '90d'], env), 'prune', /^pruned before \S+: 0 events/);
    expectText(await runCli(['send-callback', receiverUrl], env), 'send-callback', /^200 \{"received":true\}\n$/);
  }, 240_000);

  it('a server still logs JSON lines to stdout, for log collectors', async () => {
    const dataDir = await createPgliteDataDir(parent);
    const child = spawn(process.execPath, [BIN, 'worker'], {
      env: { PATH: process.env.PATH!, DATA_DIR: dataDir, PORT: '0', RULES, LOG_LEVEL: 'info' },
      cwd: EMPTY_CWD,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    const ready = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('"msg":"store ready"')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`worker exited ${code} before logging:\n${stdout}`)));
    });
    await ready;
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(stdout).toMatch(/^\{"level":30,.*"msg":"store ready"/m);
  }, 120_000);
});
