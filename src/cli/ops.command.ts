/**
 * Operator commands against any relay database, from any machine (DESIGN.md §4.7):
 * `replay <eventId>`, `deliveries retry <id>`, `prune --older-than 90d`. Each opens the
 * store from DATABASE_URL (or the PGlite DATA_DIR). Exit codes: 0 done, 1 not found or
 * refused, 2 usage. Node-only.
 */
import { parseArgs } from 'node:util';
import { parseEnv } from '../config/env.js';
import { formatProblems, loadRules } from '../config/rules.js';
import { replayEvent } from '../deliver/replay.js';
import { systemClock } from '../lib/clock.js';
import { routeEvent } from '../route/router.js';
import { getDelivery, pruneOlderThan } from '../store/admin.repo.js';
import { isUuid } from '../store/cursor.js';
import type { Store } from '../store/db.js';
import { retryDelivery } from '../store/deliveries.repo.js';
import { openStore } from '../store/open.js';
import { readIfExists } from '../runtime/files.js';

/** Where the commands write, and the environment they read. */
export interface OpsIo {
  stdout(s: string): void;
  stderr(s: string): void;
  env: Record<string, string | undefined>;
}

export const REPLAY_USAGE = 'usage: colt-relay replay <eventId>\n';
export const RETRY_USAGE = 'usage: colt-relay deliveries retry <deliveryId>\n';
export const PRUNE_USAGE = 'usage: colt-relay prune --older-than <n>d|<n>h   (e.g. 90d)\n';

async function withStore<T>(io: OpsIo, run: (store: Store) => Promise<T>): Promise<T> {
  const env = parseEnv(io.env, { requireCallbackAuth: false });
  const store = await openStore({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR, poolSize: 2 });
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

/** `replay <eventId>`: queues a new generation of the event's deliveries under the current rules. */
export async function runReplay(args: string[], io: OpsIo): Promise<number> {
  const [eventId, ...extra] = args;
  if (eventId === undefined || extra.length > 0 || eventId.startsWith('-')) return usage(io, REPLAY_USAGE);
  const load = await loadRules({ env: io.env, readFile: readIfExists });
  if (!load.ok) {
    io.stderr(`rules (${load.source}):\n${formatProblems(load.problems, load.source)}\n`);
    return 1;
  }
  return withStore(io, async (store) => {
    const result = isUuid(eventId)
      ? await replayEvent({ store, clock: systemClock, getRules: () => load.rules, route: routeEvent }, eventId)
      : { found: false as const };
    if (!result.found) {
      io.stderr(`no event ${eventId}\n`);
      return 1;
    }
    const stale = result.skippedStale ? ' (stale event: rules without `stale: true` skipped)' : '';
    io.stdout(
      `event ${eventId}: generation ${result.generation}, ${result.deliveryIds.length} deliveries queued${stale}\n` +
        result.deliveryIds.map((id) => `  ${id}\n`).join('') +
        'a running worker sends them at its next poll\n',
    );
    return 0;
  });
}

/** `deliveries retry <id>`: a dead or retrying delivery becomes due now. */
export async function runDeliveries(args: string[], io: OpsIo): Promise<number> {
  const [sub, id, ...extra] = args;
  if (sub !== 'retry' || id === undefined || extra.length > 0) return usage(io, RETRY_USAGE);
  return withStore(io, async (store) => {
    const delivery = await getDelivery(store.db, id);
    if (!delivery) {
      io.stderr(`no delivery ${id}\n`);
      return 1;
    }
    if (!(await retryDelivery(store.db, id, new Date(systemClock.now())))) {
      const now = (await getDelivery(store.db, id))?.status ?? delivery.status;
      io.stderr(`delivery ${id} is ${now}: only dead or retrying deliveries can be retried\n`);
      return 1;
    }
    io.stdout(`delivery ${id} (${delivery.channel}, was ${delivery.status}) is pending again\n`);
    return 0;
  });
}

const UNIT_MS = { d: 86_400_000, h: 3_600_000 } as const;

/** `90d`, `36h` → milliseconds; null for anything else. */
export function parseAge(text: string): number | null {
  const match = /^(\d{1,6})([dh])$/.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

/** `prune --older-than 90d`: deletes finished events, old attempts and refused callbacks; keeps orders. */
export async function runPrune(args: string[], io: OpsIo): Promise<number> {
  let olderThan: string | undefined;
  try {
    const parsed = parseArgs({ args, options: { 'older-than': { type: 'string' } }, strict: true, allowPositionals: false });
    olderThan = parsed.values['older-than'];
  } catch (error) {
    return usage(io, `${(error as Error).message}\n${PRUNE_USAGE}`);
  }
  const ageMs = olderThan === undefined ? null : parseAge(olderThan);
  if (ageMs === null) return usage(io, PRUNE_USAGE);
  const cutoff = new Date(systemClock.now() - ageMs);
  return withStore(io, async (store) => {
    const counts = await pruneOlderThan(store.db, cutoff);
    io.stdout(
      `pruned before ${cutoff.toISOString()}: ${counts.events} events, ${counts.attempts} attempts, ` +
        `${counts.rejected} rejected callbacks (orders are kept)\n`,
    );
    return 0;
  });
}

function usage(io: OpsIo, text: string): number {
  io.stderr(text);
  return 2;
}
