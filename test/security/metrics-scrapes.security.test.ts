/**
 * /metrics scrapes cost the same whatever the data and however many scrapers (issue 25,
 * finding 1; the latency under a scrape flood is bench:flood's scrapes case):
 * - every store-read gauge goes through one shared read: fifty concurrent scrapes make one
 *   read per gauge, later scrapes reuse it for METRICS_GAUGE_MAX_AGE, a failed read counts
 *   once and is read again at the next scrape;
 * - the rendered text is shared for a second;
 * - production without METRICS_TOKEN warns at start, and compose.yaml requires one.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/config/env.js';
import { createLogger } from '../../src/lib/logger.js';
import { createPromMetrics } from '../../src/runtime/node/prom-metrics.js';
import { startNodeServer } from '../../src/runtime/node/server.js';
import { storeGaugeReads, type StoreGaugeReads } from '../../src/runtime/node/store-gauges.js';
import { nodeServerEnv } from '../support/relay.js';
import { createPgliteDataDir, STORE_KINDS } from '../support/store.js';
import { startSecurityRelay, type SecurityRelay } from './support.js';

const METRICS_TOKEN = 'metrics-scrapes-token-0123456789';

/** Every store read of the gauges, counted as it reaches the store (the real reads run). */
function counted(reads: StoreGaugeReads): { reads: StoreGaugeReads; calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const out: Record<string, unknown> = { ...reads };
  for (const [name, read] of Object.entries(reads)) {
    if (name === 'channelNames' || typeof read !== 'function') continue;
    calls[name] = 0;
    out[name] = () => {
      calls[name]!++;
      return (read as () => Promise<unknown>)();
    };
  }
  return { reads: out as StoreGaugeReads, calls };
}

const sample = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

describe.each(STORE_KINDS)('store-read gauges under many scrapers (%s)', (kind) => {
  let relay: SecurityRelay | undefined;
  afterEach(async () => {
    await relay?.close();
    relay = undefined;
  });

  /** A relay whose /metrics shares store reads for 5 s on the relay's manual clock. */
  async function start(options: { failQueueStats?: () => boolean } = {}) {
    let calls: Record<string, number> = {};
    let prom: ReturnType<typeof createPromMetrics> | undefined;
    relay = await startSecurityRelay(
      kind,
      { METRICS_TOKEN },
      {
        renderMetrics: () => prom!.render(),
      },
    );
    const env = parseEnv({});
    const real = storeGaugeReads({ db: relay.store.db, clock: relay.clock, slaMs: env.ORDER_SLA, rules: () => null });
    const failing: StoreGaugeReads = {
      ...real,
      queueStats: () => (options.failQueueStats?.() ? Promise.reject(new Error('store down')) : real.queueStats!()),
    };
    const wrapped = counted(failing);
    calls = wrapped.calls;
    const clock = relay.clock;
    prom = createPromMetrics({ defaultMetrics: false, ...wrapped.reads, storeReads: { maxAgeMs: 5000, now: () => clock.now() } });
    return { calls, prom, scrape: () => fetch(`${relay!.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } }) };
  }

  it('fifty concurrent scrapes make one read per gauge; scrapes within 5 s reuse it; then one new read', async () => {
    const { calls, scrape } = await start();
    expect(Object.keys(calls).sort()).toEqual(['disabledChannels', 'heldDeliveries', 'openOrders', 'overdueOrders', 'queueStats']);
    const answers = await Promise.all(Array.from({ length: 50 }, () => scrape()));
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    const texts = await Promise.all(answers.map((a) => a.text()));
    expect(texts.every((t) => t.includes('colt_relay_queue_depth{status="dead"} 0'))).toBe(true);
    expect(calls).toEqual({ disabledChannels: 1, heldDeliveries: 1, openOrders: 1, overdueOrders: 1, queueStats: 1 });

    relay!.clock.advance(4000);
    await Promise.all(Array.from({ length: 10 }, () => scrape().then((r) => r.text())));
    expect(calls.openOrders).toBe(1);
    relay!.clock.advance(1000);
    await Promise.all(Array.from({ length: 10 }, () => scrape().then((r) => r.text())));
    expect(calls).toEqual({ disabledChannels: 2, heldDeliveries: 2, openOrders: 2, overdueOrders: 2, queueStats: 2 });
  });

  it('a failed read counts once for fifty scrapes, keeps the scrape working, and is read again at the next scrape', async () => {
    let down = true;
    const { calls, scrape } = await start({ failQueueStats: () => down });
    const texts = await Promise.all(Array.from({ length: 50 }, () => scrape().then((r) => r.text())));
    expect(calls.queueStats).toBe(1);
    expect(new Set(texts.map((t) => sample(t, 'colt_relay_store_errors_total')))).toEqual(new Set([1]));
    down = false;
    relay!.clock.advance(1000); // the rendered text is shared for a second
    const after = await (await scrape()).text();
    expect(calls.queueStats).toBe(2);
    expect(sample(after, 'colt_relay_store_errors_total')).toBe(1);
    expect(sample(after, 'colt_relay_queue_depth{status="dead"}')).toBe(0);
  });

  it('the rendered text is shared for a second: counters in an answer are at most that old', async () => {
    const { prom, scrape } = await start();
    prom.metrics.callback('accepted');
    expect(sample(await (await scrape()).text(), 'colt_relay_callbacks_total{outcome="accepted",reason="none"}')).toBe(1);
    prom.metrics.callback('accepted');
    expect(sample(await (await scrape()).text(), 'colt_relay_callbacks_total{outcome="accepted",reason="none"}')).toBe(1);
    relay!.clock.advance(1000);
    expect(sample(await (await scrape()).text(), 'colt_relay_callbacks_total{outcome="accepted",reason="none"}')).toBe(2);
  });
});

describe('METRICS_TOKEN in production', () => {
  let parent: string;
  let dir: string;
  beforeAll(async () => {
    parent = await mkdtemp(path.join(tmpdir(), 'colt-relay-metrics-warning-'));
    dir = await createPgliteDataDir(parent);
  });
  afterAll(async () => rm(parent, { recursive: true, force: true }));

  async function startWarnings(env: Record<string, string>): Promise<string[]> {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', destination: { write: (line: string) => void lines.push(line) } });
    const node = await startNodeServer({ env: nodeServerEnv({ DATA_DIR: dir, CALLBACK_TOKEN: 'metrics-warning-callback-token', ...env }), logger });
    await node.stop();
    return lines.map((l) => (JSON.parse(l) as { msg: string }).msg).filter((m) => m.includes('METRICS_TOKEN'));
  }

  it('NODE_ENV=production without METRICS_TOKEN warns at start that /metrics is open; with one, or outside production, it does not', async () => {
    const warned = await startWarnings({ NODE_ENV: 'production' });
    console.log(warned[0]);
    expect(warned).toEqual([expect.stringMatching(/^NODE_ENV=production but METRICS_TOKEN is not set: GET \/metrics .* is open to anyone/)]);
    expect(await startWarnings({ NODE_ENV: 'production', METRICS_TOKEN })).toEqual([]);
    expect(await startWarnings({})).toEqual([]);
  }, 180_000);

  it('compose.yaml requires METRICS_TOKEN from the environment, with no default committed', () => {
    const compose = readFileSync(new URL('../../compose.yaml', import.meta.url), 'utf8');
    expect(compose).toMatch(/^\s+METRICS_TOKEN: \$\{METRICS_TOKEN:\?[^}]*\}$/m);
  });
});
