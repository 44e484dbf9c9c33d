/**
 * The Worker's lifecycle in workerd (docs/design.md#workers-lifecycle): the app, the rules and
 * the channels are built once per isolate and rebuilt when the bindings change; each
 * invocation has its own database client and delivers only what it stored; YAML and JSON
 * rules both work; invalid rules still store callbacks while /readyz and every sweep say why.
 */
import { exports } from 'cloudflare:workers';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { openPostgresStore } from '../../../src/store/db.js';
import { callbackEvents, deliveries, eventWork } from '../../../src/store/schema.js';
import {
  CALLBACK_TOKEN,
  callWorker,
  createTestDatabase,
  hasDatabase,
  orderId,
  peerState,
  postCallback,
  RELAY_URL,
  runCron,
  testBindings,
} from './support/harness.js';

type Accepted = { id: string; duplicate: boolean };

/** The JSON log lines the Worker writes through console while `run` runs (pino's stand-in writes one per record). */
async function logLines(run: () => Promise<unknown>): Promise<{ msg?: string; [field: string]: unknown }[]> {
  const lines: string[] = [];
  for (const method of ['log', 'warn', 'error'] as const) {
    vi.spyOn(console, method).mockImplementation((line: unknown) => void lines.push(String(line)));
  }
  try {
    await run();
  } finally {
    vi.restoreAllMocks();
  }
  return lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg?: string });
}

describe.skipIf(!hasDatabase)('the Worker builds once per isolate (workerd, Postgres)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const deliveriesOf = (ids: string[]) => db.store.db.select().from(deliveries).where(inArray(deliveries.eventId, ids));

  it('loads the rules once for many requests, and again as soon as a binding changes', async () => {
    // A binding of its own, so that this configuration is new to the isolate.
    const bindings = testBindings(db.url, { LOG_LEVEL: 'info', PUBLIC_URL: 'https://relay.example.com/a' });
    const lines = await logLines(async () => {
      for (let i = 0; i < 5; i++) expect((await postCallback(bindings, { orderId: orderId('once'), orderStatus: 'Raised' })).status).toBe(200);
      expect((await callWorker(bindings, '/healthz')).status).toBe(200);
    });
    expect(lines.filter((l) => l.msg === 'rules loaded')).toHaveLength(1);

    // A new rule set (here: nothing to the webhook) takes effect on the next request.
    const logOnly = 'channels:\n  console: { type: log }\nrules:\n  - { name: all, notify: [console] }\n';
    const changed = { ...bindings, RULES: logOnly };
    let id = '';
    const after = await logLines(async () => {
      id = ((await (await postCallback(changed, { orderId: orderId('changed'), orderStatus: 'Raised' })).json()) as Accepted).id;
    });
    expect(after.filter((l) => l.msg === 'rules loaded')).toHaveLength(1);
    expect((await deliveriesOf([id])).map((d) => d.channel)).toEqual(['console']);
  });

  it('keeps concurrent invocations apart: each stores its own callback and delivers it once, with its own client', async () => {
    const bindings = testBindings(db.url);
    const orders = Array.from({ length: 6 }, () => orderId('together'));
    const answers = await Promise.all(orders.map((order) => postCallback(bindings, { orderId: order, orderStatus: 'Completed' })));
    expect(answers.map((a) => a.status)).toEqual(orders.map(() => 200));
    const ids = await Promise.all(answers.map(async (a) => ((await a.json()) as Accepted).id));
    expect(new Set(ids).size).toBe(orders.length);

    const stored = await db.store.db.select().from(callbackEvents).where(inArray(callbackEvents.id, ids));
    expect(Object.fromEntries(stored.map((e) => [e.id, e.orderId]))).toEqual(Object.fromEntries(ids.map((id, i) => [id, orders[i]])));
    const rows = await deliveriesOf(ids);
    expect(rows.map((d) => [d.status, d.attempts])).toEqual(orders.map(() => ['delivered', 1]));
    const received = (await peerState()).webhook.filter((r) => orders.includes(r.payload?.data.orderId ?? ''));
    expect(received.map((r) => r.payload!.data.eventId).sort()).toEqual([...ids].sort());
    expect(await db.store.db.select().from(eventWork).where(inArray(eventWork.eventId, ids))).toHaveLength(0);
  });

  it("uses each invocation's own database binding, although they share the isolate's app", async () => {
    const other = await createTestDatabase();
    try {
      // Same vars, so the same isolate state; the Hyperdrive binding differs per invocation.
      const { DATABASE_URL: _unused, ...vars } = testBindings('');
      const via = (url: string) => ({ ...vars, HYPERDRIVE: { connectionString: url } });
      const pairs = Array.from({ length: 4 }, (_, i) => ({ order: orderId('split'), store: i % 2 ? other.store : db.store, url: i % 2 ? other.url : db.url }));
      const answers = await Promise.all(pairs.map((p) => postCallback(via(p.url), { orderId: p.order, orderStatus: 'Raised' })));
      for (const [i, answer] of answers.entries()) {
        const { id } = (await answer.json()) as Accepted;
        const [row] = await pairs[i]!.store.db.select().from(callbackEvents).where(eq(callbackEvents.id, id));
        expect(row?.orderId).toBe(pairs[i]!.order);
      }
    } finally {
      await other.drop();
    }
  });

  it('answers a request after an earlier one closed its client: nothing of an invocation outlives it', async () => {
    const bindings = testBindings(db.url);
    for (let i = 0; i < 3; i++) {
      expect((await callWorker(bindings, '/readyz')).status).toBe(200);
      const response = await postCallback(bindings, { orderId: orderId('after'), orderStatus: 'Completed' });
      expect(response.status).toBe(200);
      const { id } = (await response.json()) as Accepted;
      expect((await deliveriesOf([id]))[0]).toMatchObject({ status: 'delivered' });
    }
  });

  it('reads RULES as YAML (the text Node reads) and as JSON (`rules compile`)', async () => {
    const json = JSON.stringify({
      channels: { downstream: { type: 'webhook', url: '${WEBHOOK_URL}', secret: '${WEBHOOK_SECRET}' } },
      rules: [{ name: 'completed-only', match: { status: 'completed' }, notify: ['downstream'] }],
    });
    const yaml = 'channels:\n  downstream: { type: webhook, url: ${WEBHOOK_URL}, secret: ${WEBHOOK_SECRET} }\nrules:\n  - name: completed-only\n    match: { status: completed }\n    notify: [downstream]\n';
    for (const rules of [yaml, json]) {
      const bindings = testBindings(db.url, { RULES: rules });
      const completed = ((await (await postCallback(bindings, { orderId: orderId('fmt'), orderStatus: 'Completed' })).json()) as Accepted).id;
      const raised = ((await (await postCallback(bindings, { orderId: orderId('fmt'), orderStatus: 'Raised' })).json()) as Accepted).id;
      expect((await deliveriesOf([completed])).map((d) => [d.channel, d.status])).toEqual([['downstream', 'delivered']]);
      expect(await deliveriesOf([raised])).toEqual([]);
    }
  });

  it('with invalid rules: callbacks are stored (200), /readyz says why (503), every cron sweep logs it', async () => {
    const bindings = testBindings(db.url, { RULES: 'channels:\n  c: { type: pager }\nrules:\n  - { name: r, notify: [c] }\n' });
    const order = orderId('invalid');
    const response = await postCallback({ ...bindings, LOG_LEVEL: 'silent' }, { orderId: order, orderStatus: 'Completed' });
    expect(response.status).toBe(200);
    const { id } = (await response.json()) as Accepted;
    expect(await db.store.db.select().from(eventWork).where(eq(eventWork.eventId, id))).toHaveLength(1);

    const ready = await callWorker(bindings, '/readyz');
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { status: string; reason: string };
    expect(body.status).toBe('unavailable');
    expect(body.reason).toMatch(/rules are invalid.*channels\.c\.type/s);

    for (let sweep = 0; sweep < 2; sweep++) {
      const lines = await logLines(() => runCron(bindings));
      const error = lines.find((l) => l.level === 50 && String(l.msg).includes('the rules are invalid'));
      expect(error?.problems).toMatch(/channels\.c\.type/);
    }
    // Still in the outbox: delivered once the rules are fixed.
    expect(await db.store.db.select().from(eventWork).where(eq(eventWork.eventId, id))).toHaveLength(1);
    await runCron(testBindings(db.url));
    expect((await deliveriesOf([id])).map((d) => d.status)).toEqual(['delivered']);
  });
});

describe.skipIf(!hasDatabase)('invocations through the runtime (workerd, Hyperdrive)', () => {
  it('serves concurrent requests, each an invocation with its own I/O, from one isolate state', async () => {
    // workerd refuses I/O objects (a socket, a stream) used by an invocation other than the
    // one that made them: a database client kept across invocations would fail here.
    const store = await openPostgresStore({ url: inject('workersHyperdriveUrl')!, max: 1, fetchTypes: false });
    try {
      const orders = Array.from({ length: 6 }, () => orderId('self'));
      const answers = await Promise.all(
        orders.map((order) =>
          exports.default.fetch(
            new Request(`${RELAY_URL}/callbacks/colt`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', authorization: `Bearer ${CALLBACK_TOKEN}` },
              body: JSON.stringify({ orderId: order, orderStatus: 'Completed' }),
            }),
          ),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual(orders.map(() => 200));
      const ids = await Promise.all(answers.map(async (a) => ((await a.json()) as Accepted).id));
      // The deliveries run in each invocation's waitUntil, after its answer.
      await vi.waitFor(
        async () => {
          const rows = await store.db.select().from(deliveries).where(inArray(deliveries.eventId, ids));
          expect(rows.map((d) => d.status)).toEqual(ids.map(() => 'delivered'));
        },
        { timeout: 15_000, interval: 200 },
      );
    } finally {
      await store.close().catch(() => undefined);
    }
  });
});
