/**
 * Floods against the real relay (`colt-relay serve`): a legitimate callback's latency while
 * CONNECTIONS connections hammer one endpoint, against the same latency with no flood, in the
 * same run. Two cases (BENCH_CASE=refusals|scrapes, both by default):
 *
 * - refusals (flood/refusals.ts): unauthenticated callbacks; the tarpit and the refusal audit;
 * - scrapes (flood/scrapes.ts): GET /metrics on a store whose gauges are expensive to read,
 *   with the store-read gauges shared (the default) and read on every scrape (as before).
 *
 *   npm run build && npm run bench:flood       # BENCH_DATABASE_URL or TEST_DATABASE_URL, else local Postgres
 *   BENCH_CASE=scrapes BENCH_STORE=pglite BENCH_SECONDS=5 BENCH_ROUNDS=3 npm run bench:flood
 *
 * The probe sends one authenticated callback (a new order each time) every PROBE_EVERY_MS,
 * one at a time; the flood runs in its own process (autocannon's CLI). Rounds alternate quiet
 * and flood phases, so both see the same background noise.
 */
import { assertBuilt } from './relay-process.js';
import type { FloodOptions } from './flood/harness.js';
import { refusalFlood } from './flood/refusals.js';
import { scrapeFlood } from './flood/scrapes.js';

const options: FloodOptions = {
  seconds: Number(process.env.BENCH_SECONDS ?? 5),
  rounds: Number(process.env.BENCH_ROUNDS ?? 2),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 50),
  probeEveryMs: Number(process.env.BENCH_PROBE_EVERY_MS ?? 20),
};
const cases = (process.env.BENCH_CASE ?? 'refusals,scrapes').split(',').map((c) => c.trim());
const known: Record<string, (o: FloodOptions) => Promise<void>> = { refusals: refusalFlood, scrapes: scrapeFlood };
const unknown = cases.filter((c) => !known[c]);
if (unknown.length > 0) throw new Error(`BENCH_CASE: unknown case ${unknown.join(', ')}; use refusals, scrapes or both`);
assertBuilt();
for (const name of cases) await known[name]!(options);
