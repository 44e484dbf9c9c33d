/**
 * The relay's state a dry run reads its holds from (src/route/holds.ts): each channel's
 * disable, pause and send slot with the deliveries queued on it, and the silences the
 * dispatcher checks. Loaded by the callers that have a store (the admin API, the dashboard);
 * `rules test` runs without one, so only quiet hours can hold there.
 */
import type { ChannelHoldState, HoldState } from '../route/holds.js';
import type { DbOrTx } from '../store/db.js';
import { countDueByChannel } from '../store/channel-health.repo.js';
import { getChannelStates } from '../store/channel-state.repo.js';
import type { SilenceIndex } from './silence-index.js';

/** Reads the hold state at `now`; `silences` is the dispatcher's index (its cached list, reloaded as sends would). */
export async function loadHoldState(db: DbOrTx, silences: Pick<SilenceIndex, 'current'>, now: Date): Promise<HoldState> {
  const [states, queued, active] = await Promise.all([getChannelStates(db), countDueByChannel(db, now), silences.current()]);
  const channels = new Map<string, ChannelHoldState>();
  for (const s of states) {
    channels.set(s.channel, {
      disabledAt: s.disabledAt,
      disabledReason: s.disabledReason,
      disabledBy: s.disabledBy,
      pausedUntil: s.pausedUntil,
      nextSendAt: s.nextSendAt,
      queued: queued.get(s.channel) ?? 0,
    });
  }
  for (const [channel, count] of queued) {
    if (!channels.has(channel)) channels.set(channel, { disabledAt: null, disabledReason: null, disabledBy: null, pausedUntil: null, nextSendAt: null, queued: count });
  }
  return { channels, silences: active };
}
