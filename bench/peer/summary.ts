/** One run's numbers, from the sends and the receiver's arrivals; medians over rounds. */
import type { ArrivalLog } from '../webhook-receiver.js';
import type { ContenderName } from './contenders.js';
import type { Send } from './load.js';

export interface RunResult {
  contender: ContenderName;
  mode: string;
  round: number;
  sent: number;
  /** Answered other than 2xx, or not answered. */
  errors: number;
  delivered: number;
  /** Accepted (2xx) but no webhook within the drain timeout. */
  lost: number;
  /** Callbacks whose webhook arrived more than once (same callback id or same webhook-id). */
  doubled: number;
  /** Webhooks whose signature did not verify. */
  unverified: number;
  /** Delivered callbacks per second, from the first POST's start to the last webhook's arrival. */
  deliveredPerS: number;
  /** POST start → first webhook arrival, ms. */
  p50: number;
  p95: number;
  p99: number;
  /** POST start → the contender's answer, ms (p50). */
  answerP50: number;
  /** The contender's answer → webhook arrival, ms (p50): the outbox's own wait. */
  outboxP50: number;
  /** CPU ms of the contender's process per delivered callback. */
  cpuMs: number;
  /** CPU ms of its database's Postgres backends per delivered callback. */
  pgCpuMs: number;
  /** xact_commit of its database per callback sent. */
  commits: number;
  /** Open loop: the latest a send started after its due time, ms. */
  maxLagMs: number;
  /** 1-minute load average when the run started. */
  load1: number;
  /** False when the contender still held unfinished work at the end (it lost callbacks). */
  finished: boolean;
}

export interface RunInput {
  contender: ContenderName;
  mode: string;
  round: number;
  sends: Send[];
  log: ArrivalLog;
  maxLagMs: number;
  cpuS: number;
  pgCpuS: number;
  commits: number;
  load1: number;
  finished: boolean;
}

/** Nearest-rank percentile of unsorted values; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export const median = (values: readonly number[]) => percentile(values, 50);

export function summariseRun(input: RunInput): RunResult {
  const { sends, log } = input;
  const sent = new Map(sends.map((s) => [s.id, s]));
  const firstArrival = new Map<string, number>();
  const perCallback = new Map<string, number>();
  const perWebhookId = new Map<string, { count: number; callbackId: string }>();
  let lastArrival = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < log.callbackIds.length; i++) {
    const id = log.callbackIds[i]!;
    if (!sent.has(id)) continue; // a late repeat of an earlier run's callback
    const at = log.atMs[i]!;
    firstArrival.set(id, Math.min(at, firstArrival.get(id) ?? at));
    perCallback.set(id, (perCallback.get(id) ?? 0) + 1);
    const webhookId = log.webhookIds[i]!;
    const seen = perWebhookId.get(webhookId);
    perWebhookId.set(webhookId, { count: (seen?.count ?? 0) + 1, callbackId: id });
    lastArrival = Math.max(lastArrival, at);
  }
  const doubled = new Set([...perCallback].filter(([, n]) => n > 1).map(([id]) => id));
  for (const { count, callbackId } of perWebhookId.values()) if (count > 1) doubled.add(callbackId);

  const accepted = sends.filter((s) => s.status >= 200 && s.status < 300);
  const delivered = accepted.filter((s) => firstArrival.has(s.id));
  const latencies = delivered.map((s) => firstArrival.get(s.id)! - s.startMs);
  const firstStart = Math.min(...sends.map((s) => s.startMs));
  const per = (total: number) => total / Math.max(1, delivered.length);
  return {
    contender: input.contender,
    mode: input.mode,
    round: input.round,
    sent: sends.length,
    errors: sends.length - accepted.length,
    delivered: delivered.length,
    lost: accepted.length - delivered.length,
    doubled: doubled.size,
    unverified: log.unverified,
    deliveredPerS: delivered.length / ((lastArrival - firstStart) / 1000),
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    answerP50: median(accepted.map((s) => s.answeredMs - s.startMs)),
    outboxP50: median(delivered.map((s) => firstArrival.get(s.id)! - s.answeredMs)),
    cpuMs: per(input.cpuS * 1000),
    pgCpuMs: per(input.pgCpuS * 1000),
    commits: input.commits / Math.max(1, sends.length),
    maxLagMs: input.maxLagMs,
    load1: input.load1,
    finished: input.finished,
  };
}
