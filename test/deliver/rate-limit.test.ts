/**
 * `rateLimit: 10/min` (docs/design.md#rate-limits) holding across two workers that share one database: 30 failed
 * callbacks arrive at once; the loopback webhook receiver (signatures verified) counts what
 * reaches it each second of the manual clock. Never more than 10 in any 60 s, nothing dropped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/config/env.js';
import { createSilentLogger } from '../../src/lib/logger.js';
import { createPipeline, type Pipeline } from '../../src/pipeline.js';
import { openPostgresStore, type Store } from '../../src/store/db.js';
import { fixture } from '../support/fixtures.js';
import { createTestPipeline, PIPELINE_TOKEN, type TestPipeline } from '../support/pipeline.js';
import { STORE_KINDS } from '../support/store.js';
import { startWebhookPeer, type WebhookPeer } from '../support/webhook-peer.js';

const SECRET = `whsec_${Buffer.from('colt-relay-rate-limit-secret!!!').toString('base64')}`;
const CALLBACKS = 30;

const rules = (url: string) => `channels:
  oss: { type: webhook, url: "${url}", secret: "${SECRET}", rateLimit: 10/min }
rules:
  - name: everything
    notify: [oss]
`;

describe.each(STORE_KINDS)('rateLimit across two workers on %s', { timeout: 300_000 }, (kind) => {
  let hook: WebhookPeer;
  let relay: TestPipeline;
  let secondStore: Store;
  let second: Pipeline;

  beforeAll(async () => {
    hook = await startWebhookPeer(SECRET);
    const env = { RULES: rules(hook.url), WEBHOOK_ALLOW_PRIVATE: 'true', LOG_LEVEL: 'silent', CALLBACK_TOKEN: PIPELINE_TOKEN };
    relay = await createTestPipeline(kind, env);
    // PGlite is one connection in one process: both workers share the handle there.
    secondStore = relay.store.url ? await openPostgresStore({ url: relay.store.url, max: 5 }) : relay.store;
    second = await createPipeline({ env: parseEnv(env), rawEnv: env, store: secondStore, clock: relay.clock, logger: createSilentLogger() });
  });
  afterAll(async () => {
    await second?.close();
    if (secondStore !== relay?.store) await secondStore?.close();
    await relay?.close();
    await hook?.close();
  });

  it(`sends ${CALLBACKS} deliveries, never more than 10 in any minute, each once`, async () => {
    for (let i = 0; i < CALLBACKS; i++) {
      const body = { ...fixture('flat-activation-failed.json'), orderId: `IN-ORD-RL-${i}`, message: `failure ${i}` };
      expect((await relay.post(body)).http).toBe(200);
    }
    const start = relay.clock.now();
    /** Clock second of each request the receiver got. */
    const sentAt: number[] = [];
    const byWorker = [0, 0];
    const workers = [relay.pipeline.dispatcher, second.dispatcher];
    for (let second = 0; second < 400 && sentAt.length < CALLBACKS; second++) {
      // Both workers tick at every clock second; which one asks first alternates.
      const order = second % 2 === 0 ? [0, 1] : [1, 0];
      const before = hook.requests.length;
      const results = await Promise.all(order.map((w) => workers[w]!.tick()));
      order.forEach((w, i) => {
        byWorker[w]! += results[i]!.delivered;
      });
      for (let n = before; n < hook.requests.length; n++) sentAt.push((relay.clock.now() - start) / 1000);
      relay.clock.advance(1_000);
    }

    expect(sentAt).toHaveLength(CALLBACKS);
    expect(hook.requests.every((r) => r.verified)).toBe(true);
    expect(new Set(hook.requests.map((r) => r.webhookId)).size).toBe(CALLBACKS);
    const mostInAMinute = Math.max(...sentAt.map((t) => sentAt.filter((u) => u >= t && u < t + 60).length));
    expect(mostInAMinute).toBe(10);
    // Spaced by period / N: 6 s apart, so the 30th goes out 29 × 6 s after the first.
    const gaps = sentAt.slice(1).map((t, i) => t - sentAt[i]!);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(6);
    expect(sentAt.at(-1)! - sentAt[0]!).toBeLessThanOrEqual(29 * 6 + 5);
    // The limit held while both workers were sending.
    expect(byWorker[0]).toBeGreaterThan(0);
    expect(byWorker[1]).toBeGreaterThan(0);
    expect(byWorker[0]! + byWorker[1]!).toBe(CALLBACKS);
  });
});
