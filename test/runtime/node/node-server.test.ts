/** The receiver behind a real listener (@hono/node-server), on PGlite and on Postgres. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../../src/lib/logger.js';
import { startNodeServer, type RunningNode } from '../../../src/runtime/node/server.js';
import { fixtureText } from '../../support/fixtures.js';
import { nodeServerEnv } from '../../support/relay.js';
import { createPgliteDataDir, createTestStore, STORE_KINDS, type TestStore } from '../../support/store.js';
import { startTcpProxy } from '../../support/tcp-proxy.js';

const TOKEN = 'node-server-test-token-123456';

interface Backend {
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

async function backend(kind: 'pglite' | 'postgres'): Promise<Backend> {
  if (kind === 'pglite') {
    const dir = await mkdtemp(path.join(tmpdir(), 'colt-relay-'));
    return { env: { DATA_DIR: path.join(dir, 'nested', 'data') }, cleanup: () => rm(dir, { recursive: true, force: true }) };
  }
  const store: TestStore = await createTestStore('postgres');
  const url = store.url!;
  return { env: { DATABASE_URL: url }, cleanup: () => store.close() };
}

function start(env: Record<string, string>): Promise<RunningNode> {
  return startNodeServer({
    env: nodeServerEnv({ CALLBACK_TOKEN: TOKEN, LOG_LEVEL: 'silent', ...env }),
    logger: createSilentLogger(),
  });
}

const post = (port: number, body: string) =>
  fetch(`http://127.0.0.1:${port}/callbacks/colt`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body,
  });

describe.each(STORE_KINDS)('node server on %s', (kind) => {
  let db: Backend;
  beforeAll(async () => {
    db = await backend(kind);
  });
  afterAll(async () => db.cleanup());

  it('50 identical concurrent callbacks: one stored, 49 duplicates; still a duplicate after a restart', async () => {
    const body = fixtureText('tmf-product-order-completed.json');
    let server = await start(db.env);
    const answers = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const res = await post(server.port!, body);
        return { http: res.status, ...((await res.json()) as { id: string; duplicate: boolean }) };
      }),
    );
    expect(answers.filter((a) => a.http !== 200)).toEqual([]);
    expect(answers.filter((a) => !a.duplicate)).toHaveLength(1);
    expect(answers.filter((a) => a.duplicate)).toHaveLength(49);
    expect(new Set(answers.map((a) => a.id)).size).toBe(1);
    await server.stop();

    server = await start(db.env);
    const again = await post(server.port!, body);
    expect(await again.json()).toEqual({ status: 'accepted', id: answers[0]!.id, duplicate: true });
    await server.stop();
  });

  it('refuses non-JSON over the socket with a JSON error, never HTML', async () => {
    const server = await start(db.env);
    const res = await fetch(`http://127.0.0.1:${server.port}/callbacks/colt`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${TOKEN}` },
      body: 'hello',
    });
    expect(res.status).toBe(415);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    await server.stop();
  });
});

describe.runIf(STORE_KINDS.includes('postgres'))('store outage on postgres', () => {
  it('answers 503 with Retry-After while Postgres is unreachable, and recovers by itself', async () => {
    const store = await createTestStore('postgres');
    const target = new URL(store.url!);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(store.url!);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const server = await start({ DATABASE_URL: viaProxy.toString() });
    try {
      expect((await post(server.port!, '{"orderId":"OUT-1"}')).status).toBe(200);
      await proxy.cut();
      const down = await post(server.port!, '{"orderId":"OUT-2"}');
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toBe('5');
      expect(((await down.json()) as { error: { code: string } }).error.code).toBe('store_unavailable');
      expect((await fetch(`http://127.0.0.1:${server.port}/readyz`)).status).toBe(503);
      expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
      await proxy.restore();
      const back = await post(server.port!, '{"orderId":"OUT-2"}');
      expect(back.status).toBe(200);
      expect(((await back.json()) as { duplicate: boolean }).duplicate).toBe(false);
      expect((await fetch(`http://127.0.0.1:${server.port}/readyz`)).status).toBe(200);
    } finally {
      await server.stop();
      await proxy.close();
      await store.close();
    }
  });
});

describe('store outage on pglite', () => {
  it('answers 503 store_unavailable with Retry-After once the embedded store is gone', async () => {
    // A migrated folder (the first start on an empty one is the 'node server on pglite' tests').
    const parent = await mkdtemp(path.join(tmpdir(), 'colt-relay-'));
    const server = await start({ DATA_DIR: await createPgliteDataDir(parent) });
    try {
      expect((await post(server.port!, '{"orderId":"PGL-1"}')).status).toBe(200);
      await server.store.close();
      const down = await post(server.port!, '{"orderId":"PGL-2"}');
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toBe('5');
      expect((await fetch(`http://127.0.0.1:${server.port}/readyz`)).status).toBe(503);
    } finally {
      await server.stop();
      await rm(parent, { recursive: true, force: true });
    }
  });
});
