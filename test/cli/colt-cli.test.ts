/**
 * `colt-relay colt …` against mock-colt over real HTTP, with a relay (real store, served
 * on a port) receiving the simulator's callbacks: every command, and `activate --wait`
 * ending 0 on completion, 1 on failure and 2 on timeout. Postgres is read directly
 * (DATABASE_URL); PGlite through the running relay's admin API. `--wait` that cannot read
 * the order refuses before anything is placed.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { runColt } from '../../src/cli/colt.command.js';
import { parseEnv } from '../../src/config/env.js';
import { startMockColt, type RunningMockColt, type StartMockColtOptions } from '../../src/colt/mock/mock-colt.server.js';
import { systemClock } from '../../src/lib/clock.js';
import { createSilentLogger } from '../../src/lib/logger.js';
import { createCallbackWriter } from '../../src/store/ingest.js';
import { STORE_KINDS, createTestStore, type TestStore } from '../support/store.js';
import { CLIENT_ID, CLIENT_SECRET, immediateScheduler } from '../colt/colt-harness.js';

const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
/** An activation body the simulator accepts (it is as strict as Colt: missing parameters are a 400). */
const ACTIVATION = { country: 'FR', numberType: 'IN Geo', customerReference: 'CUST-CLI-1' };
const CALLBACK_TOKEN = 'callback-token-for-tests-0123456789';

interface Relay {
  url: string;
  close(): Promise<void>;
}

/** The receiver and admin API on a real port: callbacks from mock-colt update the orders. */
async function startRelay(store: TestStore): Promise<Relay> {
  const env = parseEnv({ CALLBACK_TOKEN, ADMIN_TOKEN, LOG_LEVEL: 'silent' });
  const writer = createCallbackWriter(store, { groupCommit: false });
  const app = createApp({ env, store, writer, clock: systemClock, logger: createSilentLogger(), socketAddress: () => '127.0.0.1' });
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      await writer.drain();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

describe.each(STORE_KINDS)('colt-relay colt (%s)', { timeout: 120_000 }, (kind) => {
  let store: TestStore;
  let relay: Relay;
  let dir: string;
  const mocks: RunningMockColt[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'colt-cli-'));
  });
  // Each simulator numbers its orders from the same first id: a fresh relay per test keeps them apart.
  beforeEach(async () => {
    store = await createTestStore(kind);
    relay = await startRelay(store);
  }, 120_000);
  afterEach(async () => {
    for (const m of mocks.splice(0)) await m.close();
    await relay?.close();
    await store?.close();
  });

  async function mockColt(options: StartMockColtOptions = {}): Promise<RunningMockColt> {
    const running = await startMockColt({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      callbackUrl: `${relay.url}/callbacks/colt`,
      callbackToken: CALLBACK_TOKEN,
      schedule: immediateScheduler,
      ...options,
    });
    mocks.push(running);
    return running;
  }

  /** Runs the command in-process with the environment a user would set. */
  async function colt(mock: RunningMockColt, args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const env: Record<string, string | undefined> = {
      COLT_CLIENT_ID: CLIENT_ID,
      COLT_CLIENT_SECRET: CLIENT_SECRET,
      COLT_API_BASE_URL: mock.apiBaseUrl,
      COLT_TOKEN_URL: mock.tokenUrl,
      LOG_LEVEL: 'silent',
      ...(kind === 'postgres' ? { DATABASE_URL: store.url } : { RELAY_URL: relay.url, ADMIN_TOKEN }),
    };
    const code = await runColt(args, { stdout: (s) => void out.push(s), stderr: (s) => void err.push(s), env });
    return { code, stdout: out.join(''), stderr: err.join('') };
  }

  async function bodyFile(name: string, body: unknown): Promise<string> {
    const path = join(dir, `${kind}-${name}.json`);
    await writeFile(path, typeof body === 'string' ? body : JSON.stringify(body));
    return path;
  }

  it('order <id> prints GET /order; an unknown id exits 1 naming the 404', async () => {
    const mock = await mockColt();
    const orderId = mock.mock.placeOrder({ type: 'activation', country: 'FR', customerReference: 'CUST-9' }).order!.orderId;
    const found = await colt(mock, ['order', orderId]);
    expect(found.code).toBe(0);
    expect(JSON.parse(found.stdout)).toMatchObject({ orderId, orderType: 'Number Activation' });
    const missing = await colt(mock, ['order', 'IN-ORD-404']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/GET \/order\/IN-ORD-404: HTTP 404/);
  });

  it('numbers --param passes the query to GET /numberCollection', async () => {
    const mock = await mockColt();
    const { code, stdout } = await colt(mock, ['numbers', '--param', 'country=FR', '--param', 'status=free']);
    expect(code).toBe(0);
    const numbers = (JSON.parse(stdout) as { numbers: { country: string; status: string }[] }).numbers;
    expect(numbers.length).toBeGreaterThan(0);
    expect(numbers.every((n) => n.country === 'FR' && n.status === 'free')).toBe(true);
    expect(mock.mock.state.calls.some((c) => c.path.endsWith('/numberCollection'))).toBe(true);
  });

  it('reserve, cancel-reservation, update-address post the file as given; 200 answers', async () => {
    const mock = await mockColt({ callbackUrl: undefined });
    const reserved = await colt(mock, ['reserve', '--file', await bodyFile('reserve', { country: 'GB', numberType: 'Freephone' })]);
    expect(reserved.code).toBe(0);
    const reservation = JSON.parse(reserved.stdout) as { orderId: string; orderType: string };
    expect(reservation.orderType).toBe('Number Reservation');
    await mock.mock.idle();
    const number = mock.mock.state.orders.get(reservation.orderId)!.numbers[0]!.startFullNumber;

    const cancelled = await colt(mock, ['cancel-reservation', '--file', await bodyFile('cancel', { startFullNumber: number })]);
    expect(cancelled.code).toBe(0);
    expect(JSON.parse(cancelled.stdout)).toMatchObject({ status: 'Completed' });

    const active = mock.mock.placeOrder({ type: 'activation', country: 'FR' }).order!;
    await mock.mock.idle();
    const activeNumber = active.numbers[0]!.startFullNumber;
    const updated = await colt(mock, ['update-address', '--file', await bodyFile('address', { startFullNumber: activeNumber, address: { city: 'Lyon' } })]);
    expect(updated.code).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({ orderType: 'Number Address Update' });
    const posts = mock.mock.state.calls.filter((c) => c.method === 'POST' && !c.path.endsWith('/oauth/token'));
    expect(posts.map((c) => c.status)).toEqual([200, 200, 200]);
  });

  it('a body that is not a JSON object is refused before anything is sent', async () => {
    const mock = await mockColt();
    const array = await colt(mock, ['activate', '--file', await bodyFile('array', [1, 2])]);
    expect(array.code).toBe(1);
    expect(array.stderr).toMatch(/the body must be a JSON object/);
    const broken = await colt(mock, ['activate', '--file', await bodyFile('broken', '{nope')]);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/not JSON/);
    expect(mock.mock.state.calls.filter((c) => c.method === 'POST' && c.path.includes('numberCollection'))).toHaveLength(0);
  });

  it('activate --wait exits 0 after the completion callback', async () => {
    const mock = await mockColt({ completeAfterMs: 300 });
    const { code, stdout, stderr } = await colt(mock, ['activate', '--file', await bodyFile('ok', ACTIVATION), '--wait', '30s', '--poll', '100ms']);
    expect(stderr).toMatch(/waiting up to 30 s/);
    expect(code).toBe(0);
    expect(stdout).toMatch(/: completed\n$/);
    expect(stderr).toMatch(/^colt-relay colt activate: POST \/numberCollectionActivation to 127\.0\.0\.1:\d+, 127\.0\.0\.1:\d+ \(not a Colt host/m);
  });

  it('activate --wait exits 1 after a failure, printing Colt\'s reason', async () => {
    const mock = await mockColt({ completeAfterMs: 300, failOrders: 1, callbackShape: 'flat' });
    const { code, stdout } = await colt(mock, ['activate', '--file', await bodyFile('fail', ACTIVATION), '--wait', '30s', '--poll', '100ms']);
    expect(code).toBe(1);
    expect(stdout).toMatch(/: failed; Colt's reason: E-4021 · Address validation failed/);
  });

  it('activate --json --wait: one JSON document on stdout (Colt\'s answer and the final status), progress on stderr', async () => {
    const mock = await mockColt({ completeAfterMs: 300, failOrders: 1, callbackShape: 'tmf', failureReasonIn: 'order' });
    const { code, stdout, stderr } = await colt(mock, ['activate', '--file', await bodyFile('json', ACTIVATION), '--wait', '30s', '--poll', '100ms', '--json']);
    expect(code).toBe(1);
    const document = JSON.parse(stdout) as { answer: { orderId: string }; orderId: string; final: { status: string; reason: string | null } };
    expect(document.orderId).toBe(document.answer.orderId);
    expect(document.final.status).toBe('failed');
    expect(stderr).toMatch(/waiting up to 30 s/);
    expect(stdout).not.toMatch(/waiting/);
  });

  it('activate --wait exits 2 when no final status comes in time', async () => {
    const mock = await mockColt({ completeAfterMs: 60 * 60_000, schedule: undefined });
    const { code, stderr } = await colt(mock, ['activate', '--file', await bodyFile('slow', ACTIVATION), '--wait', '1s', '--poll', '200ms']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/no final status after 1 s \(last seen: (raised|not seen yet)\)/);
  });

  it('usage problems exit 2 before calling Colt', async () => {
    const mock = await mockColt();
    expect((await colt(mock, ['order'])).code).toBe(2);
    expect((await colt(mock, ['numbers', 'x'])).code).toBe(2);
    expect((await colt(mock, ['activate'])).code).toBe(2);
    expect((await colt(mock, ['order', 'X', '--wait', '1m'])).code).toBe(2);
    expect((await colt(mock, ['activate', '--file', 'f', '--wait', 'soon'])).code).toBe(2);
    const misspelt = await colt(mock, ['activat', '--file', 'f']);
    expect(misspelt).toMatchObject({ code: 2, stderr: expect.stringContaining('colt-relay colt: unknown subcommand "activat" (did you mean "activate"?)') });
    expect((await colt(mock, ['numbers', '--jsn'])).stderr).toContain('unknown option --jsn (did you mean "--json"?)');
    expect(mock.mock.state.calls).toHaveLength(0);
  });
});

describe('colt-relay colt --wait without a way to read the order: refused before anything is placed', () => {
  async function withMock(run: (mock: RunningMockColt, file: string) => Promise<void>) {
    const mock = await startMockColt({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, schedule: immediateScheduler });
    try {
      const dir = await mkdtemp(join(tmpdir(), 'colt-cli-'));
      const file = join(dir, 'body.json');
      await writeFile(file, JSON.stringify(ACTIVATION));
      await run(mock, file);
    } finally {
      await mock.close();
    }
  }
  const envFor = (mock: RunningMockColt, extra: Record<string, string> = {}) => ({
    COLT_CLIENT_ID: CLIENT_ID,
    COLT_CLIENT_SECRET: CLIENT_SECRET,
    COLT_API_BASE_URL: mock.apiBaseUrl,
    COLT_TOKEN_URL: mock.tokenUrl,
    LOG_LEVEL: 'silent',
    ...extra,
  });
  async function run(mock: RunningMockColt, args: string[], env: Record<string, string>) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runColt(args, { stdout: (s) => void out.push(s), stderr: (s) => void err.push(s), env });
    return { code, stdout: out.join(''), stderr: err.join(''), calls: mock.mock.state.calls.length };
  }

  it('embedded database and no ADMIN_TOKEN: exit 2, says why, and Colt received no call at all', async () => {
    await withMock(async (mock, file) => {
      const result = await run(mock, ['activate', '--file', file, '--wait', '10s'], envFor(mock));
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/cannot --wait, so nothing was placed at Colt: .*set ADMIN_TOKEN/);
      expect(result.stdout).toBe('');
      expect(result.calls).toBe(0);
      expect(mock.mock.state.orders.size).toBe(0);
    });
  });

  it('nothing listening, a token refused, or not a relay: exit 2 naming the relay, nothing placed', async () => {
    const refusing = createServer((_req, res) => res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"code":"unauthorized"}}'));
    const notRelay = createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<html>Not Found</html>'));
    const closed = createServer();
    const listen = async (server: Server) => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    };
    const [refusingUrl, notRelayUrl, closedUrl] = [await listen(refusing), await listen(notRelay), await listen(closed)];
    await new Promise((resolve) => closed.close(resolve));
    try {
      await withMock(async (mock, file) => {
        const token = { ADMIN_TOKEN: 'wrong-admin-token-0123456789abcd' };
        const attempt = (url: string) => run(mock, ['activate', '--file', file, '--wait', '10s', '--relay-url', url], envFor(mock, token));
        const unreachable = await attempt(closedUrl);
        expect(unreachable.code).toBe(2);
        expect(unreachable.stderr).toContain(`cannot --wait, so nothing was placed at Colt: cannot reach the running relay's admin API at ${closedUrl}: ECONNREFUSED`);
        const refused = await attempt(refusingUrl);
        expect(refused.code).toBe(2);
        expect(refused.stderr).toContain(`the running relay at ${refusingUrl} refused ADMIN_TOKEN (401): use the relay's ADMIN_TOKEN`);
        const other = await attempt(notRelayUrl);
        expect(other.code).toBe(2);
        expect(other.stderr).toContain(`the relay at ${notRelayUrl} answered GET /api/orders/colt-relay-wait-check with HTTP 404: is it a colt-relay`);
        expect(mock.mock.state.calls).toEqual([]);
      });
    } finally {
      await new Promise((resolve) => refusing.close(resolve));
      await new Promise((resolve) => notRelay.close(resolve));
    }
  });

  it('cancel-reservation --wait is a usage error: a cancellation creates no order id', async () => {
    await withMock(async (mock, file) => {
      const result = await run(mock, ['cancel-reservation', '--file', file, '--wait', '10s'], envFor(mock, { ADMIN_TOKEN }));
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/--wait cannot follow cancel-reservation: a reservation cancellation creates no order id/);
      expect(result.calls).toBe(0);
    });
  });
});
