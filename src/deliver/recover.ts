/**
 * Bulk recovery (docs/design.md#bulk-recovery): every dead delivery of a channel (or of all) since a time
 * becomes due now. The API, the dashboard and the CLI share this, so they judge `since`
 * and the channel the same way. Pacing is the claim's: nothing here sends.
 */
import { parseSince } from '../lib/duration.js';
import type { DbOrTx } from '../store/db.js';
import { channelHasDeadDeliveries, retryDeadDeliveries } from '../store/deliveries.repo.js';

export const SINCE_HELP = 'an ISO 8601 time (2026-11-26T10:00:00Z) or a duration back from now (30m, 2h, 3d)';

export type RecoverResult =
  | { ok: true; retried: number; since: Date; channel: string | null }
  | { ok: false; field: 'since' | 'channel'; message: string };

export interface RecoverOptions {
  /** ISO time or duration back from `nowMs`. */
  since: string;
  channel?: string | undefined;
  nowMs: number;
  /** The channels of the rules in force, when this process has them. */
  knownChannels?: readonly string[] | null;
}

/** Makes the matching dead deliveries due now; a bad `since` or an unknown channel says which. */
export async function retryDead(db: DbOrTx, options: RecoverOptions): Promise<RecoverResult> {
  const since = parseSince(options.since, options.nowMs);
  if (!since) return { ok: false, field: 'since', message: `since: "${options.since}" is not ${SINCE_HELP}` };
  const channel = options.channel ?? null;
  if (channel !== null && !options.knownChannels?.includes(channel) && !(await channelHasDeadDeliveries(db, channel))) {
    return { ok: false, field: 'channel', message: `no channel "${channel}": it is not in the rules and has no dead deliveries` };
  }
  const retried = await retryDeadDeliveries(db, { since, now: new Date(options.nowMs), ...(channel !== null && { channel }) });
  return { ok: true, retried, since, channel };
}
