/**
 * The reconciler's store side on both databases: due orders are claimed once (a lease),
 * checks schedule the next one at doubling intervals, the SLA sweep sees each type's SLA,
 * and /metrics counts open orders by type and age.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { nextCheckDelayMs } from '../../src/enrich/reconcile.js';
import { createPromMetrics } from '../../src/runtime/node/prom-metrics.js';
import {
  claimOrdersToReconcile,
  countOpenOrders,
  findOverdueOrders,
  markOverdue,
  recordReconcileCheck,
} from '../../src/store/reconcile.repo.js';
import { orders } from '../../src/store/schema.js';
import { createTestStore, STORE_KINDS, type TestStore } from '../support/store.js';

const HOUR = 3_600_000;
const NOW = new Date('2026-11-27T12:00:00Z');
const SLA = { reservation: 4 * HOUR, reservation_cancellation: 4 * HOUR, activation: 72 * HOUR, address_update: 72 * HOUR, unknown: 72 * HOUR };

function order(orderId: string, orderType: string, status: 'raised' | 'completed', ageMs: number) {
  const at = new Date(NOW.getTime() - ageMs);
  return {
    orderId,
    status,
    statusRank: status === 'raised' ? 0 : 2,
    orderType,
    numberType: 'geo',
    numbers: [],
    firstSeenAt: at,
    updatedAt: at,
    reconcileBaseAt: at,
  };
}

describe('check intervals', () => {
  it('double from RECONCILE_AFTER and stop at RECONCILE_MAX_INTERVAL', () => {
    expect([1, 2, 3, 4].map((n) => nextCheckDelayMs(n, 2 * HOUR, 6 * HOUR) / HOUR)).toEqual([4, 6, 6, 6]);
    expect(nextCheckDelayMs(1, 2_000, 6 * HOUR)).toBe(4_000);
  });
});

describe.each(STORE_KINDS)('reconciliation repository on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
    await store.db.insert(orders).values([
      order('A-OPEN-30M', 'activation', 'raised', 30 * 60_000),
      order('A-OPEN-3H', 'activation', 'raised', 3 * HOUR),
      order('R-OPEN-5H', 'reservation', 'raised', 5 * HOUR),
      order('A-DONE-5H', 'activation', 'completed', 5 * HOUR),
    ]);
  });
  afterAll(async () => store?.close());

  it('claims open orders past RECONCILE_AFTER once, oldest first, and schedules the next check', async () => {
    const claim = () => claimOrdersToReconcile(store.db, { now: NOW, afterMs: 2 * HOUR, limit: 10, leaseMs: 300_000 });
    const first = await claim();
    expect(first.map((o) => o.orderId).sort()).toEqual(['A-OPEN-3H', 'R-OPEN-5H']);
    expect(await claim()).toEqual([]); // leased
    const next = new Date(NOW.getTime() + 4 * HOUR);
    await recordReconcileCheck(store.db, 'A-OPEN-3H', { at: NOW, result: 'unchanged', nextCheckAt: next, afterMs: 2 * HOUR });
    const [row] = await store.db.select().from(orders).where(eq(orders.orderId, 'A-OPEN-3H'));
    expect(row).toMatchObject({ reconcileChecks: 1, lastReconcileResult: 'unchanged' });
    const later = await claimOrdersToReconcile(store.db, { now: next, afterMs: 2 * HOUR, limit: 10, leaseMs: 300_000 });
    expect(later.map((o) => o.orderId)).toContain('A-OPEN-3H');
  });

  it('finds orders past their own SLA, once', async () => {
    const late = await findOverdueOrders(store.db, { now: NOW, slaMs: SLA, limit: 10 });
    expect(late.map((o) => o.orderId)).toEqual(['R-OPEN-5H']);
    await markOverdue(store.db, ['R-OPEN-5H'], NOW);
    expect(await findOverdueOrders(store.db, { now: NOW, slaMs: SLA, limit: 10 })).toEqual([]);
  });

  it('exports open orders by type and age, and reconciliation outcomes', async () => {
    const prom = createPromMetrics({ defaultMetrics: false, openOrders: () => countOpenOrders(store.db, NOW) });
    prom.metrics.reconciled!('advanced');
    const text = await prom.render();
    expect(text).toContain('colt_relay_open_orders{order_type="activation",age="lt_1h"} 1');
    expect(text).toContain('colt_relay_open_orders{order_type="activation",age="1h_4h"} 1');
    expect(text).toContain('colt_relay_open_orders{order_type="reservation",age="4h_24h"} 1');
    expect(text).not.toMatch(/open_orders\{[^}]*\} 2/);
    expect(text).toContain('colt_relay_reconcile_checks_total{outcome="advanced"} 1');
  });
});
