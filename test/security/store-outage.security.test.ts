/**
 * A store outage makes callers wait (issue 25, outage behaviour): with Postgres unreachable a
 * callback is answered 503 store_unavailable with Retry-After within 3 s, whether the server is
 * gone (connections refused) or the network holds everything (a partition: connections open,
 * nothing answered), and callbacks are 200 again as soon as the store is back. Postgres is cut
 * off through a TCP proxy (test/support/tcp-proxy.ts); the shared server is never stopped.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../src/lib/logger.js';
import { startNodeServer, type RunningNode } from '../../src/runtime/node/server.js';
import { nodeServerEnv } from '../support/relay.js';
import { createTestStore, STORE_KINDS, type TestStore } from '../support/store.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const TOKEN = 'store-outage-token-0123456789';

interface Answer {
  status: number;
  ms: number;
  retryAfter: string | null;
  code: string | null;
}

/** One callback; gives up (status 0) after `abortMs`, so a hanging answer fails the test instead of stalling it. */
async function post(port: number, orderId: string, abortMs = 10_000): Promise<Answer> {
  const started = performance.now();
  try {
    const res = await fetch(`http://127.0.0.1:${port}/callbacks/colt`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ orderId, status: 'raised' }),
      signal: AbortSignal.timeout(abortMs),
    });
    const body = (await res.json()) as { error?: { code: string } };
    return { status: res.status, ms: performance.now() - started, retryAfter: res.headers.get('retry-after'), code: body.error?.code ?? null };
  } catch {
    return { status: 0, ms: performance.now() - started, retryAfter: null, code: null };
  }
}

describe.runIf(STORE_KINDS.includes('postgres'))('callbacks while Postgres is unreachable', () => {
  let store: TestStore | undefined;
  let proxy: TcpProxy | undefined;
  let node: RunningNode | undefined;
  afterEach(async () => {
    await proxy?.restore().catch(() => {});
    await node?.stop();
    await proxy?.close();
    await store?.close();
    [store, proxy, node] = [undefined, undefined, undefined];
  });

  async function startBehindProxy(): Promise<RunningNode> {
    store = await createTestStore('postgres');
    const target = new URL(store.url!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(store.url!);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    node = await startNodeServer({ env: nodeServerEnv({ DATABASE_URL: viaProxy.toString(), CALLBACK_TOKEN: TOKEN }), logger: createSilentLogger() });
    return node;
  }

  it.each([
    ['gone (connections reset, new ones refused)', (p: TcpProxy) => p.cut()],
    ['partitioned (connections held, nothing answered)', (p: TcpProxy) => p.hang()],
  ])('store %s: ten callbacks each answered 503 with Retry-After within 3 s, 200 again once it is back', async (_, outage) => {
    const relay = await startBehindProxy();
    expect((await post(relay.port, 'OUTAGE-0')).status).toBe(200);
    await outage(proxy!);

    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => post(relay.port, `OUTAGE-${i + 1}`)));
    console.log(`store ${_}: ${answers.map((a) => `${a.status} in ${a.ms.toFixed(0)} ms`).join(', ')}`);
    for (const a of answers) {
      expect(a).toMatchObject({ status: 503, code: 'store_unavailable', retryAfter: '5' });
      expect(a.ms).toBeLessThan(3000);
    }
    // One at a time too: a caller arriving later waits no longer.
    const later = await post(relay.port, 'OUTAGE-11');
    expect(later.status).toBe(503);
    expect(later.ms).toBeLessThan(3000);

    await proxy!.restore();
    const back = await post(relay.port, 'OUTAGE-12');
    console.log(`store back: ${back.status} in ${back.ms.toFixed(0)} ms`);
    expect(back.status).toBe(200);
    expect(back.ms).toBeLessThan(3000);
    // Colt's retries of the refused callbacks are stored (or found, if a refused one committed late).
    for (let i = 1; i <= 11; i++) expect((await post(relay.port, `OUTAGE-${i}`)).status).toBe(200);
  }, 120_000);
});
