/**
 * Finding 6: a flood of refused callbacks from one address is counted, not written row by
 * row: N refusals → one row with count N, other addresses' history intact, the database
 * written once per flush, and real callbacks still accepted during the flood.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRefusalPacer } from '../../src/http/auth-throttle.js';
import { createManualClock } from '../../src/lib/clock.js';
import { createSilentLogger } from '../../src/lib/logger.js';
import { createRefusalRecorder, type RefusalRecorder } from '../../src/store/refusal-recorder.js';
import { upsertRefusals } from '../../src/store/refusals.repo.js';
import { callbackEvents, callbackRefusals } from '../../src/store/schema.js';
import { createTestStore, STORE_KINDS, type TestStore } from '../support/store.js';
import { CALLBACK_TOKEN, startSecurityRelay, type SecurityRelay } from './support.js';

const FLOOD = 400;
const CONCURRENCY = 25;
const HISTORY = Array.from({ length: 20 }, (_, i) => `203.0.113.${i + 1}`);

describe.each(STORE_KINDS)('refusal flood on %s', (kind) => {
  let store: TestStore;
  let refusals: RefusalRecorder;
  let relay: SecurityRelay;
  beforeAll(async () => {
    store = await createTestStore(kind);
    // Flushed by the test, not by a timer: what is in the table is what a flush wrote.
    refusals = createRefusalRecorder(store, { logger: createSilentLogger(), flushIntervalMs: 3_600_000 });
    relay = await startSecurityRelay(kind, {}, { store, refusals });
  });
  afterAll(async () => {
    await relay?.close();
    await refusals?.close();
    await store?.close();
  });

  const rowsOf = (remoteAddr: string) =>
    store.db.select().from(callbackRefusals).where(eq(callbackRefusals.remoteAddr, remoteAddr));

  it(`${FLOOD} unauthenticated callbacks from one address → one row with count ${FLOOD}; other history intact`, async () => {
    // Earlier history: other callers' refusals, some counted many times.
    const at = new Date(relay.clock.now() - 60_000);
    await upsertRefusals(
      store.db,
      HISTORY.map((remoteAddr, i) => ({
        count: i + 1,
        firstSeenAt: at,
        sample: { at, remoteAddr, reason: 'unauthorized', statusCode: 401, message: 'no credentials', path: '/callbacks/colt' },
      })),
    );
    const history = await store.db.select().from(callbackRefusals);

    // The flood, over real sockets (its address is the listener's peer, 127.0.0.1).
    let next = 0;
    const statuses: number[] = [];
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < FLOOD) {
          next++;
          const res = await fetch(`${relay.url}/callbacks/colt`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: 'Bearer guessed-token' },
            body: JSON.stringify({ orderId: `FLOOD-${next}`, status: 'raised' }),
          });
          statuses.push(res.status);
          await res.arrayBuffer();
        }
      }),
    );
    expect(statuses).toHaveLength(FLOOD);
    expect(new Set(statuses)).toEqual(new Set([401]));
    // Counted in memory so far: the flood has not written a row per request.
    expect(await rowsOf('127.0.0.1')).toEqual([]);

    // A real callback in the middle of it is accepted and stored.
    const real = await fetch(`${relay.url}/callbacks/colt`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${CALLBACK_TOKEN}` },
      body: JSON.stringify({ orderId: 'IN-ORD-REAL-1', status: 'raised' }),
    });
    expect(real.status).toBe(200);

    await refusals.flush();
    const flood = await rowsOf('127.0.0.1');
    expect(flood).toHaveLength(1);
    expect(flood[0]).toMatchObject({ reason: 'unauthorized', count: FLOOD, statusCode: 401, path: '/callbacks/colt' });
    expect(flood[0]!.firstSeenAt.getTime()).toBeLessThanOrEqual(flood[0]!.lastSeenAt.getTime());
    expect(flood[0]!.bodyExcerpt ?? '').not.toContain('guessed-token');

    // Every earlier row is still there, unchanged.
    const after = await store.db.select().from(callbackRefusals);
    for (const row of history) expect(after).toContainEqual(row);
    expect(after).toHaveLength(history.length + 1);
    expect(await store.db.select().from(callbackEvents).where(eq(callbackEvents.orderId, 'IN-ORD-REAL-1'))).toHaveLength(1);
  });

  it('a second flood adds to the same row, and first/last seen widen', async () => {
    const [before] = await rowsOf('127.0.0.1');
    relay.clock.advance(5_000);
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${relay.url}/callbacks/colt`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(res.status).toBe(401);
    }
    await refusals.flush();
    const [row] = await rowsOf('127.0.0.1');
    expect(row!.id).toBe(before!.id);
    expect(row!.count).toBe(before!.count + 10);
    expect(row!.firstSeenAt).toEqual(before!.firstSeenAt);
    expect(row!.lastSeenAt.getTime()).toBe(before!.lastSeenAt.getTime() + 5_000);
  });

  it('reasons are counted apart', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${relay.url}/callbacks/colt`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', authorization: `Bearer ${CALLBACK_TOKEN}` },
        body: 'x',
      });
      expect(res.status).toBe(415);
    }
    await refusals.flush();
    const rows = await store.db
      .select()
      .from(callbackRefusals)
      .where(and(eq(callbackRefusals.remoteAddr, '127.0.0.1'), eq(callbackRefusals.reason, 'unsupported_media_type')));
    expect(rows.map((r) => r.count)).toEqual([3]);
  });
});

describe.each(STORE_KINDS)('refusals are never dropped silently (%s)', (kind) => {
  it('a flush with nothing to write does not stop later flushes', async () => {
    const store = await createTestStore(kind);
    try {
      const recorder = createRefusalRecorder(store, { logger: createSilentLogger(), flushIntervalMs: 3_600_000 });
      await recorder.flush(); // the timer's first tick usually finds nothing
      await recorder.record({ at: new Date(), remoteAddr: '192.0.2.76', reason: 'unauthorized', statusCode: 401, message: 'x', path: '/callbacks/colt' });
      await recorder.flush();
      expect((await store.db.select().from(callbackRefusals)).map((r) => r.count)).toEqual([1]);
      await recorder.close();
    } finally {
      await store.close();
    }
  });

  it('close() writes what is still counted', async () => {
    const store = await createTestStore(kind);
    try {
      const recorder = createRefusalRecorder(store, { logger: createSilentLogger(), flushIntervalMs: 3_600_000 });
      const at = new Date();
      for (let i = 0; i < 7; i++) {
        await recorder.record({ at, remoteAddr: '192.0.2.77', reason: 'unauthorized', statusCode: 401, message: 'x', path: '/callbacks/colt' });
      }
      expect(await store.db.select().from(callbackRefusals)).toEqual([]);
      await recorder.close();
      const rows = await store.db.select().from(callbackRefusals);
      expect(rows.map((r) => [r.remoteAddr, r.count])).toEqual([['192.0.2.77', 7]]);
    } finally {
      await store.close();
    }
  });

  it('a failed write keeps its counts for the next one', async () => {
    const store = await createTestStore(kind);
    try {
      const recorder = createRefusalRecorder(store, { logger: createSilentLogger(), flushIntervalMs: 3_600_000 });
      const sample = { remoteAddr: '192.0.2.78', reason: 'unauthorized', statusCode: 401, message: 'x', path: '/callbacks/colt' };
      await recorder.record({ ...sample, at: new Date() });
      // The table is briefly unusable: the write fails and the count must survive it.
      await store.db.execute('alter table callback_refusals rename to callback_refusals_away');
      await expect(recorder.flush()).rejects.toThrow();
      await store.db.execute('alter table callback_refusals_away rename to callback_refusals');
      await recorder.record({ ...sample, at: new Date() });
      await recorder.flush();
      const rows = await store.db.select().from(callbackRefusals);
      expect(rows.map((r) => r.count)).toEqual([2]);
      await recorder.close();
    } finally {
      await store.close();
    }
  });
});

describe.each(STORE_KINDS)('refusal tarpit (%s)', (kind) => {
  const PAUSE_MS = 2000;
  let store: TestStore;
  let relay: SecurityRelay;
  beforeAll(async () => {
    store = await createTestStore(kind);
    relay = await startSecurityRelay(kind, {}, { store, refusalPacer: createRefusalPacer({ clock: createManualClock(), freePerSecond: 5, pauseMs: PAUSE_MS }) });
  });
  afterAll(async () => {
    await relay?.close();
    await store?.close();
  });

  const timed = async (headers: Record<string, string>, body: string) => {
    const started = performance.now();
    const res = await relay.app.request('/callbacks/colt', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    await res.arrayBuffer();
    return { status: res.status, ms: performance.now() - started };
  };

  it('past 5 refusals a second from one address, answers are held; real callbacks and other addresses are not', async () => {
    relay.peer = '198.51.100.50';
    for (let i = 0; i < 5; i++) expect((await timed({}, '{}')).status).toBe(401);
    const held = await timed({}, '{}');
    expect(held.status).toBe(401);
    expect(held.ms).toBeGreaterThanOrEqual(PAUSE_MS - 50);
    // Colt's real callback from the same address: accepted, not held.
    const real = await timed({ authorization: `Bearer ${CALLBACK_TOKEN}` }, JSON.stringify({ orderId: 'IN-ORD-TARPIT', status: 'raised' }));
    expect(real.status).toBe(200);
    expect(real.ms).toBeLessThan(PAUSE_MS);
    relay.peer = '198.51.100.51';
    const other = await timed({}, '{}');
    expect(other.status).toBe(401);
    expect(other.ms).toBeLessThan(PAUSE_MS);
  });
});
