/**
 * Several Colt credential pairs over real HTTP: a revoked first pair is skipped for the
 * second, with one warn line naming it; the admin API and /metrics say which client id
 * is in use and which was refused, never a secret.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { ConfigError, parseEnv } from '../../src/config/env.js';
import { startMockColt, type RunningMockColt } from '../../src/colt/mock/mock-colt.server.js';
import { createManualClock } from '../../src/lib/clock.js';
import { createLogger } from '../../src/lib/logger.js';
import { createPipeline, type Pipeline } from '../../src/pipeline.js';
import { createPromMetrics } from '../../src/runtime/node/prom-metrics.js';
import { createCallbackWriter } from '../../src/store/ingest.js';
import { STORE_KINDS, createTestStore, type TestStore } from '../support/store.js';
import { immediateScheduler } from './colt-harness.js';

const OLD = { clientId: 'relay-old-1111', clientSecret: 'OLD-SECRET-never-shown-a1' };
const NEW = { clientId: 'relay-new-2222', clientSecret: 'NEW-SECRET-never-shown-b2' };
const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';

describe('COLT_CLIENT_ID / COLT_CLIENT_SECRET lists', () => {
  const parse = (id: string, secret: string) => () => parseEnv({ COLT_CLIENT_ID: id, COLT_CLIENT_SECRET: secret });

  it('pairs up to 5 values by position', () => {
    expect(parse('a,b,c,d,e', 's1,s2,s3,s4,s5')).not.toThrow();
  });

  it('refuses lists of different lengths, naming the variables and not the secrets', () => {
    expect(parse('a,b', 'only-secret-zz9')).toThrow(ConfigError);
    try {
      parse('a,b', 'only-secret-zz9')();
    } catch (error) {
      expect((error as Error).message).toMatch(/COLT_CLIENT_ID has 2 value\(s\) but COLT_CLIENT_SECRET has 1/);
      expect((error as Error).message).not.toContain('only-secret-zz9');
    }
  });

  it('refuses more than 5 pairs', () => {
    expect(parse('a,b,c,d,e,f', '1,2,3,4,5,6')).toThrow(/at most 5 pairs/);
  });
});

// The first test of a file pays for the migrated PGlite snapshot: allow for a loaded machine.
describe.each(STORE_KINDS)('credential rotation against mock-colt (%s)', { timeout: 120_000 }, (kind) => {
  let mock: RunningMockColt | undefined;
  let store: TestStore | undefined;
  let pipeline: Pipeline | undefined;
  afterEach(async () => {
    await pipeline?.close();
    await store?.close();
    await mock?.close();
  });

  it('first pair revoked → the second is used; one warn line naming the first; API and /metrics say which', async () => {
    const clock = createManualClock(Date.now());
    mock = await startMockColt({ ...OLD, clients: [NEW], clock, schedule: immediateScheduler });
    mock.mock.revokeClient(OLD.clientId);
    const orderId = mock.mock.placeOrder({ type: 'activation', country: 'FR' }).order!.orderId;
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
    const rawEnv = {
      COLT_CLIENT_ID: `${OLD.clientId}, ${NEW.clientId}`,
      COLT_CLIENT_SECRET: `${OLD.clientSecret},${NEW.clientSecret}`,
      COLT_API_BASE_URL: mock.apiBaseUrl,
      COLT_TOKEN_URL: mock.tokenUrl,
      ADMIN_TOKEN,
      CALLBACK_TOKEN: 'callback-token-for-tests-0123456789',
      RULES: 'channels: { console: { type: log } }\nrules: [ { name: all, notify: [console] } ]\n',
    };
    const env = parseEnv(rawEnv);
    store = await createTestStore(kind);
    const prom = createPromMetrics({ defaultMetrics: false });
    pipeline = await createPipeline({ env, rawEnv, store, clock, logger, metrics: prom.metrics });
    const app = createApp({
      env,
      store,
      writer: createCallbackWriter(store, { groupCommit: false }),
      clock,
      logger,
      socketAddress: () => '127.0.0.1',
      pipeline,
      metrics: prom.metrics,
      renderMetrics: () => prom.render(),
    });

    expect((await pipeline.colt!.getOrder(orderId)).ok).toBe(true);
    // A later refresh (token expired) starts from the pair in use: no second refusal, no second warning.
    clock.advance(31 * 60_000);
    expect((await pipeline.colt!.getOrder(orderId)).ok).toBe(true);

    const tokenCalls = mock.mock.state.calls.filter((c) => c.path.endsWith('/oauth/token'));
    expect(tokenCalls.map((c) => c.status)).toEqual([401, 200, 200]);
    const warns = lines.map((l) => JSON.parse(l) as { level: number; msg: string; clientId?: string }).filter((l) => l.level === 40);
    expect(warns).toHaveLength(1);
    expect(warns[0]!.clientId).toBe(OLD.clientId);
    expect(warns[0]!.msg).toContain(OLD.clientId);
    const all = lines.join('\n');
    expect(all).not.toContain(OLD.clientSecret);
    expect(all).not.toContain(NEW.clientSecret);

    const res = await app.request('/api/colt/credentials', { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({
      inUse: NEW.clientId,
      pairs: [
        { clientId: OLD.clientId, state: 'refused' },
        { clientId: NEW.clientId, state: 'in_use', refusedAt: null },
      ],
    });
    for (const secret of [OLD.clientSecret, NEW.clientSecret]) expect(text).not.toContain(secret);

    const metrics = await (await app.request('/metrics')).text();
    expect(metrics).toContain(`colt_relay_colt_credential_in_use{client_id="${NEW.clientId}"} 1`);
    expect(metrics).toContain(`colt_relay_colt_credential_in_use{client_id="${OLD.clientId}"} 0`);
    expect(metrics).toContain(`colt_relay_colt_credential_refusals_total{client_id="${OLD.clientId}"} 1`);
    expect(metrics).not.toContain('never-shown');
  });

  it('every pair refused before any token came from the URL: the URL is named first, no pair is marked refused, one warning', async () => {
    const clock = createManualClock(Date.now());
    mock = await startMockColt({ ...OLD, clients: [NEW], clock, schedule: immediateScheduler });
    mock.mock.revokeClient(OLD.clientId);
    mock.mock.revokeClient(NEW.clientId);
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', destination: { write: (line: string) => void lines.push(line) } });
    const rawEnv = {
      COLT_CLIENT_ID: `${OLD.clientId},${NEW.clientId}`,
      COLT_CLIENT_SECRET: `${OLD.clientSecret},${NEW.clientSecret}`,
      COLT_API_BASE_URL: mock.apiBaseUrl,
      COLT_TOKEN_URL: mock.tokenUrl,
      RULES: 'channels: { console: { type: log } }\nrules: [ { name: all, notify: [console] } ]\n',
    };
    store = await createTestStore(kind);
    pipeline = await createPipeline({ env: parseEnv(rawEnv), rawEnv, store, clock, logger });
    const first = await pipeline.colt!.getOrder('IN-ORD-1');
    const second = await pipeline.colt!.getOrder('IN-ORD-1');
    for (const result of [first, second]) {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toMatch(/token request failed, HTTP 401.*all 2 client id\/secret pairs refused.*Check COLT_TOKEN_URL.*Then COLT_ENV.*then COLT_CLIENT_ID/);
    }
    const warns = lines.map((l) => JSON.parse(l) as { msg: string; clientIds?: string[] });
    expect(warns).toHaveLength(1);
    expect(warns[0]!.msg.indexOf('COLT_TOKEN_URL')).toBeLessThan(warns[0]!.msg.indexOf('COLT_CLIENT_ID'));
    expect(warns[0]!.clientIds).toEqual([OLD.clientId, NEW.clientId]);
    expect(lines.join('\n')).not.toMatch(/never-shown/);
    const status = pipeline.colt!.credentials();
    expect(status).toMatchObject({ inUse: null, pairs: [{ state: 'standby' }, { state: 'standby' }] });
    expect(status.pairs[0]!.reason).toMatch(/Check COLT_TOKEN_URL/);
  });

  it('once a pair got a token, a later 401 is about the pairs: each marked refused and warned once', async () => {
    const clock = createManualClock(Date.now());
    mock = await startMockColt({ ...OLD, clients: [NEW], clock, schedule: immediateScheduler });
    const orderId = mock.mock.placeOrder({ type: 'activation', country: 'FR' }).order!.orderId;
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', destination: { write: (line: string) => void lines.push(line) } });
    const rawEnv = {
      COLT_CLIENT_ID: `${OLD.clientId},${NEW.clientId}`,
      COLT_CLIENT_SECRET: `${OLD.clientSecret},${NEW.clientSecret}`,
      COLT_API_BASE_URL: mock.apiBaseUrl,
      COLT_TOKEN_URL: mock.tokenUrl,
      RULES: 'channels: { console: { type: log } }\nrules: [ { name: all, notify: [console] } ]\n',
    };
    store = await createTestStore(kind);
    pipeline = await createPipeline({ env: parseEnv(rawEnv), rawEnv, store, clock, logger });
    expect((await pipeline.colt!.getOrder(orderId)).ok).toBe(true);
    mock.mock.revokeClient(OLD.clientId);
    mock.mock.revokeClient(NEW.clientId);
    clock.advance(31 * 60_000);
    const refused = await pipeline.colt!.getOrder(orderId);
    expect(refused.ok ? '' : refused.reason).toMatch(/token request failed, HTTP 401/);
    expect(refused.ok ? '' : refused.reason).not.toMatch(/COLT_TOKEN_URL/);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain(OLD.clientId);
    expect(lines[1]).toContain(NEW.clientId);
    expect(pipeline.colt!.credentials()).toMatchObject({ inUse: null, pairs: [{ state: 'refused' }, { state: 'refused' }] });
  });
});
