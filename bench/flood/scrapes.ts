/**
 * Scrape flood (tracker issue 25, finding 1): a legitimate callback's latency while
 * CONNECTIONS connections scrape GET /metrics as fast as answers come, against the same latency
 * without them, on a store holding what makes the store-read gauges expensive:
 *
 * - BENCH_OPEN_ORDERS (40,000) open orders of every type, aged from minutes to three weeks
 *   (open_orders groups them by type and age, overdue_orders compares each with its SLA);
 * - as many dead deliveries (queue_depth counts them);
 * - as many deliveries due on a disabled channel (oldest_due_delivery_age_seconds has to step
 *   over every held row before it finds none; held_deliveries counts them);
 * - a dozen channels in the rules.
 *
 * 40,000 `raised` orders alone (the first rerun) cost little: one read is ~25 ms. The held
 * deliveries and the mixed ages are what make a scrape's five reads ~250 ms, so fifty
 * scrapers keep every pooled connection (PGlite: its only one) busy and callbacks queue behind
 * them. The same relay runs twice on the same data, in the same run: METRICS_GAUGE_MAX_AGE=off
 * (every scrape reads the store, as before) and the default (one shared read per 5 s).
 *
 * BENCH_STORE=pglite runs it on the embedded database instead of Postgres; BENCH_BASELINE_BIN
 * adds another build as a first mode (e.g. a checkout of the release before, built).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { openPgliteStore } from '../../src/store/pglite.js';
import { migrateStore } from '../../src/store/migrate.js';
import { sql as drizzleSql } from 'drizzle-orm';
import { createBenchDatabase } from '../support.js';
import { flood, medianOf, quietAndFlood, startRelay, stopRelay, summary, type FloodOptions } from './harness.js';

const OPEN_ORDERS = Number(process.env.BENCH_OPEN_ORDERS ?? 40_000);
const STORE = process.env.BENCH_STORE === 'pglite' ? 'pglite' : 'postgres';
const METRICS_TOKEN = 'bench-metrics-token-0123456789abcdef';

/** The rules: a dozen channels, no rule that the probe's `raised` callbacks match. */
const RULES = `
channels:
  ops-hook: { type: webhook, url: "http://127.0.0.1:9/hook", secret: "whsec_${Buffer.from('bench-scrape-webhook-secret-32b!').toString('base64')}" }
  ops-slack: { type: slack, channel: "#ops" }
${Array.from({ length: 10 }, (_, i) => `  log-${i}: { type: log }`).join('\n')}
rules:
  - name: failures
    match: { status: failed }
    notify: [ops-hook, ops-slack]
`;

/** The statements that fill a migrated store with `n` of each (see the header). */
function seedStatements(n: number): string[] {
  const types = `(array['activation','reservation','address_update','reservation_cancellation','unknown'])[1 + g % 5]`;
  return [
    // overdue_at set: the SLA sweep has nothing to report (the gauge counts them all the same).
    `insert into orders (order_id, status, status_rank, order_type, number_type, numbers, first_seen_at, updated_at, reconcile_base_at, overdue_at)
       select 'BENCH-'||g, case when g % 2 = 0 then 'in_progress' else 'raised' end, g % 2, ${types}, 'geo', '[]',
         now() - (g % 500) * interval '1 hour', now(), now(), now()
       from generate_series(1, ${n}) g`,
    `insert into callback_events (id, dedupe_key, order_id, status, order_type, number_type, numbers, occurred_at, received_at, raw_body, payload, headers)
       select gen_random_uuid(), 'bench:'||g, 'BENCH-'||g, 'failed', 'activation', 'geo', '[]', now(), now(), '{}', '{}', '{}'
       from generate_series(1, ${n}) g`,
    `insert into deliveries (id, event_id, order_id, channel, channel_type, rules, status, attempts, next_attempt_at, created_at, updated_at)
       select gen_random_uuid(), e.id, e.order_id, 'ops-hook', 'webhook', '["failures"]', 'dead', 9, now(), now(), now() from callback_events e`,
    `insert into deliveries (id, event_id, order_id, channel, channel_type, rules, generation, status, next_attempt_at, created_at, updated_at)
       select gen_random_uuid(), e.id, e.order_id, 'ops-slack', 'slack', '["failures"]', 1, 'pending', now() - interval '1 hour', now(), now() from callback_events e`,
    `insert into channel_state (channel, disabled_at, updated_at) values ('ops-slack', now(), now())`,
    'analyze',
  ];
}

/** A seeded store for the relay: its settings, and how to throw it away. */
async function seededStore(): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  if (STORE === 'postgres') {
    const db = await createBenchDatabase();
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    for (const statement of seedStatements(OPEN_ORDERS)) await sql.unsafe(statement);
    await sql.end();
    return { env: { DATABASE_URL: db.url }, drop: db.drop };
  }
  const dir = await mkdtemp(join(tmpdir(), 'colt-relay-bench-scrapes-'));
  const dataDir = join(dir, 'data');
  const store = await openPgliteStore({ dataDir });
  await migrateStore(store);
  for (const statement of seedStatements(OPEN_ORDERS)) await store.db.execute(drizzleSql.raw(statement));
  await store.close();
  return { env: { DATA_DIR: dataDir }, drop: () => rm(dir, { recursive: true, force: true }) };
}

/** A relay setting and the endpoint its flood hits; `bin` another build's (BENCH_BASELINE_BIN). */
interface Mode {
  maxAge: string;
  path: '/metrics' | '/healthz';
  bin?: string;
}

/**
 * BENCH_BASELINE_BIN: another checkout's bin/colt-relay.mjs (built), e.g. the release before
 * shared reads, measured first in the same run on the same data.
 */
const BASELINE_BIN = process.env.BENCH_BASELINE_BIN;

/**
 * Every scrape reads and renders (as before); shared reads (the default); and, for the floor
 * any flood of this size costs, the same connections on /healthz, which touches no store.
 */
const MODES: Mode[] = [
  ...(BASELINE_BIN ? [{ maxAge: 'baseline build', path: '/metrics' as const, bin: BASELINE_BIN }] : []),
  { maxAge: 'off', path: '/metrics' },
  { maxAge: '5s', path: '/metrics' },
  { maxAge: '5s', path: '/healthz' },
];

/** One relay on the seeded store with this METRICS_GAUGE_MAX_AGE, through quiet and flood phases. */
async function runMode(env: Record<string, string>, mode: Mode, options: FloodOptions) {
  const relay = await startRelay(
    {
      ...env,
      RULES,
      SLACK_BOT_TOKEN: 'xoxb-bench-not-used',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      METRICS_TOKEN,
      ...(mode.bin === undefined && { METRICS_GAUGE_MAX_AGE: mode.maxAge }),
    },
    mode.bin,
  );
  try {
    return await quietAndFlood(relay.port, { ...options, label: `${mode.path}, METRICS_GAUGE_MAX_AGE=${mode.maxAge}` }, (seconds) =>
      flood(relay.port, seconds, options.connections, { method: 'GET', path: mode.path, headers: { authorization: `Bearer ${METRICS_TOKEN}` } }),
    );
  } finally {
    await stopRelay(relay);
  }
}

export async function scrapeFlood(options: FloodOptions): Promise<void> {
  const store = await seededStore();
  const results: Awaited<ReturnType<typeof runMode>>[] = [];
  try {
    for (const mode of MODES) results.push(await runMode(store.env, mode, options));
  } finally {
    await store.drop();
  }
  console.log(
    `\nscrape flood: ${options.connections} connections on /metrics (and /healthz for reference); ${OPEN_ORDERS} open orders, ${OPEN_ORDERS} dead and ${OPEN_ORDERS} held deliveries, 12 channels; probe every ${options.probeEveryMs} ms; ${options.rounds} rounds × ${options.seconds} s per phase; ${STORE === 'pglite' ? 'PGlite' : 'Postgres'}`,
  );
  const rows = MODES.flatMap((mode, i) => {
    const r = results[i]!;
    const phase = (name: string, runs: typeof r.quiet, rps: number) => {
      const s = summary(runs);
      return {
        flood: mode.path,
        METRICS_GAUGE_MAX_AGE: mode.maxAge,
        phase: name,
        'probe p50 ms (median of rounds)': medianOf(runs.map((run) => summary([run]).p50)).toFixed(1),
        'probe p99 ms (pooled)': s.p99.toFixed(1),
        probes: s.probes,
        'probe failures': s.failures,
        'flood req/s': rps.toFixed(0),
      };
    };
    const rps = r.attacks.reduce((n, a) => n + a.rps, 0) / r.attacks.length;
    return [phase('quiet', r.quiet, 0), phase('flood', r.loud, rps)];
  });
  console.table(rows);
}
