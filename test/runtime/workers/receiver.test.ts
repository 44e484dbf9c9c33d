/**
 * The receiver contract of docs/design.md#http-answers, served by the Worker in workerd against a real
 * Postgres, and a fresh callback delivered right after the answer (ctx.waitUntil).
 */
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { z } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { string as zodString } from 'zod/v4';
import { callbackEvents, callbackRefusals, deliveries, eventWork } from '../../../src/store/schema.js';
import {
  callWorker,
  CALLBACK_TOKEN,
  createTestDatabase,
  hasDatabase,
  orderId,
  peerState,
  postCallback,
  testBindings,
} from './support/harness.js';

type Accepted = { status: string; id: string; duplicate: boolean };

/** A TMF-style event envelope, as test/fixtures/callbacks/tmf-product-order-completed.json. */
const tmfCompleted = (eventId: string, order: string) => ({
  eventId,
  eventTime: '2026-11-26T10:15:00Z',
  eventType: 'ProductOrderStateChangeEvent',
  event: {
    productOrder: {
      id: order,
      state: 'completed',
      orderType: 'Number Activation',
      numbers: [{ startFullNumber: '+33382500010', endFullNumber: '+33382500019' }],
    },
  },
});

describe.skipIf(!hasDatabase)('Worker receiver (workerd, Postgres)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let bindings: ReturnType<typeof testBindings>;

  beforeAll(async () => {
    db = await createTestDatabase();
    bindings = testBindings(db.url);
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('stores a new callback: 200 accepted, raw body kept, then the same callback is a duplicate with the same id', async () => {
    const order = orderId('dup');
    const raw = JSON.stringify(tmfCompleted(`evt-${order}`, order), null, 2);
    const first = await postCallback(bindings, raw);
    expect(first.status).toBe(200);
    const body = (await first.json()) as Accepted;
    expect(body).toEqual({ status: 'accepted', id: expect.any(String), duplicate: false });
    const [row] = await db.store.db.select().from(callbackEvents).where(eq(callbackEvents.id, body.id));
    expect(row!.rawBody).toBe(raw);

    const again = await postCallback(bindings, raw);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: 'accepted', id: body.id, duplicate: true });
    const rows = await db.store.db.select().from(callbackEvents).where(eq(callbackEvents.dedupeKey, row!.dedupeKey));
    expect(rows).toHaveLength(1);
  });

  it('401 without credentials, as JSON, and the refusal is recorded', async () => {
    const order = orderId('unauth');
    const response = await postCallback(bindings, { orderId: order, status: 'raised' }, { authorization: '' });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(await response.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    const refused = await db.store.db.select().from(callbackRefusals).where(eq(callbackRefusals.statusCode, 401));
    expect(refused.some((r) => r.bodyExcerpt === null || !r.bodyExcerpt.includes(CALLBACK_TOKEN))).toBe(true);
  });

  it('415 for a non-JSON body and 400 for a callback without an order id', async () => {
    const form = await postCallback(bindings, 'orderId=A', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    expect(((await form.json()) as { error: { code: string } }).error.code).toBe('unsupported_media_type');
    const noOrder = await postCallback(bindings, { status: 'raised' });
    expect(noOrder.status).toBe(400);
    expect(((await noOrder.json()) as { error: { code: string } }).error.code).toBe('invalid_payload');
  });

  it('answers the probes: /healthz 200, /readyz 200 with the Postgres store', async () => {
    expect((await callWorker(bindings, '/healthz')).status).toBe(200);
    const ready = await callWorker(bindings, '/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', store: 'postgres' });
  });

  it('IP allow-list: the client is CF-Connecting-IP; X-Forwarded-For counts only from the right with TRUST_PROXY', async () => {
    const body = () => tmfCompleted(`evt-${orderId('ip')}`, orderId('ip'));
    const direct = testBindings(db.url, { CALLBACK_ALLOWED_IPS: '203.0.113.0/24' });
    expect((await postCallback(direct, body(), { 'cf-connecting-ip': '203.0.113.7' })).status).toBe(200);
    expect((await postCallback(direct, body(), { 'cf-connecting-ip': '198.51.100.9', 'x-forwarded-for': '203.0.113.7' })).status).toBe(401);
    const proxied = testBindings(db.url, { CALLBACK_ALLOWED_IPS: '203.0.113.0/24', TRUST_PROXY: 'true' });
    // Cloudflare appends the address it saw: a spoofed entry stays on the left.
    const spoofed = { 'cf-connecting-ip': '198.51.100.9', 'x-forwarded-for': '203.0.113.7, 198.51.100.9' };
    expect((await postCallback(proxied, body(), spoofed)).status).toBe(401);
    expect((await postCallback(proxied, body(), { 'cf-connecting-ip': '198.51.100.9', 'x-forwarded-for': '3405803783' })).status).toBe(401);
  });

  it('delivers a fresh callback right after answering: signed webhook, delivery recorded, outbox empty', async () => {
    const order = orderId('fresh');
    const response = await postCallback(bindings, { orderId: order, orderStatus: 'Completed', orderType: 'Number Activation' });
    expect(response.status).toBe(200);
    const { id } = (await response.json()) as Accepted;

    const received = (await peerState()).webhook.filter((r) => r.payload?.data.orderId === order);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ verified: true, payload: { type: 'order.completed', data: { eventId: id } } });
    const [delivery] = await db.store.db.select().from(deliveries).where(eq(deliveries.eventId, id));
    expect(delivery).toMatchObject({ channel: 'downstream', status: 'delivered', attempts: 1 });
    expect(received[0]!.webhookId).toBe(delivery!.id);
    expect(await db.store.db.select().from(eventWork).where(eq(eventWork.eventId, id))).toHaveLength(0);
  });
});

describe.skipIf(!hasDatabase)('Worker through a Hyperdrive binding (workerd, Postgres)', () => {
  it('stores a callback through HYPERDRIVE.connectionString, which wins over DATABASE_URL', async () => {
    const { DATABASE_URL: _direct, ...rest } = testBindings('');
    const bindings = { ...rest, DATABASE_URL: 'postgres://nobody@127.0.0.1:9/unused', HYPERDRIVE: env.HYPERDRIVE as { connectionString: string } };
    const response = await postCallback(bindings, { orderId: orderId('hyperdrive'), orderStatus: 'Raised' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'accepted', duplicate: false });
    expect(await (await callWorker(bindings, '/readyz')).json()).toMatchObject({ status: 'ready', store: 'postgres' });
  });
});

describe('Worker configuration errors', () => {
  it('503 not_configured with Retry-After when neither HYPERDRIVE nor DATABASE_URL is bound', async () => {
    const response = await callWorker({ CALLBACK_TOKEN }, '/callbacks/colt', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${CALLBACK_TOKEN}` },
      body: '{"orderId":"X"}',
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('60');
    expect(await response.json()).toEqual({ error: { code: 'not_configured', message: expect.any(String) } });
  });

  it('503 store_unavailable with Retry-After when Postgres cannot be reached: never 200, never 500', async () => {
    const bindings = { NODE_ENV: 'production', CALLBACK_TOKEN, DATABASE_URL: 'postgres://postgres@127.0.0.1:9/none', LOG_LEVEL: 'silent' };
    const response = await callWorker(bindings, '/callbacks/colt', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${CALLBACK_TOKEN}` },
      body: '{"orderId":"IN-W-DOWN","status":"raised"}',
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('store_unavailable');
    expect((await callWorker(bindings, '/readyz')).status).toBe(503);
  });

  it('refuses to serve without callback authentication when NODE_ENV=production', async () => {
    const response = await callWorker({ NODE_ENV: 'production', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }, '/healthz');
    expect(response.status).toBe(503);
  });

  it('serves the same OpenAPI document and /docs page as Node, although its bundle leaves most of zod out', async () => {
    // The tests run with the bundle's substitutions (wrangler.toml [alias]): zod's `z` is the
    // relay's subset, and JSON Schema output is a stub.
    expect(z.string).toBe(zodString);
    expect('tuple' in z).toBe(false);
    expect(() => z.string().toJSONSchema()).toThrow(/not included in the Worker bundle/);
    const node = inject('nodeApiDocs');
    const bindings = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };
    const doc = await callWorker(bindings, '/openapi.json');
    expect(doc.status).toBe(200);
    expect(await doc.json()).toEqual(node.openapi);
    const docs = await callWorker(bindings, '/docs');
    expect(docs.status).toBe(200);
    expect(await docs.text()).toBe(node.docs);
  });
});
