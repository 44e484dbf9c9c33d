/**
 * The Node process's life (docs/design.md#runtime-and-packaging): `worker` mode serves health, readiness and
 * metrics on PORT and is not warned about callbacks it never receives; /readyz answers
 * 503 while draining after stop() (SIGTERM), in both modes, and says why it is not ready.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHealthRoutes } from '../../../src/http/health.routes.js';
import { createLogger } from '../../../src/lib/logger.js';
import { startNodeServer } from '../../../src/runtime/node/server.js';
import { openPostgresStore } from '../../../src/store/db.js';
import { insertTestEvent } from '../../deliver/support.js';

/** A webhook receiver that holds every request until released: a delivery stays in flight. */
interface HangingHook {
  url: string;
  /** Resolves when the first request arrives. */
  arrived: Promise<void>;
  release(): void;
  close(): Promise<void>;
}

async function startHangingHook(): Promise<HangingHook> {
  const held: ServerResponse[] = [];
  let arrive!: () => void;
  const arrived = new Promise<void>((resolve) => (arrive = resolve));
  const server: Server = createServer((req: IncomingMessage, res) => {
    req.resume();
    held.push(res);
    arrive();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    arrived,
    release: () => {
      for (const res of held.splice(0)) res.end('{}');
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function capturingLogger(): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } }), lines };
}

const rules = (url: string) => `channels:\n  hook: { type: webhook, url: "${url}", secret: "whsec_${Buffer.from('lifecycle-webhook-secret-0123456').toString('base64')}" }\nrules:\n  - name: all\n    notify: [hook]\n`;

describe.each(['serve', 'worker'] as const)('%s mode', (mode) => {
  let hook: HangingHook;
  beforeAll(async () => {
    hook = await startHangingHook();
  });
  afterAll(async () => {
    hook.release();
    await hook.close();
  });

  it('serves /healthz, /readyz, /metrics; /readyz answers 503 draining while in-flight work finishes', async () => {
    const { logger, lines } = capturingLogger();
    const running = await startNodeServer({
      mode,
      logger,
      env: {
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: 'memory://',
        RULES: rules(hook.url),
        WEBHOOK_ALLOW_PRIVATE: 'true',
        ...(mode === 'serve' ? { CALLBACK_TOKEN: 'lifecycle-callback-token-01234567' } : { NODE_ENV: 'production' }),
      },
    });
    const base = `http://127.0.0.1:${running.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready', store: 'pglite' });
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^# HELP /m);
    const callbacks = await fetch(`${base}/callbacks/colt`, { method: 'POST', body: '{}' });
    expect(callbacks.status).toBe(mode === 'worker' ? 404 : 401);
    const log = lines.join('\n');
    expect(log).toMatch(/"msg":"listening"/);
    // NODE_ENV=production without callback authentication: fine for a dispatcher, which receives none.
    if (mode === 'worker') expect(log).not.toMatch(/callbacks are NOT authenticated/);

    await insertTestEvent(running.store.db, { receivedAt: new Date(), orderId: `ORD-DRAIN-${mode}` });
    running.pipeline.wake();
    await hook.arrived;
    const stopping = running.stop();
    const draining = await fetch(`${base}/readyz`);
    expect(draining.status).toBe(503);
    expect(await draining.json()).toEqual({ status: 'draining', store: 'pglite', reason: 'shutting down: finishing in-flight work' });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    hook.release();
    await stopping;
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  }, 120_000);
});

describe('/readyz when the database is unreachable', () => {
  it('answers 503 with the cause, without the URL or its password', async () => {
    const store = await openPostgresStore({ url: 'postgres://relay:s3cret-pw@127.0.0.1:1/relay', connectTimeoutS: 2 });
    try {
      const res = await createHealthRoutes({ store, version: 'test' }).request('/readyz');
      expect(res.status).toBe(503);
      const body = await res.text();
      expect(JSON.parse(body)).toEqual({ status: 'unavailable', store: 'postgres', reason: 'cannot connect to 127.0.0.1:1: connection refused' });
      expect(body).not.toContain('s3cret-pw');
    } finally {
      await store.close();
    }
  });
});
