/**
 * The load of bench/peer.bench.ts: Colt-style callbacks POSTed to a contender, closed-loop
 * (a fixed number in flight) or open-loop (on a schedule, whatever the answers), each noted
 * with when its POST started and when it was answered.
 */
import { Agent, request } from 'undici';
import { BENCH_TOKEN } from '../relay-process.js';

/** process.hrtime in milliseconds: CLOCK_MONOTONIC, the clock the receiver stamps arrivals with. */
export const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;

export interface Send {
  /** The callback's orderId: what the webhook's `data.orderId` carries back. */
  id: string;
  startMs: number;
  answeredMs: number;
  /** HTTP status, or 0 when the request failed. */
  status: number;
}

/** One agent for the whole benchmark: keep-alive, as many connections as the load asks for. */
const agent = new Agent({ keepAliveTimeout: 60_000, pipelining: 1 });

export const closeLoadAgent = () => agent.close();

/** A flat Colt callback (the shape of test/fixtures/callbacks/flat-*.json) for a new order. */
function callbackBody(id: string, eventId: string): string {
  return JSON.stringify({
    eventId,
    eventTime: new Date().toISOString(),
    orderId: id,
    orderType: 'Number Activation',
    status: 'completed',
    customerRef: 'BENCH-CUSTOMER',
  });
}

/** POSTs callback `n` of a run; `tag` keeps each run's ids apart. */
async function post(url: string, tag: string, n: number): Promise<Send> {
  const id = `IN-ORD-${tag}-${n}`;
  const body = callbackBody(id, `${tag}-${n}`);
  const startMs = monotonicMs();
  try {
    const response = await request(url, {
      dispatcher: agent,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_TOKEN}` },
      body,
    });
    await response.body.dump();
    return { id, startMs, answeredMs: monotonicMs(), status: response.statusCode };
  } catch {
    return { id, startMs, answeredMs: monotonicMs(), status: 0 };
  }
}

/** `total` callbacks, `concurrency` in flight at every moment. */
export async function sendClosedLoop(port: number, tag: string, total: number, concurrency: number): Promise<Send[]> {
  const url = `http://127.0.0.1:${port}/callbacks/colt`;
  const sends: Send[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) sends.push(await post(url, tag, next++));
    }),
  );
  return sends;
}

/**
 * `rate` callbacks a second for `seconds`, each sent when due whether or not earlier ones were
 * answered. `maxLagMs` is the latest a send started after its due time (the generator's own delay).
 */
export async function sendOpenLoop(port: number, tag: string, rate: number, seconds: number): Promise<{ sends: Send[]; maxLagMs: number }> {
  const url = `http://127.0.0.1:${port}/callbacks/colt`;
  const total = Math.round(rate * seconds);
  const due = (i: number) => started + (i * 1000) / rate;
  const inFlight: Promise<Send>[] = [];
  const started = monotonicMs();
  let maxLagMs = 0;
  let i = 0;
  while (i < total) {
    const now = monotonicMs();
    while (i < total && due(i) <= now) {
      maxLagMs = Math.max(maxLagMs, now - due(i));
      inFlight.push(post(url, tag, i++));
    }
    if (i < total) await new Promise((r) => setTimeout(r, Math.max(0, due(i) - monotonicMs())));
  }
  return { sends: await Promise.all(inFlight), maxLagMs };
}
