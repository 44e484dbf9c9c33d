/**
 * The reconciler's queries for one round over 1,000,000 orders (2 % open), on Postgres:
 * the claim of a page of orders due for GET /order, and the SLA sweep. Baseline in the
 * same run: the same statements with index scans turned off (sequential scans), which is
 * what they would cost without the partial indexes on open orders.
 * `npm run bench:reconcile` (BENCH_DATABASE_URL or TEST_DATABASE_URL; a throwaway database)
 */
import { sql } from 'drizzle-orm';
import { openPostgresStore, type Db } from '../src/store/db.js';
import { claimOrdersToReconcile, findOverdueOrders } from '../src/store/reconcile.repo.js';
import { DEFAULT_ORDER_SLA } from '../src/config/env.js';
import { parseDuration } from '../src/lib/duration.js';
import type { OrderType } from '../src/event/event.js';
import { createBenchDatabase } from './support.js';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 1_000_000);
const RUNS = 15;
const PAGE = 50;
const AFTER_MS = 2 * 3_600_000;
const SLA = Object.fromEntries(DEFAULT_ORDER_SLA.split(',').map((p) => [p.split('=')[0], parseDuration(p.split('=')[1]!)])) as Record<
  OrderType,
  number
>;

class Rollback extends Error {}

/** Median ms of `run` inside a transaction that is always rolled back (the claim writes). */
async function median(db: Db, seqScan: boolean, run: (tx: Db) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await db
      .transaction(async (tx) => {
        if (seqScan) {
          await tx.execute(sql`set local enable_indexscan = off`);
          await tx.execute(sql`set local enable_bitmapscan = off`);
        }
        const t = performance.now();
        await run(tx as unknown as Db);
        times.push(performance.now() - t);
        throw new Rollback();
      })
      .catch((e: unknown) => {
        if (!(e instanceof Rollback)) throw e;
      });
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(RUNS / 2)]!;
}

const bench = await createBenchDatabase();
const store = await openPostgresStore({ url: bench.url, max: 1 });
const db = store.db;
try {
  const started = performance.now();
  // 1 in 50 open; open ones spread over the last 4 hours (half are due), 1 in 100 already reported overdue.
  await db.execute(sql`
    insert into orders (order_id, status, status_rank, order_type, number_type, numbers, first_seen_at, updated_at,
      reconcile_base_at, overdue_at)
    select 'IN-ORD-' || g,
      case when g % 50 = 0 then 'raised' else 'completed' end,
      case when g % 50 = 0 then 0 else 2 end,
      (array['reservation', 'activation', 'address_update', 'reservation_cancellation'])[1 + g % 4],
      'geo', '[]'::jsonb,
      now() - (g % 5000) * interval '1 minute', now(),
      now() - (g % 240) * interval '1 minute',
      case when g % 100 = 0 then now() end
    from generate_series(1, ${ORDERS}) g`);
  await db.execute(sql`analyze orders`);
  const loadS = ((performance.now() - started) / 1000).toFixed(1);

  const now = new Date();
  const claim = (tx: Db) => claimOrdersToReconcile(tx, { now, afterMs: AFTER_MS, limit: PAGE, leaseMs: 300_000 });
  const overdue = (tx: Db) => findOverdueOrders(tx, { now, slaMs: SLA, limit: PAGE });
  const claimed = await median(db, false, claim);
  const claimedSeq = await median(db, true, claim);
  const swept = await median(db, false, overdue);
  const sweptSeq = await median(db, true, overdue);
  const rows = [
    { query: `claim ${PAGE} due orders (FOR UPDATE SKIP LOCKED + update)`, 'partial index ms': claimed.toFixed(2), 'seq scan ms (baseline)': claimedSeq.toFixed(2), speedup: `${(claimedSeq / claimed).toFixed(0)}×` },
    { query: `SLA sweep: ${PAGE} overdue orders`, 'partial index ms': swept.toFixed(2), 'seq scan ms (baseline)': sweptSeq.toFixed(2), speedup: `${(sweptSeq / swept).toFixed(0)}×` },
  ];
  console.log(`${ORDERS.toLocaleString('en')} orders (${(ORDERS / 50).toLocaleString('en')} open), loaded in ${loadS} s; median of ${RUNS} runs each`);
  console.table(rows);
} finally {
  await store.close();
  await bench.drop();
}
