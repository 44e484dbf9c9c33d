/**
 * Refusal flood: a legitimate callback's latency while CONNECTIONS connections post
 * unauthenticated callbacks as fast as they can, against the same latency with no flood, in
 * the same run (target: p99 ratio ≤ 2). After the relay stops, the audit must hold every
 * refusal: the sum of the counts in callback_refusals equals the 401 answers the flood got,
 * in a handful of rows.
 */
import postgres from 'postgres';
import { createBenchDatabase } from '../support.js';
import { flood, quietAndFlood, startRelay, stopRelay, summary, type FloodOptions } from './harness.js';

export async function refusalFlood(options: FloodOptions): Promise<void> {
  const db = await createBenchDatabase();
  const relay = await startRelay({ DATABASE_URL: db.url });
  let result: Awaited<ReturnType<typeof quietAndFlood>>;
  try {
    result = await quietAndFlood(relay.port, { ...options, label: 'refusals' }, (seconds) =>
      flood(relay.port, seconds, options.connections, {
        method: 'POST',
        path: '/callbacks/colt',
        headers: { 'content-type': 'application/json', authorization: 'Bearer guessed-wrong-token' },
        body: JSON.stringify({ orderId: 'IN-ORD-FLOOD', status: 'raised' }),
      }),
    );
  } finally {
    await stopRelay(relay); // flushes the refusal counts
  }
  const sql = postgres(db.url, { max: 1, onnotice: () => {} });
  const [audit] = await sql<{ rows: string; counted: string }[]>`select count(*)::text as rows, coalesce(sum(count), 0)::text as counted from callback_refusals`;
  await sql.end();
  await db.drop();

  const q = summary(result.quiet);
  const l = summary(result.loud);
  const rps = result.attacks.reduce((n, a) => n + a.rps, 0) / result.attacks.length;
  console.log(`\nrefusal flood: ${options.connections} unauthenticated connections; probe every ${options.probeEveryMs} ms; ${options.rounds} rounds × ${options.seconds} s per phase; Postgres`);
  console.table([
    { phase: 'no flood', 'probe p50 ms': q.p50.toFixed(1), 'probe p99 ms': q.p99.toFixed(1), probes: q.probes, 'probe failures': q.failures, 'flood req/s': 0 },
    { phase: 'flood', 'probe p50 ms': l.p50.toFixed(1), 'probe p99 ms': l.p99.toFixed(1), probes: l.probes, 'probe failures': l.failures, 'flood req/s': rps.toFixed(0) },
  ]);
  console.log(`ratio p99 flood / no flood: ${(l.p99 / q.p99).toFixed(2)} (target ≤ 2)`);
  const refused = result.attacks.reduce((n, a) => n + a.refused, 0);
  const errors = result.attacks.reduce((n, a) => n + a.errors, 0);
  console.log(`audit: ${refused} refused requests (${errors} client errors) → ${audit!.rows} callback_refusals rows counting ${audit!.counted}`);
}
