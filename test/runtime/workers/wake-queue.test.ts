/**
 * Retries on time through Cloudflare Queues, in workerd with miniflare's local queue
 * (wrangler.toml's producer and consumer): a failed webhook is tried again when it is due,
 * with no cron; a duplicated wake-up sends nothing twice; a lost one leaves the retry to the
 * cron sweep; an early one goes back to the queue until its time.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { QueueBinding, WorkerBindings } from '../../../src/runtime/workers/env.js';
import worker from '../../../src/runtime/workers/worker.js';
import type { WakeMessage } from '../../../src/runtime/workers/wake-queue.js';
import { openPostgresStore, type Store } from '../../../src/store/db.js';
import { deliveries, deliveryAttempts } from '../../../src/store/schema.js';
import { createTestDatabase, hasDatabase, orderId, peerState, postCallback, runCron, scriptWebhook, testBindings } from './support/harness.js';

const QUEUE = 'colt-relay-wake';

type Accepted = { id: string };

/** Webhook requests the receiver got for an order (the failed try included). */
const webhooksFor = async (order: string) => (await peerState()).webhook.filter((r) => r.payload?.data.orderId === order);

/** Runs the consumer on a batch, as the runtime would, and gives what it acknowledged and put back. */
async function consume(bindings: WorkerBindings, bodies: unknown[]) {
  const batch = createMessageBatch(
    QUEUE,
    bodies.map((body, i) => ({ id: `msg-${i}-${Math.random().toString(36).slice(2, 8)}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch as never, bindings);
  return getQueueResult(batch, ctx);
}

describe.skipIf(!hasDatabase)('wake-ups through the queue (workerd, miniflare queue, Hyperdrive)', () => {
  // The runtime calls the consumer with the pool's bindings (the queue, Hyperdrive, the peers' vars).
  const bindings = env as WorkerBindings;
  let store: Store;

  beforeAll(async () => {
    store = await openPostgresStore({ url: inject('workersHyperdriveUrl')!, max: 1, fetchTypes: false });
  });
  afterAll(async () => {
    await store?.close().catch(() => undefined);
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const deliveryOf = async (eventId: string) => (await store.db.select().from(deliveries).where(eq(deliveries.eventId, eventId)))[0]!;

  it('tries a webhook that failed once again at its time (≈ 5 s), well within 20 s, with no cron', async () => {
    const consumer = vi.spyOn(worker, 'queue');
    const cron = vi.spyOn(worker, 'scheduled');
    const order = orderId('on-time');
    await scriptWebhook({ status: 503, body: '{"busy":true}' });
    const started = Date.now();
    const { id } = (await (await postCallback(bindings, { orderId: order, orderStatus: 'Completed' })).json()) as Accepted;
    expect(await deliveryOf(id)).toMatchObject({ status: 'retrying', attempts: 1 });

    await vi.waitFor(async () => expect(await deliveryOf(id)).toMatchObject({ status: 'delivered', attempts: 2 }), { timeout: 20_000, interval: 250 });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(consumer).toHaveBeenCalled();
    expect(cron).not.toHaveBeenCalled();
    const received = await webhooksFor(order);
    expect(received.map((r) => r.webhookId)).toEqual([received[0]!.webhookId, received[0]!.webhookId]);
    const attempts = await store.db.select().from(deliveryAttempts).where(eq(deliveryAttempts.deliveryId, received[0]!.webhookId!));
    const [first, second] = attempts.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
    // The retry schedule's 5 s (± 20 % jitter), not the next cron minute.
    expect(second!.startedAt.getTime() - first!.startedAt.getTime()).toBeGreaterThanOrEqual(3_500);
    expect(second!.startedAt.getTime() - first!.startedAt.getTime()).toBeLessThan(12_000);
  });

  it('sends once however many copies of a wake-up arrive', async () => {
    const consumer = vi.spyOn(worker, 'queue');
    const order = orderId('dup');
    await scriptWebhook({ status: 503 });
    const { id } = (await (await postCallback(bindings, { orderId: order, orderStatus: 'Completed' })).json()) as Accepted;
    const retrying = await deliveryOf(id);
    expect(retrying.status).toBe('retrying');

    // Two copies in one batch, then a third alone, once the retry is due (brought forward).
    await store.db.update(deliveries).set({ nextAttemptAt: new Date(Date.now() - 1000) }).where(eq(deliveries.id, retrying.id));
    const wake: WakeMessage = { due: new Date(Date.now() - 1000).toISOString() };
    const both = await consume(bindings, [wake, wake]);
    expect(both.explicitAcks).toHaveLength(2);
    expect((await consume(bindings, [wake])).explicitAcks).toHaveLength(1);
    expect(await deliveryOf(id)).toMatchObject({ status: 'delivered', attempts: 2 });

    // And the copy the first invocation queued arrives on its own, a few seconds later.
    const calls = consumer.mock.calls.length;
    await vi.waitFor(() => expect(consumer.mock.calls.length).toBeGreaterThan(calls), { timeout: 15_000, interval: 250 });
    await consumer.mock.results.at(-1)!.value;
    expect(await webhooksFor(order)).toHaveLength(2);
    expect(await deliveryOf(id)).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('puts back a wake-up that arrives before its time, and acknowledges one that is not a wake-up', async () => {
    // Messages of our own: createMessageBatch's results leave out a retry's delay.
    const handled: Record<string, { acked: boolean; retry?: { delaySeconds?: number } }> = {};
    const message = (id: string, body: unknown) => {
      handled[id] = { acked: false };
      const ack = () => {
        handled[id]!.acked = true;
      };
      const retry = (options?: { delaySeconds?: number }) => {
        handled[id]!.retry = options ?? {};
      };
      return { id, body, attempts: 1, ack, retry };
    };
    const early = message('early', { due: new Date(Date.now() + 30_000).toISOString() });
    await worker.queue({ queue: QUEUE, messages: [early, message('stray', { hello: 'world' })] }, bindings);
    expect(handled.early!.acked).toBe(false);
    expect(handled.early!.retry?.delaySeconds).toBeGreaterThanOrEqual(29);
    expect(handled.early!.retry?.delaySeconds).toBeLessThanOrEqual(30);
    expect(handled.stray).toEqual({ acked: true });
  });
});

describe.skipIf(!hasDatabase)('a wake-up lost or not sent (workerd, Postgres)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  const deliveryOf = async (eventId: string) => (await db.store.db.select().from(deliveries).where(eq(deliveries.eventId, eventId)))[0]!;

  /** A queue that takes messages and never delivers them (Cloudflare losing one). */
  function losingQueue(fail = false): QueueBinding & { sent: { body: unknown; delaySeconds?: number }[] } {
    const sent: { body: unknown; delaySeconds?: number }[] = [];
    return {
      sent,
      send: async (body, options) => {
        sent.push({ body, ...(options?.delaySeconds !== undefined && { delaySeconds: options.delaySeconds }) });
        if (fail) throw new Error('Queue send failed: colt-relay-wake is unavailable');
      },
    };
  }

  for (const fail of [false, true]) {
    it(`leaves the retry to the cron sweep when the wake-up is ${fail ? 'refused by the queue' : 'lost'}: delivered once`, async () => {
      const queue = losingQueue(fail);
      const bindings = { ...testBindings(db.url), WAKE_QUEUE: queue };
      const order = orderId(fail ? 'refused' : 'lost');
      await scriptWebhook({ status: 503 });
      const response = await postCallback(bindings, { orderId: order, orderStatus: 'Completed' });
      expect(response.status).toBe(200);
      const { id } = (await response.json()) as Accepted;
      const retrying = await deliveryOf(id);
      expect(retrying).toMatchObject({ status: 'retrying', attempts: 1 });
      // One wake-up, delayed until the retry is due.
      expect(queue.sent).toHaveLength(1);
      const wake = queue.sent[0]!;
      expect(Date.parse((wake.body as WakeMessage).due)).toBeGreaterThanOrEqual(retrying.nextAttemptAt.getTime());
      expect(wake.delaySeconds).toBeGreaterThanOrEqual(3);
      expect(wake.delaySeconds).toBeLessThanOrEqual(7);

      await db.store.db.update(deliveries).set({ nextAttemptAt: new Date(Date.now() - 1000) }).where(eq(deliveries.id, retrying.id));
      await runCron(bindings);
      expect(await deliveryOf(id)).toMatchObject({ status: 'delivered', attempts: 2 });
      expect(await webhooksFor(order)).toHaveLength(2);
    });
  }
});
