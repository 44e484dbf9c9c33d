/**
 * Finding 1: a caller cannot choose its address for the IP allow-list through
 * X-Forwarded-For, in any TRUST_PROXY form (docs/design.md#trust-and-proxies).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../src/lib/logger.js';
import { startNodeServer } from '../../src/runtime/node/server.js';
import { createTestRelay, nodeServerEnv } from '../support/relay.js';
import { createPgliteDataDir, createTestStore, STORE_KINDS, type TestStore } from '../support/store.js';

const ALLOWED = '203.0.113.0/24';

/** Spoofs a caller may send: the leftmost entry, and legacy number forms of 203.0.113.7. */
const SPOOFS = ['203.0.113.7', '3405803783', '0xcb.0.113.7', '0xcb007107', '0313.0.0161.7', '203.0.113.7:443', 'garbage, , ,'];

describe.each(STORE_KINDS)('X-Forwarded-For spoofing on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
  });
  afterAll(async () => store.close());

  /** A relay whose socket peer is `peer`, posting with an X-Forwarded-For header. */
  async function statusFor(trustProxy: string, peer: string, forwardedFor: string): Promise<number> {
    const relay = await createTestRelay(kind, { CALLBACK_ALLOWED_IPS: ALLOWED, TRUST_PROXY: trustProxy }, { store, remoteAddr: peer });
    try {
      const res = await relay.post({ orderId: `XFF-${trustProxy}` }, { headers: { 'x-forwarded-for': forwardedFor } });
      if (res.status !== 200) expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
      return res.status;
    } finally {
      await relay.close();
    }
  }

  it.each(['true', '1', '2', '10.0.0.0/8'])('TRUST_PROXY=%s: a spoofed entry left of the real client is refused', async (trust) => {
    // The trusted proxies appended the real client (198.51.100.99) and, for 2 hops, themselves.
    const chain = trust === '2' ? '198.51.100.99, 10.0.0.1' : trust === '10.0.0.0/8' ? '198.51.100.99, 10.0.0.1' : '198.51.100.99';
    for (const spoof of SPOOFS) expect(await statusFor(trust, '10.0.0.2', `${spoof}, ${chain}`), spoof).toBe(401);
  });

  it.each(['true', '2', '10.0.0.0/8'])('TRUST_PROXY=%s: the allowed client behind the proxies is accepted', async (trust) => {
    const chain = trust === 'true' ? '203.0.113.7' : '203.0.113.7, 10.0.0.1';
    expect(await statusFor(trust, '10.0.0.2', `198.51.100.1, ${chain}`)).toBe(200);
  });

  it.each(['true', '10.0.0.0/8'])('TRUST_PROXY=%s: a malformed client entry is a 401, never a 500', async (trust) => {
    for (const client of SPOOFS.slice(1)) expect(await statusFor(trust, '10.0.0.2', client), client).toBe(401);
  });

  it('TRUST_PROXY=<CIDRs>: a socket peer outside the proxy ranges is the client, whatever it forwards', async () => {
    expect(await statusFor('10.0.0.0/8', '198.51.100.99', '203.0.113.7')).toBe(401);
    expect(await statusFor('10.0.0.0/8', '203.0.113.9', '198.51.100.99')).toBe(200);
  });

  it('TRUST_PROXY=false: the header is ignored', async () => {
    expect(await statusFor('false', '198.51.100.99', '203.0.113.7')).toBe(401);
  });
});

describe('the issue\'s reproduction over a real socket (peer 127.0.0.1)', () => {
  let parent: string;
  let dir: string;
  beforeAll(async () => {
    parent = await mkdtemp(path.join(tmpdir(), 'colt-relay-proxy-'));
    // Already migrated (from the test snapshot): this test is about the listener, not initdb.
    dir = await createPgliteDataDir(parent);
  });
  afterAll(async () => rm(parent, { recursive: true, force: true }));

  it('TRUST_PROXY=true with X-Forwarded-For "203.0.113.7, 198.51.100.99" or "3405803783" → 401', async () => {
    const node = await startNodeServer({
      env: nodeServerEnv({ DATA_DIR: dir, LOG_LEVEL: 'silent', CALLBACK_ALLOWED_IPS: ALLOWED, TRUST_PROXY: 'true' }),
      logger: createSilentLogger(),
    });
    try {
      const post = (xff: string) =>
        fetch(`http://127.0.0.1:${node.port}/callbacks/colt`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': xff },
          body: JSON.stringify({ orderId: 'XFF-REAL', status: 'completed' }),
        });
      expect((await post('203.0.113.7, 198.51.100.99')).status).toBe(401);
      expect((await post('3405803783')).status).toBe(401);
      // What a real proxy at 127.0.0.1 would send for an allowed client.
      expect((await post('198.51.100.99, 203.0.113.7')).status).toBe(200);
    } finally {
      await node.stop();
    }
  }, 180_000); // an embedded database starts first: slow on a loaded machine
});
