/**
 * Online guessing (issue 25, point 8 of the review): production refuses a CALLBACK_TOKEN or a
 * METRICS_TOKEN under 16 characters, as it does an ADMIN_TOKEN, and wrong METRICS_TOKEN
 * attempts count against the caller like wrong admin tokens: the sixth in a window is 429.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from '../../src/config/env.js';
import { createPromMetrics } from '../../src/runtime/node/prom-metrics.js';
import { runCli } from '../support/cli.js';
import { STORE_KINDS } from '../support/store.js';
import { ADMIN_TOKEN, startSecurityRelay, type SecurityRelay } from './support.js';

const LONG = 'a-callback-token-of-32-characters';
const SHORT = 'fifteen-chars-x';

describe('short tokens in production', () => {
  it.each(['CALLBACK_TOKEN', 'METRICS_TOKEN'])('%s under 16 characters is refused when NODE_ENV=production, naming it', (name) => {
    const base = { NODE_ENV: 'production', CALLBACK_TOKEN: LONG };
    expect(() => parseEnv({ ...base, [name]: SHORT })).toThrow(ConfigError);
    expect(() => parseEnv({ ...base, [name]: SHORT })).toThrow(new RegExp(`${name}: must be at least 16 characters when NODE_ENV=production`));
    expect(parseEnv({ ...base, [name]: `${SHORT}y` })[name as 'CALLBACK_TOKEN']).toBe(`${SHORT}y`);
    // Outside production it is a warning only (local development).
    expect(parseEnv({ ...base, NODE_ENV: 'development', [name]: 'short' })[name as 'CALLBACK_TOKEN']).toBe('short');
  });

  describe('colt-relay serve', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'colt-relay-short-token-'));
    });
    afterAll(async () => rm(dir, { recursive: true, force: true }));

    it('NODE_ENV=production with a 15-character CALLBACK_TOKEN exits 1 before opening the database', async () => {
      const result = await runCli(['serve'], { NODE_ENV: 'production', CALLBACK_TOKEN: SHORT, PORT: '0', HOST: '127.0.0.1', DATA_DIR: join(dir, 'data') });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('CALLBACK_TOKEN: must be at least 16 characters when NODE_ENV=production');
      expect(result.stderr).not.toContain(SHORT);
    }, 120_000);
  });
});

describe.each(STORE_KINDS)('wrong METRICS_TOKEN attempts on %s', (kind) => {
  const METRICS_TOKEN = 'metrics-scrape-token-91c3e0a7';
  let relay: SecurityRelay;
  beforeAll(async () => {
    const prom = createPromMetrics({ defaultMetrics: false });
    relay = await startSecurityRelay(kind, { METRICS_TOKEN }, { renderMetrics: () => prom.render() });
  });
  afterAll(async () => relay?.close());

  const scrape = (token: string) => relay.app.request('/metrics', { headers: { authorization: `Bearer ${token}` } });

  it('five wrong tokens are 401, the sixth 429 with Retry-After, even the right one until the window ends', async () => {
    relay.peer = '198.51.100.40';
    expect((await scrape(METRICS_TOKEN)).status).toBe(200);
    for (let i = 1; i <= 5; i++) expect((await scrape(`wrong-metrics-token-${i}`)).status, `attempt ${i}`).toBe(401);
    const sixth = await scrape('wrong-metrics-token-6');
    expect(sixth.status).toBe(429);
    expect(await sixth.json()).toEqual({ error: { code: 'too_many_requests', message: expect.stringContaining('retry in') } });
    const wait = Number(sixth.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    expect((await scrape(METRICS_TOKEN)).status).toBe(429);
    // Each failure's answer was held, as a wrong admin token's is.
    expect(relay.held.slice(-5)).toEqual([250, 500, 750, 1000, 1000]);

    // Another address is not affected; the first may scrape again once its window has passed.
    relay.peer = '198.51.100.41';
    expect((await scrape(METRICS_TOKEN)).status).toBe(200);
    relay.peer = '198.51.100.40';
    relay.clock.advance(wait * 1000);
    expect((await scrape(METRICS_TOKEN)).status).toBe(200);
  });

  it('wrong metrics tokens and wrong admin tokens share the address’s count', async () => {
    relay.peer = '198.51.100.42';
    for (let i = 1; i <= 5; i++) expect((await scrape(`wrong-${i}`)).status).toBe(401);
    const api = await relay.app.request('/api/events', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(api.status).toBe(429);
  });
});
