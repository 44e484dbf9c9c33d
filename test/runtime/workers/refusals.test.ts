/**
 * The refusal audit on Workers (docs/security.md): refused callbacks from rotating
 * CF-Connecting-IP addresses are counted in the isolate and written together, not one
 * database connection per request, and the cron sweep keeps `callback_refusals` at its bound
 * (REFUSAL_KEEP_ROWS) whatever the isolates do.
 */
import { count, eq, gte, sql, sum } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import worker from '../../../src/runtime/workers/worker.js';
import { REFUSAL_KEEP_ROWS } from '../../../src/store/refusals.repo.js';
import { callbackRefusals } from '../../../src/store/schema.js';
import { countingProxy, createTestDatabase, hasDatabase, RELAY_URL, runCron, testBindings } from './support/harness.js';

/** Rotating addresses from 198.18.0.0/15 (benchmarking range), one per request. */
const address = (i: number) => `198.18.${Math.floor(i / 250)}.${(i % 250) + 1}`;

describe.skipIf(!hasDatabase)('the refusal audit stays bounded on Workers (workerd, Postgres)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  const rows = async () => (await db.store.db.select({ n: count() }).from(callbackRefusals))[0]!.n;

  it('300 wrong tokens from rotating addresses: a few connections, every refusal counted, the table pruned to its bound', async () => {
    // A table already at its bound: 10,000 older pairs.
    await db.store.db.execute(sql`
      insert into callback_refusals (remote_addr, reason, count, first_seen_at, last_seen_at, status_code, message, path)
      select '10.9.' || (g / 250) || '.' || (g % 250), 'unauthorized', 1, now() - interval '1 day', now() - interval '1 day' + g * interval '1 ms',
             401, 'older', '/callbacks/colt'
      from generate_series(1, ${REFUSAL_KEEP_ROWS}) g`);
    const proxy = await countingProxy(db.url);
    const bindings = testBindings(proxy.url);
    const flood = 300;
    const started = new Date();

    // Answered one after another over about two seconds, as a flood arrives, each request's
    // waitUntil work left running as the runtime would.
    const background: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => void background.push(p) };
    for (let i = 0; i < flood; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const request = new Request(`${RELAY_URL}/callbacks/colt`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer not-the-token-0123456789', 'cf-connecting-ip': address(i) },
        body: `{"orderId":"IN-FLOOD-${i}"}`,
      });
      expect((await worker.fetch(request, bindings, ctx)).status).toBe(401);
    }
    await Promise.all(background);

    // Counted in memory and written together: not one connection per refused request.
    expect(await proxy.connections()).toBeLessThanOrEqual(10);
    const recent = await db.store.db
      .select({ pairs: count(), refusals: sum(callbackRefusals.count) })
      .from(callbackRefusals)
      .where(gte(callbackRefusals.lastSeenAt, started));
    expect(recent[0]).toEqual({ pairs: flood, refusals: String(flood) });
    expect(await rows()).toBe(REFUSAL_KEEP_ROWS + flood);

    // The cron sweep prunes to the bound, keeping the most recently seen pairs.
    await runCron(bindings);
    expect(await rows()).toBe(REFUSAL_KEEP_ROWS);
    const kept = await db.store.db.select({ n: count() }).from(callbackRefusals).where(gte(callbackRefusals.lastSeenAt, started));
    expect(kept[0]!.n).toBe(flood);
    const [newest] = await db.store.db.select().from(callbackRefusals).where(eq(callbackRefusals.remoteAddr, address(flood - 1)));
    expect(newest).toMatchObject({ reason: 'unauthorized', statusCode: 401, count: 1 });
  });
});
