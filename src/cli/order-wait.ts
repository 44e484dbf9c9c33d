/**
 * `colt … --wait`: polls what the relay knows about an order until it reaches a final
 * status (from a callback or reconciliation). With Postgres (DATABASE_URL) it reads the
 * database; with the embedded PGlite database it asks the running relay's admin API
 * instead (`RELAY_URL`, `ADMIN_TOKEN`), because a running relay owns that folder and a
 * second opener could lose writes.
 */
import { parseDuration } from '../lib/duration.js';
import { coltFailureReason } from '../colt/failure-reason.js';
import { openPostgresStore, type Store } from '../store/db.js';
import { readOrderOutcome, type OrderOutcomeRow } from '../store/order-outcome.repo.js';
import { apiErrorMessage, createRelayApi, type ApiAnswer } from './relay-api.js';

/** Where the outcome is read from, closed when the wait ends. */
export interface OrderOutcomeSource {
  /** For messages: "the database" or "the relay at …". */
  describe: string;
  read(orderId: string): Promise<OrderOutcomeRow | null>;
  /** Throws, naming the cause, when reading would fail (unreachable, token refused): checked before an order is placed. */
  check(): Promise<void>;
  close(): Promise<void>;
}

/** An order id no relay holds: reading it proves the source answers without touching a real order. */
const PROBE_ORDER_ID = 'colt-relay-wait-check';

/** Exit codes of `--wait` (docs/design.md#colt-client). */
export const WAIT_EXIT = { completed: 0, failed: 1, cancelled: 1, timeout: 2 } as const;

const FINAL = new Set(['completed', 'failed', 'cancelled']);

/**
 * `--wait`/`--poll`: a duration as configuration reads it (`90s`, `10m`, `2h`, `1d`), plus
 * what a command line also accepts, plain seconds and `ms`; null when unreadable or zero.
 */
export function parseDurationMs(text: string): number | null {
  const trimmed = text.trim();
  const plain = /^(\d+(?:\.\d+)?)\s*(ms)?$/i.exec(trimmed);
  const ms = plain ? Number(plain[1]) * (plain[2] ? 1 : 1000) : parseDuration(trimmed);
  return ms !== null && ms > 0 ? ms : null;
}

/** The relay's admin API as an outcome source. */
export function relayApiSource(relayUrl: string, adminToken: string): OrderOutcomeSource {
  const url = relayUrl.replace(/\/+$/, '');
  const api = createRelayApi(url, adminToken, { consequence: 'the order was not read' });
  const probe = createRelayApi(url, adminToken, { consequence: 'nothing was placed at Colt' });
  const get = async (path: string): Promise<ApiAnswer | null> => {
    const answer = await api.request('GET', path);
    if (answer.status === 404) return null;
    if (answer.status !== 200) {
      const hint = answer.status === 503 ? ': is ADMIN_TOKEN set on the relay?' : '';
      throw new Error(`the relay at ${api.url} answered GET ${path} with HTTP ${answer.status}${hint} (${apiErrorMessage(answer)})`);
    }
    return answer.body;
  };
  return {
    describe: `the relay at ${api.url}`,
    async read(orderId) {
      const timeline = await get(`/api/orders/${encodeURIComponent(orderId)}`);
      if (!timeline) return null;
      const order = timeline.order as { status: string; details: unknown; lastEventId: string | null };
      const event = order.lastEventId ? await get(`/api/events/${order.lastEventId}`) : null;
      const rawBody = (event?.event as { rawBody?: string } | undefined)?.rawBody;
      return { status: order.status, details: order.details, lastEventRawBody: rawBody ?? null };
    },
    check: async () => {
      const path = `/api/orders/${PROBE_ORDER_ID}`;
      const answer = await probe.request('GET', path);
      // The relay answers an unknown order with its JSON 404; anything else is not a relay's admin API.
      if (answer.status === 404 && answer.body.error?.code === 'not_found') return;
      const hint = answer.status === 503 ? ': is ADMIN_TOKEN set on the relay?' : ': is it a colt-relay (RELAY_URL, --relay-url)?';
      throw new Error(`the relay at ${url} answered GET ${path} with HTTP ${answer.status}${hint} (${apiErrorMessage(answer)}); nothing was placed at Colt`);
    },
    close: async () => {},
  };
}

/** The Postgres database as an outcome source. */
export async function databaseSource(databaseUrl: string): Promise<OrderOutcomeSource> {
  const store: Store = await openPostgresStore({ url: databaseUrl, max: 1 });
  return {
    describe: 'the database (DATABASE_URL)',
    read: (orderId) => readOrderOutcome(store.db, orderId),
    check: async () => {
      await readOrderOutcome(store.db, PROBE_ORDER_ID);
    },
    close: () => store.close(),
  };
}

/**
 * Picks the source from the environment, or says why waiting is impossible: Postgres
 * when DATABASE_URL is set, else the running relay's API.
 */
export async function openOutcomeSource(env: Record<string, string | undefined>, relayUrl: string | undefined): Promise<OrderOutcomeSource | string> {
  if (env.DATABASE_URL && !relayUrl) return databaseSource(env.DATABASE_URL);
  const url = relayUrl ?? env.RELAY_URL ?? `http://127.0.0.1:${env.PORT ?? '8080'}`;
  if (!env.ADMIN_TOKEN) {
    return (
      'the relay uses the embedded database (no DATABASE_URL), which the running relay owns, ' +
      `so the order is read from its admin API at ${url}; set ADMIN_TOKEN (and RELAY_URL or --relay-url if it is elsewhere)`
    );
  }
  return relayApiSource(url, env.ADMIN_TOKEN);
}

export interface WaitOutcome {
  status: 'completed' | 'failed' | 'cancelled' | 'timeout';
  /** The last status seen ("not seen yet" when the relay never heard of the order). */
  lastSeen: string;
  /** Colt's reason, from the last event or the order details. */
  reason: string | null;
}

export interface WaitOptions {
  timeoutMs: number;
  /** @default 1000 */
  pollMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** Polls until the order is final or `timeoutMs` passes. */
export async function waitForFinalStatus(source: OrderOutcomeSource, orderId: string, options: WaitOptions): Promise<WaitOutcome> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = now() + options.timeoutMs;
  let last: OrderOutcomeRow | null = null;
  for (;;) {
    last = await source.read(orderId);
    const reason = last ? (coltFailureReason(last.lastEventRawBody ?? undefined) ?? coltFailureReason(JSON.stringify(last.details ?? null))) : null;
    if (last && FINAL.has(last.status)) return { status: last.status as WaitOutcome['status'], lastSeen: last.status, reason };
    const left = deadline - now();
    if (left <= 0) return { status: 'timeout', lastSeen: last?.status ?? 'not seen yet', reason };
    await sleep(Math.min(options.pollMs ?? 1000, left));
  }
}
