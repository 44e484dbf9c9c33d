/**
 * TRUST_PROXY in hop-count form (issue 25, finding 3): the relay believes whatever
 * X-Forwarded-For a direct caller sends, so
 * - the sign-in throttle also counts the socket peer: a caller rotating the header is answered
 *   429 by its sixth wrong token (dashboard login, admin API, /metrics alike), while clients
 *   behind a proxy named by CIDR are still counted apart;
 * - the relay warns at start that the port must be reachable only through the proxy.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.js';
import { createPromMetrics } from '../../src/runtime/node/prom-metrics.js';
import { startNodeServer } from '../../src/runtime/node/server.js';
import { nodeServerEnv } from '../support/relay.js';
import { createPgliteDataDir, STORE_KINDS } from '../support/store.js';
import { ADMIN_TOKEN, loginForm, startSecurityRelay, type SecurityRelay } from './support.js';

const METRICS_TOKEN = 'metrics-token-of-the-proxy-test';

/** POST /login with a wrong token and an X-Forwarded-For header. */
async function wrongLogin(relay: SecurityRelay, forwardedFor: string): Promise<Response> {
  const { csrf, cookie } = await loginForm(relay.app);
  return relay.app.request('/login', {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': forwardedFor },
    body: new URLSearchParams({ _csrf: csrf, token: 'a-wrong-admin-token', next: '/' }).toString(),
  });
}

const bearer = (relay: SecurityRelay, route: string, token: string, forwardedFor: string) =>
  relay.app.request(route, { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': forwardedFor } });

describe.each(STORE_KINDS)('rotating X-Forwarded-For against the sign-in throttle (%s)', (kind) => {
  let relay: SecurityRelay | undefined;
  afterEach(async () => {
    await relay?.close();
    relay = undefined;
  });
  const start = async (trustProxy: string) => {
    const prom = createPromMetrics({ defaultMetrics: false });
    relay = await startSecurityRelay(kind, { TRUST_PROXY: trustProxy, METRICS_TOKEN }, { renderMetrics: () => prom.render() });
    return relay;
  };

  it.each(['true', '3'])('TRUST_PROXY=%s: a direct caller rotating the header gets 429 by its sixth wrong token', async (trust) => {
    const r = await start(trust);
    r.peer = '198.51.100.66';
    for (const [name, attempt] of [
      ['/login', (xff: string) => wrongLogin(r, xff)],
      ['/api', (xff: string) => bearer(r, '/api/events', 'wrong-admin-token', xff)],
      ['/metrics', (xff: string) => bearer(r, '/metrics', 'wrong-metrics-token', xff)],
    ] as const) {
      r.clock.advance(16 * 60 * 1000); // a fresh window for each surface
      const statuses: number[] = [];
      for (let i = 1; i <= 6; i++) statuses.push((await attempt(`203.0.113.${10 * statuses.length + i}`)).status);
      expect(statuses, name).toEqual([401, 401, 401, 401, 401, 429]);
      // A fresh address in the header does not help either: the socket peer is the same.
      expect((await bearer(r, '/api/events', ADMIN_TOKEN, '192.0.2.200')).status, name).toBe(429);
    }
  });

  it('TRUST_PROXY=<CIDR>: clients behind the named proxy are counted apart; the proxy itself is never locked out', async () => {
    const r = await start('10.0.0.0/8');
    r.peer = '10.0.0.2'; // the proxy
    for (let i = 1; i <= 5; i++) expect((await wrongLogin(r, '198.51.100.7')).status).toBe(401);
    expect((await wrongLogin(r, '198.51.100.7')).status).toBe(429);
    expect((await bearer(r, '/api/events', ADMIN_TOKEN, '198.51.100.7')).status).toBe(429);
    // Another client through the same proxy signs in.
    expect((await bearer(r, '/api/events', ADMIN_TOKEN, '198.51.100.8')).status).toBe(200);
  });

  it('a direct caller spoofing the header while TRUST_PROXY=<CIDR>: its own address counts, whatever it claims', async () => {
    const r = await start('10.0.0.0/8');
    r.peer = '198.51.100.77';
    const statuses: number[] = [];
    for (let i = 1; i <= 6; i++) statuses.push((await wrongLogin(r, `203.0.113.${i}`)).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });
});

describe('the hop-count warning at start', () => {
  let parent: string;
  let dir: string;
  beforeAll(async () => {
    parent = await mkdtemp(path.join(tmpdir(), 'colt-relay-proxy-warning-'));
    dir = await createPgliteDataDir(parent);
  });
  afterAll(async () => rm(parent, { recursive: true, force: true }));

  /** The warn lines `colt-relay serve` logs at start with this TRUST_PROXY. */
  async function startWarnings(trustProxy: string): Promise<string[]> {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', destination: { write: (line: string) => void lines.push(line) } });
    const node = await startNodeServer({ env: nodeServerEnv({ DATA_DIR: dir, CALLBACK_TOKEN: 'proxy-warning-token-0123', TRUST_PROXY: trustProxy }), logger });
    await node.stop();
    return lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
  }

  it.each([
    ['true', '1 hop'],
    ['2', '2 hops'],
  ])('TRUST_PROXY=%s logs that the port must be reachable only through the proxy', async (trust, hops) => {
    const warnings = await startWarnings(trust);
    const line = warnings.find((w) => w.startsWith('TRUST_PROXY'));
    console.log(`TRUST_PROXY=${trust}: ${line}`);
    expect(line).toContain(`TRUST_PROXY trusts ${hops} whatever its address: X-Forwarded-For is believed from any caller`);
    expect(line).toContain('this port must be reachable only through the proxy');
    expect(line).toContain('TRUST_PROXY=<proxy CIDR>');
  }, 180_000);

  it.each(['10.0.0.0/8', 'false'])('TRUST_PROXY=%s: no such warning', async (trust) => {
    expect((await startWarnings(trust)).filter((w) => w.startsWith('TRUST_PROXY'))).toEqual([]);
  }, 180_000);
});
