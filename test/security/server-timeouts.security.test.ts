/**
 * Slow clients (issue 25, finding 9): the Node server closes a connection whose headers or body
 * never finish, an idle keep-alive connection, and connections past its cap, so a few hundred
 * slow-body requests cannot hold the relay's sockets for minutes. Raw sockets against
 * `startNodeServer` (the real listener), with short timeouts set through the variables.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from '../../src/config/env.js';
import { createSilentLogger } from '../../src/lib/logger.js';
import { startNodeServer, type RunningNode } from '../../src/runtime/node/server.js';
import { nodeServerEnv } from '../support/relay.js';
import { createPgliteDataDir } from '../support/store.js';

const TOKEN = 'server-timeouts-token-0123456789';
const ADMIN = 'server-timeouts-admin-token-0123';

interface RawConnection {
  socket: Socket;
  /** Everything the server wrote. */
  received(): string;
  /** Resolves with the milliseconds from `opened` to the server closing the connection, or null after `withinMs`. */
  closedWithin(withinMs: number): Promise<number | null>;
}

async function open(port: number, data?: string): Promise<RawConnection> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const opened = performance.now();
  let text = '';
  let closedAt: number | null = null;
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      closedAt = performance.now();
      resolve();
    }),
  );
  socket.on('data', (d: Buffer) => (text += d.toString()));
  socket.on('error', () => {}); // a reset by the server is one way of closing
  if (data) socket.write(data);
  return {
    socket,
    received: () => text,
    closedWithin: async (withinMs) => {
      await Promise.race([closed, new Promise((r) => setTimeout(r, withinMs))]);
      return closedAt === null ? null : closedAt - opened;
    },
  };
}

/** A request whose body stops after its first bytes (each route waits for the body it reads). */
const slowBody = (route: string) => {
  const type = route === '/login' ? 'application/x-www-form-urlencoded' : 'application/json';
  const token = route.startsWith('/api') ? ADMIN : TOKEN;
  return `POST ${route} HTTP/1.1\r\nHost: relay\r\nContent-Type: ${type}\r\nAuthorization: Bearer ${token}\r\nContent-Length: 200\r\n\r\n{"orderId":`;
};

describe('Node server timeouts', () => {
  let parent: string;
  let node: RunningNode;
  beforeAll(async () => {
    parent = await mkdtemp(path.join(tmpdir(), 'colt-relay-timeouts-'));
    const dir = await createPgliteDataDir(parent);
    node = await startNodeServer({
      env: nodeServerEnv({
        DATA_DIR: dir,
        CALLBACK_TOKEN: TOKEN,
        ADMIN_TOKEN: ADMIN,
        HTTP_HEADERS_TIMEOUT: '1s',
        HTTP_REQUEST_TIMEOUT: '4s',
        HTTP_KEEP_ALIVE_TIMEOUT: '1s',
        HTTP_MAX_CONNECTIONS: '40',
      }),
      logger: createSilentLogger(),
    });
  }, 180_000);
  afterAll(async () => {
    await node?.stop();
    await rm(parent, { recursive: true, force: true });
  });

  it('headers that never finish: closed after HTTP_HEADERS_TIMEOUT (1 s), well before the request timeout', async () => {
    const conn = await open(node.port, 'GET /healthz HTTP/1.1\r\nHost: relay\r\n');
    const ms = await conn.closedWithin(8000);
    console.log(`unfinished headers closed after ${ms?.toFixed(0)} ms`);
    expect(ms).not.toBeNull();
    // Node looks for expired requests once a second: 1–2 s, never the request timeout's 4 s.
    expect(ms!).toBeLessThan(3500);
  });

  it('bodies that never arrive (/login, /callbacks/colt, /api): every connection closed with 408 after HTTP_REQUEST_TIMEOUT (4 s)', async () => {
    const routes = ['/login', '/callbacks/colt', '/api/silences'];
    const conns = await Promise.all(Array.from({ length: 30 }, (_, i) => open(node.port, slowBody(routes[i % routes.length]!))));
    const times = await Promise.all(conns.map((c) => c.closedWithin(12_000)));
    const worst = Math.max(...times.map((t) => t ?? Infinity));
    console.log(`30 slow-body connections: all closed, the last after ${worst.toFixed(0)} ms`);
    expect(times.every((t) => t !== null)).toBe(true);
    expect(worst).toBeLessThan(4000 + 2500);
    for (const c of conns) expect(c.received()).toMatch(/^HTTP\/1\.1 408/);
  });

  it('an idle keep-alive connection is closed after HTTP_KEEP_ALIVE_TIMEOUT (1 s)', async () => {
    const conn = await open(node.port, 'GET /healthz HTTP/1.1\r\nHost: relay\r\nConnection: keep-alive\r\n\r\n');
    const ms = await conn.closedWithin(6000);
    expect(conn.received()).toMatch(/^HTTP\/1\.1 200/);
    expect(ms).not.toBeNull();
    // Node 24 keeps the socket a further second (keepAliveTimeoutBuffer) for answers in flight.
    expect(ms!).toBeLessThan(1000 + 1000 + 1500);
    expect(ms!).toBeGreaterThanOrEqual(900);
  });

  it('past HTTP_MAX_CONNECTIONS (40) a new connection is dropped; a request gets through once they close', async () => {
    const held = await Promise.all(Array.from({ length: 40 }, () => open(node.port)));
    const extra = await open(node.port, 'GET /healthz HTTP/1.1\r\nHost: relay\r\n\r\n');
    expect(await extra.closedWithin(1000)).not.toBeNull();
    expect(extra.received()).toBe('');
    for (const c of held) c.socket.destroy();
    await new Promise((r) => setTimeout(r, 100)); // the server sees the closes (another process's view: no clock to drive)
    expect((await fetch(`http://127.0.0.1:${node.port}/healthz`)).status).toBe(200);
  });

  it('an ordinary callback is unaffected', async () => {
    const res = await fetch(`http://127.0.0.1:${node.port}/callbacks/colt`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ orderId: 'IN-ORD-TIMEOUTS', status: 'raised' }),
    });
    expect(res.status).toBe(200);
  });
});

describe('timeout settings', () => {
  it('defaults: headers 10 s, request 30 s, keep-alive 5 s, 1000 connections', () => {
    const env = parseEnv({});
    expect([env.HTTP_HEADERS_TIMEOUT, env.HTTP_REQUEST_TIMEOUT, env.HTTP_KEEP_ALIVE_TIMEOUT, env.HTTP_MAX_CONNECTIONS]).toEqual([10_000, 30_000, 5_000, 1000]);
  });

  it('a headers timeout longer than the request timeout is refused, naming both', () => {
    expect(() => parseEnv({ HTTP_HEADERS_TIMEOUT: '40s', HTTP_REQUEST_TIMEOUT: '30s' })).toThrow(ConfigError);
    expect(() => parseEnv({ HTTP_HEADERS_TIMEOUT: '40s' })).toThrow(/HTTP_HEADERS_TIMEOUT: must not be longer than HTTP_REQUEST_TIMEOUT/);
  });
});
