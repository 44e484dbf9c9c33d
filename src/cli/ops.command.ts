/**
 * Operator commands against any relay database, from any machine (docs/design.md#command-line):
 * `replay <eventId> [--json]`, `deliveries retry <id>`, `deliveries list` (deliveries-list.command.ts),
 * `prune --older-than 90d`. Each opens the
 * store from DATABASE_URL, or the PGlite DATA_DIR — through the running relay's admin API
 * when one holds that folder (ops-target.ts). Exit codes: 0 done, 1 not found or refused,
 * 2 usage. Node-only.
 */
import { parseEnv } from '../config/env.js';
import { formatProblems, loadRules } from '../config/rules/rules.js';
import { retryDead, SINCE_HELP } from '../deliver/recover.js';
import { replayEvent } from '../deliver/replay.js';
import { parseAge } from '../lib/age.js';
import { parseSince } from '../lib/duration.js';
import { systemClock } from '../lib/clock.js';
import { routeEvent } from '../route/router.js';
import { getDelivery, pruneOlderThan } from '../store/admin.repo.js';
import { isUuid } from '../store/cursor.js';
import type { Store } from '../store/db.js';
import { retryDelivery } from '../store/deliveries.repo.js';
import { readIfExists } from '../runtime/node/files.js';
import { COMMAND_USAGE } from './usage.js';
import { parseCommandLine, subcommandProblem } from './args.js';
import { apiErrorMessage, CannotReachHolderError, openOpsTarget, type OpsTarget, type RelayApi } from './ops-target.js';

/** Where the commands write, and the environment they read. */
export interface OpsIo {
  stdout(s: string): void;
  stderr(s: string): void;
  env: Record<string, string | undefined>;
}

export const REPLAY_USAGE = 'usage: colt-relay replay <eventId> [--json]\n';
export const RETRY_USAGE =
  'usage: colt-relay deliveries retry <deliveryId>\n       colt-relay deliveries retry --dead --since <2h | ISO time> [--channel <name>]\n';
const DELIVERIES_SUBCOMMANDS = ['list', 'retry'] as const;
export const PRUNE_USAGE = 'usage: colt-relay prune --older-than <n>d|<n>h   (e.g. 90d)\n';

export interface Ways {
  /** This process opened the store (no relay holds it, or it is Postgres). */
  direct(store: Store, pglite: boolean): Promise<number>;
  /** A running relay holds the PGlite folder: ask it. */
  viaApi(api: RelayApi): Promise<number>;
}

/** Runs a command on the store itself, or through the running relay that holds the PGlite folder. */
export async function withTarget(io: OpsIo, command: string, ways: Ways): Promise<number> {
  const env = parseEnv(io.env, { requireCallbackAuth: false });
  let target: OpsTarget;
  try {
    target = await openOpsTarget(env, command);
  } catch (error) {
    if (!(error instanceof CannotReachHolderError)) throw error;
    io.stderr(`${error.message}\n`);
    return 1;
  }
  try {
    return target.kind === 'store' ? await ways.direct(target.store, target.pglite) : await ways.viaApi(target.api);
  } catch (error) {
    if (!(error instanceof CannotReachHolderError)) throw error;
    io.stderr(`${error.message}\n`);
    return 1;
  } finally {
    await target.close();
  }
}

const through = (api: RelayApi) => `(through the running relay's admin API at ${api.url})\n`;

interface ReplayOutcome {
  generation: number;
  deliveryIds: string[];
  skippedStale?: boolean;
}

/**
 * The replay's result. `--json`: `{ eventId, generation, deliveryIds, skippedStale, through }`
 * (`through`: `database` or `admin-api`) on stdout and the note on stderr.
 */
function printReplay(io: OpsIo, json: boolean, eventId: string, result: ReplayOutcome, after: string, through: 'database' | 'admin-api'): void {
  if (json) {
    const { generation, deliveryIds, skippedStale = false } = result;
    io.stdout(`${JSON.stringify({ eventId, generation, deliveryIds, skippedStale, through }, null, 2)}\n`);
    io.stderr(after);
    return;
  }
  const stale = result.skippedStale ? ' (stale event: rules without `stale: true` skipped)' : '';
  io.stdout(
    `event ${eventId}: generation ${result.generation}, ${result.deliveryIds.length} deliveries queued${stale}\n` +
      result.deliveryIds.map((id) => `  ${id}\n`).join('') +
      after,
  );
}

/** `replay <eventId> [--json]`: queues a new generation of the event's deliveries under the current rules. */
export async function runReplay(args: string[], io: OpsIo): Promise<number> {
  const parsed = parseCommandLine(args, { json: { type: 'boolean' } }, { allowPositionals: true });
  if (!parsed.ok) return usage(io, `colt-relay replay: ${parsed.message}\n\n${REPLAY_USAGE}`);
  const [eventId, ...extra] = parsed.positionals;
  if (eventId === undefined || extra.length > 0) return usage(io, REPLAY_USAGE);
  const json = parsed.values.json === true;
  return withTarget(io, 'replay', {
    direct: async (store, pglite) => {
      // Rules are this command's own only when it writes itself; a running relay uses its own.
      const load = await loadRules({ env: io.env, readFile: readIfExists });
      if (!load.ok) {
        io.stderr(`rules (${load.source}):\n${formatProblems(load.problems, load.source)}\n`);
        return 1;
      }
      const result = isUuid(eventId)
        ? await replayEvent({ store, clock: systemClock, getRules: () => load.rules, route: routeEvent }, eventId)
        : { found: false as const };
      if (!result.found) return notFound(io, `no event ${eventId}`);
      const after = pglite ? 'no relay runs on DATA_DIR: they are sent when it starts\n' : 'a running relay sends them at its next poll\n';
      printReplay(io, json, eventId, result, after, 'database');
      return 0;
    },
    viaApi: async (api) => {
      const answer = await api.post(`/api/events/${encodeURIComponent(eventId)}/replay`);
      if (answer.status !== 202) return notFound(io, answer.status === 404 ? `no event ${eventId}` : apiErrorMessage(answer));
      printReplay(io, json, eventId, answer.body as never, `the relay is sending them now ${through(api)}`, 'admin-api');
      return 0;
    },
  });
}

/**
 * `deliveries list …` (deliveries-list.command.ts); `deliveries retry <id>`: a dead or retrying
 * delivery becomes due now; `--dead --since`: every dead one since then.
 */
export async function runDeliveries(args: string[], io: OpsIo): Promise<number> {
  const [sub, id, ...extra] = args;
  if (sub === 'list') return (await import('./deliveries-list.command.js')).runDeliveriesList(args.slice(1), io);
  if (sub !== 'retry') return usage(io, `colt-relay deliveries: ${subcommandProblem(sub, DELIVERIES_SUBCOMMANDS)}\n\n${COMMAND_USAGE['deliveries']}`);
  if (args.slice(1).some((a) => a.startsWith('--'))) return runBulkRetry(args.slice(1), io);
  if (id === undefined || extra.length > 0) return usage(io, RETRY_USAGE);
  return withTarget(io, 'deliveries retry', {
    direct: async (store) => {
      const delivery = await getDelivery(store.db, id);
      if (!delivery) return notFound(io, `no delivery ${id}`);
      if (!(await retryDelivery(store.db, id, new Date(systemClock.now())))) {
        const now = (await getDelivery(store.db, id))?.status ?? delivery.status;
        return notFound(io, `delivery ${id} is ${now}: only dead or retrying deliveries can be retried`);
      }
      io.stdout(`delivery ${id} (${delivery.channel}, was ${delivery.status}) is pending again\n`);
      return 0;
    },
    viaApi: async (api) => {
      const answer = await api.post(`/api/deliveries/${encodeURIComponent(id)}/retry`);
      if (answer.status !== 202) return notFound(io, apiErrorMessage(answer));
      io.stdout(`delivery ${id} (${String(answer.body.channel)}) is pending again: the relay sends it now ${through(api)}`);
      return 0;
    },
  });
}

/** `deliveries retry --dead --since 2h [--channel name]`: bulk recovery (docs/design.md#bulk-recovery). */
async function runBulkRetry(args: string[], io: OpsIo): Promise<number> {
  const parsed = parseCommandLine(args, { dead: { type: 'boolean' }, since: { type: 'string' }, channel: { type: 'string' } });
  if (!parsed.ok) return usage(io, `colt-relay deliveries retry: ${parsed.message}\n${RETRY_USAGE}`);
  const { values } = parsed;
  if (!values.dead || values.since === undefined) return usage(io, `--dead and --since are required for a bulk retry\n${RETRY_USAGE}`);
  const { since, channel } = values;
  if (parseSince(since, 0) === null) return usage(io, `--since: "${since}" is not ${SINCE_HELP}\n${RETRY_USAGE}`);
  const which = channel === undefined ? 'every channel' : `channel ${channel}`;
  const print = (retried: unknown, at: string, after: string) =>
    io.stdout(`${String(retried)} dead deliveries of ${which} since ${at} are pending again; ${after}`);
  return withTarget(io, 'deliveries retry', {
    direct: async (store, pglite) => {
      const result = await retryDead(store.db, { since, channel, nowMs: systemClock.now() });
      if (!result.ok) return notFound(io, result.message);
      print(result.retried, result.since.toISOString(), pglite ? 'no relay runs on DATA_DIR: they are sent when it starts\n' : 'a running relay sends them at its next poll, paced by each channel\n');
      return 0;
    },
    viaApi: async (api) => {
      const answer = await api.post('/api/deliveries/retry', { status: 'dead', since, ...(channel !== undefined && { channel }) });
      if (answer.status !== 202) return notFound(io, apiErrorMessage(answer));
      print(answer.body.retried, String(answer.body.since), `the relay sends them now, paced by each channel ${through(api)}`);
      return 0;
    },
  });
}

/** `prune --older-than 90d`: deletes finished events, old attempts and refused callbacks; keeps orders. */
export async function runPrune(args: string[], io: OpsIo): Promise<number> {
  const parsed = parseCommandLine(args, { 'older-than': { type: 'string' } });
  if (!parsed.ok) return usage(io, `colt-relay prune: ${parsed.message}\n${PRUNE_USAGE}`);
  const olderThan = parsed.values['older-than'];
  const ageMs = olderThan === undefined ? null : parseAge(olderThan);
  if (ageMs === null) return usage(io, PRUNE_USAGE);
  const print = (counts: { cutoff: string; events: unknown; attempts: unknown; rejected: unknown }, after = '') =>
    io.stdout(
      `pruned before ${counts.cutoff}: ${counts.events} events, ${counts.attempts} attempts, ` +
        `${counts.rejected} rejected callbacks (orders are kept)\n${after}`,
    );
  return withTarget(io, 'prune', {
    direct: async (store) => {
      const cutoff = new Date(systemClock.now() - ageMs);
      print({ cutoff: cutoff.toISOString(), ...(await pruneOlderThan(store.db, cutoff)) });
      return 0;
    },
    viaApi: async (api) => {
      const answer = await api.post('/api/prune', { olderThan: olderThan!.trim() });
      if (answer.status !== 200) return notFound(io, apiErrorMessage(answer));
      print(answer.body as never, through(api));
      return 0;
    },
  });
}

function notFound(io: OpsIo, message: string): number {
  io.stderr(`${message}\n`);
  return 1;
}

function usage(io: OpsIo, text: string): number {
  io.stderr(text);
  return 2;
}
