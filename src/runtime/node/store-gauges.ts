/**
 * The gauges read from the store when Prometheus scrapes (docs/operations.md#metrics):
 *
 * - `queue_depth{status}` and `oldest_due_delivery_age_seconds` (one read, shared);
 * - `held_deliveries{channel,reason}`: waiting on purpose (disabled, quiet_hours, silenced, rate_limited);
 * - `channel_disabled{channel}`: 1 while disabled, 0 otherwise, every channel of the rules;
 * - `open_orders{order_type,age}` and `overdue_orders{order_type}` (every order type, 0 when none).
 *
 * Each gauge has one store read, given as a function, and every read goes through
 * sharedStoreRead: with METRICS_GAUGE_MAX_AGE (Node) the store is read at most once per that
 * long, and concurrent scrapes share the read in flight, so fifty scrapers cost what one does.
 * `during()` makes every read before the registry is collected, so a failed read is already in
 * store_errors_total on the same scrape; a gauge whose read failed keeps its last values.
 */
import { Gauge, type Registry } from 'prom-client';
import { sharedResult } from '../../lib/shared-result.js';
import type { RulesConfig } from '../../config/rules/rules.js';
import { quietChannelNames } from '../../deliver/pacing.js';
import type { OrderType } from '../../event/event.js';
import type { Clock } from '../../lib/clock.js';
import type { QueueStats } from '../../store/admin.repo.js';
import { listDisabledChannels } from '../../store/channel-state.repo.js';
import type { DbOrTx } from '../../store/db.js';
import { countHeldDeliveries, HELD_REASONS, type HeldCount } from '../../store/held-deliveries.repo.js';
import { countOpenOrders, countOverdueOrders } from '../../store/reconcile.repo.js';
import { getQueueStats, QUEUE_STATUSES } from '../../store/retention.repo.js';

const PREFIX = 'colt_relay_';

/** The reads behind the gauges; a gauge whose read is absent is not registered (queue gauges: stay 0). */
export interface StoreGaugeReads {
  queueStats?: () => Promise<QueueStats>;
  openOrders?: () => Promise<{ orderType: string; age: string; count: number }[]>;
  heldDeliveries?: () => Promise<HeldCount[]>;
  disabledChannels?: () => Promise<string[]>;
  overdueOrders?: () => Promise<Record<string, number>>;
  /** The channels of the rules in force. @default none */
  channelNames?: () => string[];
}

/**
 * How store reads are shared between scrapes. Every store gauge's read goes through
 * `sharedStoreRead`, so a gauge added later is bounded like the others.
 */
export interface StoreReadSharing {
  /**
   * A read is reused by every scrape for this long after it started (METRICS_GAUGE_MAX_AGE),
   * and concurrent scrapes wait for the one read in flight. Absent: each scrape reads the store
   * itself, concurrent scrapes included (what tests of the gauges' values want).
   */
  maxAgeMs?: number;
  /** Milliseconds now. @default Date.now */
  now?: () => number;
}

/**
 * `read` shared across scrapes: the one wrapper every store gauge's read goes through, so the
 * store is read at most once per `maxAgeMs` per gauge, however many scrapers there are and
 * whatever the data (lib/shared-result.ts). A failed read counts once in store_errors_total,
 * resolves to null (the gauge keeps its last values) and is not kept: the next scrape reads again.
 */
export function sharedStoreRead<T>(read: () => Promise<T>, onError: () => void, sharing: StoreReadSharing = {}): () => Promise<T | null> {
  const counted = () =>
    read().catch((error: unknown) => {
      onError();
      throw error;
    });
  const shared = sharing.maxAgeMs === undefined ? counted : sharedResult(counted, { maxAgeMs: sharing.maxAgeMs, now: sharing.now });
  return () => shared().catch(() => null);
}

/** One store read per scrape: made by `load()`, or on demand when the registry is read directly. */
interface ScrapeRead<T> {
  /** Starts this scrape's read; give its result to clear() when the scrape is done. */
  load(): Promise<T | null>;
  /** Forgets the read, unless a later scrape's has replaced it. */
  clear(loaded: Promise<T | null>): void;
  /** This scrape's value; null when the read failed. */
  value(): Promise<T | null>;
}

function scrapeRead<T>(read: () => Promise<T | null>): ScrapeRead<T> {
  let shared: Promise<T | null> | null = null;
  return {
    load() {
      shared = read();
      return shared;
    },
    clear(loaded) {
      if (shared === loaded) shared = null;
    },
    value: () => shared ?? read(),
  };
}

/** Registers the store gauges whose reads are given; `during(collect)` runs a scrape. */
export function createStoreGauges(registers: Registry[], reads: StoreGaugeReads, onError: () => void, sharing: StoreReadSharing = {}) {
  const all: ScrapeRead<unknown>[] = [];
  // Every gauge's read goes through here: shared across scrapes, then within one scrape.
  const track = <T>(read: () => Promise<T>): ScrapeRead<T> => {
    const r = scrapeRead(sharedStoreRead(read, onError, sharing));
    all.push(r as ScrapeRead<unknown>);
    return r;
  };
  const names = () => reads.channelNames?.() ?? [];
  const gauge = <L extends string>(name: string, help: string, labelNames: L[], collect: (g: Gauge<L>) => Promise<void>) =>
    new Gauge<L>({ name: PREFIX + name, help, labelNames, registers, collect() { return collect(this); } });

  const queue = reads.queueStats ? track(reads.queueStats) : null;
  gauge('queue_depth', 'Deliveries by status: pending, sending, retrying, and dead letters awaiting an operator.', ['status'], async (g) => {
    const s = queue ? await queue.value() : null;
    for (const status of QUEUE_STATUSES) {
      if (s) g.set({ status }, s.depth[status]);
      else if (!queue) g.set({ status }, 0);
    }
  });
  gauge(
    'oldest_due_delivery_age_seconds',
    'How long the oldest due delivery the relay may send now has waited past its due time (0 when none). Held deliveries (held_deliveries) do not count.',
    [],
    async (g) => {
      const s = queue ? await queue.value() : null;
      if (s) g.set(s.oldestDueAgeSeconds);
    },
  );

  if (reads.heldDeliveries) {
    const held = track(reads.heldDeliveries);
    gauge(
      'held_deliveries',
      'Deliveries waiting on purpose, by channel and reason: disabled, quiet_hours, silenced (suppressed by a silence in force), rate_limited.',
      ['channel', 'reason'],
      async (g) => {
        const rows = await held.value();
        if (!rows) return;
        g.reset();
        for (const channel of names()) for (const reason of HELD_REASONS) g.set({ channel, reason }, 0);
        for (const r of rows) g.set({ channel: r.channel, reason: r.reason }, r.count);
      },
    );
  }

  if (reads.disabledChannels) {
    const disabled = track(reads.disabledChannels);
    gauge('channel_disabled', '1 while the channel is disabled (breaker, webhook 410, an operator), else 0.', ['channel'], async (g) => {
      const off = await disabled.value();
      if (!off) return;
      g.reset();
      for (const channel of names()) g.set({ channel }, 0);
      for (const channel of off) g.set({ channel }, 1);
    });
  }

  if (reads.openOrders) {
    const open = track(reads.openOrders);
    gauge('open_orders', 'Orders not yet completed, failed or cancelled, by order type and age since first seen.', ['order_type', 'age'], async (g) => {
      const rows = await open.value();
      if (!rows) return;
      g.reset();
      for (const r of rows) g.set({ order_type: r.orderType, age: r.age }, r.count);
    });
  }

  if (reads.overdueOrders) {
    const overdue = track(reads.overdueOrders);
    gauge(
      'overdue_orders',
      'Open orders older than their type’s ORDER_SLA (the order.overdue condition), whether or not the event was sent.',
      ['order_type'],
      async (g) => {
        const counts = await overdue.value();
        if (!counts) return;
        for (const [orderType, count] of Object.entries(counts)) g.set({ order_type: orderType }, count);
      },
    );
  }

  return {
    /** Runs `collect` after this scrape's store reads, made first and at once. */
    async during<T>(collect: () => Promise<T>): Promise<T> {
      const loaded = all.map((r) => [r, r.load()] as const);
      await Promise.all(loaded.map(([, p]) => p));
      try {
        return await collect();
      } finally {
        for (const [r, p] of loaded) r.clear(p);
      }
    },
  };
}

/** What storeGaugeReads reads from. */
export interface StoreGaugeSources {
  db: DbOrTx;
  clock: Clock;
  /** ORDER_SLA by order type. */
  slaMs: Record<OrderType, number>;
  /** RECONCILE: `off` turns order SLAs off, and with them overdue_orders. @default true */
  reconcile?: boolean;
  /** The rules in force (their channels and quiet hours); null before the pipeline exists. */
  rules: () => RulesConfig | null;
}

/** Every store gauge's read, over one store and the rules in force (Node's server and the tests use the same). */
export function storeGaugeReads(src: StoreGaugeSources): StoreGaugeReads {
  const now = () => new Date(src.clock.now());
  const quietAt = (at: Date) => {
    const rules = src.rules();
    return rules ? quietChannelNames(rules.channels, at) : [];
  };
  return {
    queueStats: () => {
      const at = now();
      return getQueueStats(src.db, at, { quietChannels: quietAt(at) });
    },
    heldDeliveries: () => {
      const at = now();
      return countHeldDeliveries(src.db, at, quietAt(at));
    },
    disabledChannels: () => listDisabledChannels(src.db),
    openOrders: () => countOpenOrders(src.db, now()),
    ...(src.reconcile !== false && { overdueOrders: () => countOverdueOrders(src.db, now(), src.slaMs) }),
    channelNames: () => Object.keys(src.rules()?.channels ?? {}),
  };
}
