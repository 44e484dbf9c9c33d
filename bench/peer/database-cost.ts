/**
 * What one contender costs its database: the CPU of that database's Postgres backends and its
 * commits (pg_stat_database.xact_commit). Read through a monitor connection to another database
 * (BENCH_BASE_URL's), so that the readings add no backend and no commit of their own.
 */
import type postgres from 'postgres';
import { cpuSecondsOf } from '../relay-process.js';

export interface BackendCpuMeter {
  /** CPU seconds the database's backends used since the meter started. */
  stop(): Promise<number>;
}

/**
 * Samples the database's backends (pg_stat_activity) every `intervalMs` and their CPU from
 * /proc (Linux, same machine), like `postgresCpuSeconds` in bench/relay-process.ts but for one
 * database: backends that were there at the start count from their reading then, backends
 * that connect later count whole. A backend that exits mid-run loses at most its last interval.
 */
export async function startBackendCpuMeter(
  monitor: postgres.Sql,
  database: string,
  excludePids: readonly number[],
  intervalMs = 250,
): Promise<BackendCpuMeter> {
  const start = new Map<number, number>();
  const last = new Map<number, number>();
  const sample = async (initial: boolean) => {
    // Client backends and the autovacuum workers that clean up after them.
    const rows = await monitor<{ pid: number }[]>`select pid from pg_stat_activity where datname = ${database}`;
    for (const { pid } of rows) {
      if (excludePids.includes(pid)) continue;
      let cpu: number;
      try {
        cpu = cpuSecondsOf(pid);
      } catch {
        continue; // exited since the query
      }
      if (!start.has(pid)) start.set(pid, initial ? cpu : 0);
      last.set(pid, cpu);
    }
  };
  await sample(true);
  let sampling = Promise.resolve();
  const timer = setInterval(() => {
    sampling = sampling.then(() => sample(false));
  }, intervalMs);
  return {
    stop: async () => {
      clearInterval(timer);
      await sampling;
      await sample(false);
      let total = 0;
      for (const [pid, cpu] of last) total += cpu - start.get(pid)!;
      return total;
    },
  };
}

/**
 * The database's committed transactions so far. Postgres 15 publishes a backend's counts when
 * it goes idle, at most once a second, and otherwise up to 10 s later or when it exits: read
 * after a quiet spell longer than that, or after the database's backends have exited.
 */
export async function commitsOf(monitor: postgres.Sql, database: string): Promise<number> {
  await monitor`select pg_stat_clear_snapshot()`;
  const [row] = await monitor<{ n: string }[]>`select xact_commit::text as n from pg_stat_database where datname = ${database}`;
  return Number(row!.n);
}

/** Waits until no client backend is connected to the database (their statistics are then published). */
export async function waitForNoBackends(monitor: postgres.Sql, database: string, timeoutMs = 30_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const [row] = await monitor<{ n: number }[]>`
      select count(*)::int as n from pg_stat_activity where datname = ${database} and backend_type = 'client backend'`;
    if (row!.n === 0) return;
    if (performance.now() > deadline) throw new Error(`${row!.n} backends still connected to ${database}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
