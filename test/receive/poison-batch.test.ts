/**
 * One poison callback never fails another: good callbacks posted concurrently with
 * hostile ones (characters Postgres text refuses in the extracted fields, and order ids
 * too large for the store's index) are all stored and answered 200, over a real listener,
 * on PGlite and Postgres. Group commit puts hostile and good callbacks in the same batches.
 */
import { randomBytes } from 'node:crypto';
import { serve, type ServerType } from '@hono/node-server';
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackEvents, callbackRefusals, orders } from '../../src/store/schema.js';
import { createTestRelay, TEST_TOKEN, type TestRelay } from '../support/relay.js';
import { STORE_KINDS } from '../support/store.js';

// Enough that each of the 36 bad callbacks is posted among 27 good ones, at a concurrency that
// puts them in the same group-commit batches.
const GOOD = 1000;
const CONCURRENCY = 20;

/** Thirty callbacks whose extracted fields hold NUL or unpaired surrogates, each different. */
function hostileBodies(): string[] {
  const odd = ['\\u0000', '\\ud800', '\\udc00', 'x\\u0000y', '\\ud83d', 'a\\udfffb'];
  return Array.from({ length: 30 }, (_, i) => {
    const c = odd[i % odd.length]!;
    switch (i % 5) {
      case 0: // the order id is nothing but the odd character(s)
        return `{"orderId":"${c}${i === 0 ? '' : i}","status":"completed"}`;
      case 1:
        return `{"orderId":"HOSTILE-${i}","status":"${c}","customerRef":"${c}"}`;
      case 2:
        return `{"eventId":"${c}-${i}","orderId":"HOSTILE-${i}${c}","orderStatus":"failed"}`;
      case 3:
        return `{"event":{"productOrder":{"id":"HOSTILE-${i}","state":"completed${c}","customerReference":"ref${c}",` +
          `"numbers":[{"startFullNumber":"+44800${c}100${i}","country":"${c}"}]}}}`;
      default:
        return `{"orderId":"${c}HOSTILE-${i}","status":"raised","customerRef":"${c}${c}","orderType":"${c}"}`;
    }
  });
}

/** Order ids longer than a btree index entry can hold: refused by the store itself (SQLSTATE 54000). */
function oversizeBodies(): string[] {
  return Array.from({ length: 6 }, () => JSON.stringify({ orderId: randomBytes(4500).toString('base64'), status: 'raised' }));
}

interface Sent {
  kind: 'good' | 'hostile' | 'oversize';
  body: string;
}

function interleave(): Sent[] {
  const good: Sent[] = Array.from({ length: GOOD }, (_, i) => ({
    kind: 'good',
    body: JSON.stringify({ orderId: `GOOD-${i}`, status: i % 3 === 0 ? 'raised' : 'completed', customerRef: `C-${i}` }),
  }));
  const bad: Sent[] = [
    ...hostileBodies().map((body) => ({ kind: 'hostile' as const, body })),
    ...oversizeBodies().map((body) => ({ kind: 'oversize' as const, body })),
  ];
  const step = Math.floor(good.length / bad.length);
  const all: Sent[] = [];
  good.forEach((g, i) => {
    all.push(g);
    if (i % step === 0 && bad.length > 0) all.push(bad.shift()!);
  });
  return [...all, ...bad];
}

describe.each(STORE_KINDS)('poison callbacks among good ones on %s', (kind) => {
  let relay: TestRelay;
  let server: ServerType;
  let port: number;

  beforeAll(async () => {
    relay = await createTestRelay(kind);
    server = serve({ fetch: relay.app.fetch, port: 0, hostname: '127.0.0.1' });
    port = await new Promise<number>((resolve) => server.once('listening', () => resolve((server.address() as { port: number }).port)));
  }, 120_000);
  afterAll(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Idle keep-alive sockets would hold close() for their timeout.
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
    });
    await relay.close();
  });

  it(`${GOOD} good callbacks at concurrency ${CONCURRENCY} with hostile ones: every good one 200, never a 503`, async () => {
    const sent = interleave();
    const answers: { sent: Sent; status: number; body: { id?: string; error?: { code: string; message: string } } }[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < sent.length) {
          const item = sent[next++]!;
          const res = await fetch(`http://127.0.0.1:${port}/callbacks/colt`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKEN}` },
            body: item.body,
          });
          answers.push({ sent: item, status: res.status, body: (await res.json()) as never });
        }
      }),
    );
    console.log(`[poison-batch] ${kind}: ${sent.length} callbacks in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    expect(answers.filter((a) => a.status === 503)).toEqual([]);
    expect(answers.filter((a) => a.sent.kind === 'good' && a.status !== 200)).toEqual([]);
    // The odd characters are made storable: these callbacks are valid, and stored.
    expect(answers.filter((a) => a.sent.kind === 'hostile').map((a) => a.status)).toEqual(Array(30).fill(200));
    // What the store still refuses when written alone is the caller's own problem: 400, audited.
    const oversize = answers.filter((a) => a.sent.kind === 'oversize');
    expect(oversize.map((a) => [a.status, a.body.error?.code])).toEqual(Array(6).fill([400, 'invalid_payload']));
    expect(oversize[0]!.body.error!.message).toBe('the store cannot hold this payload');

    const [{ count }] = (await relay.store.db.select({ count: sql<number>`count(*)::int` }).from(callbackEvents)) as [
      { count: number },
    ];
    expect(count).toBe(GOOD + 30);
    // Refusals are aggregated per (address, reason): one row counting the six.
    const refused = await relay.store.db.select().from(callbackRefusals).where(eq(callbackRefusals.reason, 'invalid_payload'));
    expect(refused.map((r) => [r.statusCode, r.count])).toEqual([[400, 6]]);
    // ≈ 4 s on an idle 2-core machine; the margin is for a busy CI runner.
  }, 120_000);

  it('keeps a hostile callback’s raw bytes exact and stores its fields with U+FFFD', async () => {
    const body = '{"eventId":"\\u0000","orderId":"\\ud800","status":"\\u0000","customerRef":"r\\udc00"}';
    const res = await relay.post(body);
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: string };
    const [row] = await relay.store.db.select().from(callbackEvents).where(eq(callbackEvents.id, id));
    expect(row!.rawBody).toBe(body);
    expect([row!.orderId, row!.rawStatus, row!.customerRef]).toEqual(['\uFFFD', '\uFFFD', 'r\uFFFD']);
    expect(row!.dedupeKey).toBe('event-json:"\\u0000"');
    // Another event id that sanitises to the same text is another callback, not a duplicate.
    const other = await relay.post('{"eventId":"\\ufffd","orderId":"\\ud800","status":"raised"}');
    expect(((await other.json()) as { duplicate: boolean }).duplicate).toBe(false);
    const again = await relay.post(body);
    expect(await again.json()).toEqual({ status: 'accepted', id, duplicate: true });
    const stored = await relay.store.db.select().from(orders).where(inArray(orders.orderId, ['\uFFFD']));
    expect(stored).toHaveLength(1);
  });
});
