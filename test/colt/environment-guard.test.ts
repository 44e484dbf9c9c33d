/**
 * No guessed Colt environment for writes (docs/colt.md#sandbox-and-production): the ordering
 * commands refuse while COLT_ENV is unset (unless both URLs are given) before any call, as a
 * real process too; once it is set, each names on stderr the host it talks to and whether it
 * is the sandbox, with Colt's answer alone on stdout (also with --json and LOG_LEVEL=info);
 * `serve` with NODE_ENV=production and Colt credentials refuses a guessed environment.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runColt } from '../../src/cli/colt.command.js';
import { startMockColt, type RunningMockColt } from '../../src/colt/mock/mock-colt.server.js';
import { runCli } from '../support/cli.js';
import { CLIENT_ID, CLIENT_SECRET, immediateScheduler } from './colt-harness.js';

const ORDERING = ['reserve', 'cancel-reservation', 'activate', 'update-address'] as const;
const CREDENTIALS = { COLT_CLIENT_ID: CLIENT_ID, COLT_CLIENT_SECRET: CLIENT_SECRET, LOG_LEVEL: 'silent' };
let file: string;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'colt-env-'));
  file = join(dir, 'activate.json');
  await writeFile(file, JSON.stringify({ country: 'FR', numberType: 'IN Geo', customerReference: 'CUST-ENV-1' }));
});

/** A fetch that records every call and answers like Colt would (token, then the order). */
function recordingFetch() {
  const calls: string[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    calls.push(`${init?.method ?? 'GET'} ${url}`);
    if (url.endsWith('/oauth/token')) return Response.json({ access_token: 'token-1', token_type: 'Bearer', expires_in: 1800 });
    return Response.json({ orderId: 'IN-ORD-ENV-1', orderType: 'Number Activation', orderStatus: 'Raised' });
  };
  return { calls, fetch: fetch as typeof globalThis.fetch };
}

async function colt(args: string[], env: Record<string, string>, fetch: typeof globalThis.fetch) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runColt(args, { stdout: (s) => void out.push(s), stderr: (s) => void err.push(s), env, fetch });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('ordering commands on a guessed environment', () => {
  it.each(ORDERING)('%s: refused with exit 2 naming COLT_ENV, and no call is made', async (sub) => {
    const { calls, fetch } = recordingFetch();
    for (const env of [CREDENTIALS, { ...CREDENTIALS, COLT_TOKEN_URL: 'http://127.0.0.1:9/token' }]) {
      const result = await colt([sub, '--file', file], env, fetch);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(new RegExp(`^colt-relay colt ${sub}: refused, nothing was sent\\. COLT_ENV is not set, so the Colt environment would be guessed \\(the sandbox, sandbox\\.apis\\.colt\\.net\\)\\. Set COLT_ENV=production`));
      expect(result.stdout).toBe('');
    }
    expect(calls).toEqual([]);
  });

  it('as a real process: exit 2, COLT_ENV named, and the configured token URL never called', async () => {
    const hits: string[] = [];
    const server = createServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/authentication/v1/oauth/token`;
      const result = await runCli(['colt', 'activate', '--file', file], { ...CREDENTIALS, COLT_TOKEN_URL: tokenUrl });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('colt-relay colt activate: refused, nothing was sent. COLT_ENV is not set');
      expect(result.stdout).toBe('');
      expect(hits).toEqual([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('ordering commands name the host and whether it is the sandbox', () => {
  it.each([
    ['sandbox', 'sandbox.apis.colt.net', /Colt SANDBOX \(sandbox\.apis\.colt\.net\): no network, billing or emergency services are provisioned, and Colt may answer with a mock \(COLT_ENV=sandbox\)/],
    ['production', 'apis.colt.net', /Colt PRODUCTION \(apis\.colt\.net\): orders are real \(COLT_ENV=production\)/],
  ])('COLT_ENV=%s: stderr says %s; stdout is only Colt\'s answer', async (environment, host, summary) => {
    const { calls, fetch } = recordingFetch();
    const result = await colt(['activate', '--file', file, '--json'], { ...CREDENTIALS, COLT_ENV: environment, LOG_LEVEL: 'info' }, fetch);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(new RegExp(`^colt-relay colt activate: POST /numberCollectionActivation to ${host.replaceAll('.', '\\.')}, `, 'm'));
    expect(result.stderr).toMatch(summary);
    // pino's "colt credentials in use" goes to stderr too.
    expect(result.stderr).toContain('"msg":"colt credentials in use"');
    expect(JSON.parse(result.stdout)).toEqual({ orderId: 'IN-ORD-ENV-1', orderType: 'Number Activation', orderStatus: 'Raised' });
    expect(calls).toEqual([`POST https://${host}/authentication/v1/oauth/token`, `POST https://${host}/numberManagement/inbound/v1/numberCollectionActivation`]);
  });

  it('contradicting settings are warned about on stderr', async () => {
    const { fetch } = recordingFetch();
    const env = { ...CREDENTIALS, COLT_ENV: 'production', COLT_TOKEN_URL: 'https://sandbox.apis.colt.net/authentication/v1/oauth/token' };
    const result = await colt(['activate', '--file', file], env, fetch);
    expect(result.stderr).toContain('warning: the numbers API is Colt production (apis.colt.net) but the token URL is Colt sandbox (sandbox.apis.colt.net)');
    expect(result.stderr).toContain('warning: COLT_ENV=production but COLT_TOKEN_URL points at Colt sandbox');
  });
});

describe('colt … --json as a real process against mock-colt', () => {
  let mock: RunningMockColt;
  beforeAll(async () => {
    mock = await startMockColt({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, schedule: immediateScheduler });
  });
  afterAll(async () => {
    await mock.close();
  });

  it('numbers --json | JSON.parse works with LOG_LEVEL=info: the log lines are on stderr, and 290 KB of JSON through a pipe arrive whole', async () => {
    const env = { ...CREDENTIALS, LOG_LEVEL: 'info', COLT_API_BASE_URL: mock.apiBaseUrl, COLT_TOKEN_URL: mock.tokenUrl };
    const result = await runCli(['colt', 'numbers', '--param', 'country=DE', '--param', 'numberType=Freephone', '--json'], env);
    expect(result.code).toBe(0);
    const { numbers } = JSON.parse(result.stdout) as { numbers: { country: string; numberType: string }[] };
    expect(numbers).toHaveLength(1000);
    expect(numbers.every((n) => n.country === 'DE' && n.numberType === 'Freephone')).toBe(true);
    expect(result.stderr).toContain('colt credentials in use');
    expect(result.stderr).toMatch(/GET \/numberCollection to 127\.0\.0\.1:\d+, 127\.0\.0\.1:\d+ \(not a Colt host/);
  });
});

describe('serve with NODE_ENV=production', () => {
  it('refuses Colt credentials without COLT_ENV, naming it, before binding a port', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'colt-env-serve-'));
    const result = await runCli(['serve'], {
      NODE_ENV: 'production',
      CALLBACK_TOKEN: 'callback-token-for-tests-0123456789',
      COLT_CLIENT_ID: CLIENT_ID,
      COLT_CLIENT_SECRET: CLIENT_SECRET,
      PORT: '0',
      DATA_DIR: dataDir,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/COLT_ENV: must be set when NODE_ENV=production and Colt credentials are set/);
  });
});
