/**
 * Enrichment you can see: with Colt down, the first failed try is logged at warn with its
 * cause (host, status), the admin API shows "pending: attempt n, next at T, last error",
 * and after ENRICH_MAX_WAIT the notification goes out without details, saying so.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/lib/logger.js';
import { createTestPipeline, type TestPipeline } from '../support/pipeline.js';
import { STORE_KINDS } from '../support/store.js';
import { startWebhookPeer, type WebhookPeer } from '../support/webhook-peer.js';

const SECRET = `whsec_${Buffer.from('colt-relay-enrich-visible-secret').toString('base64')}`;
const ADMIN = 'admin-token-for-enrichment-test-0123';

/** A loopback port with nothing listening: Colt is down. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.each(STORE_KINDS)('enrichment with Colt down on %s', (kind) => {
  let relay: TestPipeline;
  let hook: WebhookPeer;
  let coltHost: string;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    hook = await startWebhookPeer(SECRET);
    coltHost = `127.0.0.1:${await closedPort()}`;
    const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
    relay = await createTestPipeline(
      kind,
      {
        COLT_CLIENT_ID: 'relay-client',
        COLT_CLIENT_SECRET: 'relay-secret-never-logged',
        COLT_API_BASE_URL: `http://${coltHost}/numberManagement/inbound/v1`,
        COLT_TOKEN_URL: `http://${coltHost}/authentication/v1/oauth/token`,
        ENRICH_MAX_WAIT: '2m',
        RECONCILE: 'off',
        ADMIN_TOKEN: ADMIN,
        OSS_SECRET: SECRET,
        RULES: `channels:\n  oss: { type: webhook, url: "${hook.url}", secret: \${OSS_SECRET} }\n  console: { type: log }\nrules:\n  - name: all\n    notify: [oss, console]\n`,
      },
      { logger },
    );
  });
  afterAll(async () => {
    await relay?.close();
    await hook?.close();
  });

  it('warns at the first failure, shows the pending try, and notifies after ENRICH_MAX_WAIT saying details are missing', async () => {
    const { id } = await relay.post({ orderId: 'IN-ORD-DOWN-1', orderStatus: 'Completed' });
    const first = await relay.pipeline.dispatcher.tick();
    expect(first.eventsDeferred).toBe(1);
    const warn = lines.find((l) => l.msg === 'enrichment failed: GET /order did not answer with the order');
    expect(warn).toMatchObject({ level: 40, orderId: 'IN-ORD-DOWN-1', host: coltHost, willRetry: true });
    expect(String(warn!.reason)).toMatch(/ECONNREFUSED|fetch failed/);
    expect(JSON.stringify(lines)).not.toContain('relay-secret-never-logged');
    expect(hook.requests).toHaveLength(0);

    const api = await relay.app.request(`/api/events/${id}`, { headers: { authorization: `Bearer ${ADMIN}` } });
    const detail = (await api.json()) as { enrichment: { state: string; attempt: number; nextAt: string; lastError: string } };
    expect(detail.enrichment).toMatchObject({ state: 'pending', attempt: 1, lastError: expect.stringMatching(/Colt token/) });
    expect(Date.parse(detail.enrichment.nextAt)).toBeGreaterThan(relay.clock.now());
    const order = await relay.app.request('/api/orders/IN-ORD-DOWN-1', { headers: { authorization: `Bearer ${ADMIN}` } });
    expect(((await order.json()) as { enrichment: { eventId: string } }).enrichment).toMatchObject({ eventId: id });

    // Not before ENRICH_MAX_WAIT…
    relay.clock.advance(60_000);
    await relay.pipeline.dispatcher.tick();
    expect(hook.requests).toHaveLength(0);
    // …but once it has passed, without details, and the message says so.
    relay.clock.advance(60_000);
    await relay.pipeline.dispatcher.tick();
    expect(hook.requests).toHaveLength(1);
    const payload = hook.requests[0]!.payload as { type: string; data: { detailsMissing: string; order: unknown } };
    expect(hook.requests[0]!.verified).toBe(true);
    expect(payload.type).toBe('order.completed');
    expect(payload.data.order).toBeNull();
    expect(payload.data.detailsMissing).toMatch(/ENRICH_MAX_WAIT/);
    const notification = lines.find((l) => l.msg === 'notification');
    expect(String(notification!.text)).toMatch(/order details missing/);
  });
});
