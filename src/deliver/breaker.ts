/**
 * The channel circuit breaker (docs/design.md#circuit-breaker): a channel with failures and no success for
 * CHANNEL_DISABLE_AFTER is disabled, and a `relay.channel_disabled` event is stored and
 * routed by the rules like any other, so a rule can tell Slack or email. Its deliveries
 * are held (not dropped) until an operator enables it again.
 */
import { channelDisabledKey, type ChannelDisabledPayload } from '../event/channel-events.js';
import { CHANNEL_DISABLED_TYPE } from '../event/event.js';
import type { Clock } from '../lib/clock.js';
import { formatDuration } from '../lib/duration.js';
import { newId } from '../lib/ids.js';
import { findChannelsToDisable, tripChannel, type BreakerCandidate } from '../store/channel-breaker.repo.js';
import type { DbOrTx } from '../store/db.js';
import type { DispatcherLogger } from './dispatcher-deps.js';

export interface BreakerDeps {
  db: DbOrTx;
  clock: Clock;
  logger: DispatcherLogger;
  /** CHANNEL_DISABLE_AFTER in ms. */
  afterMs: number;
}

/** One round: disables every channel past the limit; resolves with how many it disabled. */
export function createBreaker(deps: BreakerDeps): () => Promise<number> {
  const setting = formatDuration(deps.afterMs);
  return async () => {
    const now = new Date(deps.clock.now());
    const cutoff = new Date(now.getTime() - deps.afterMs);
    let disabled = 0;
    for (const candidate of await findChannelsToDisable(deps.db, cutoff)) {
      const payload = disabledPayload(candidate, now, setting);
      const tripped = await tripChannel(deps.db, {
        channel: candidate.channel,
        cutoff,
        at: now,
        reason: payload.reason,
        event: {
          id: newId(now.getTime()),
          dedupeKey: channelDisabledKey(candidate.channel, now),
          type: CHANNEL_DISABLED_TYPE,
          payload: { ...payload },
        },
      });
      if (!tripped) continue;
      disabled++;
      deps.logger.warn(
        { channel: candidate.channel, failingSince: payload.failingSince, lastError: payload.lastError },
        `channel disabled by the circuit breaker: no successful delivery for CHANNEL_DISABLE_AFTER (${setting}); its deliveries wait until it is enabled (dashboard, or POST /api/channels/{name}/enable)`,
      );
    }
    return disabled;
  };
}

function disabledPayload(c: BreakerCandidate, now: Date, setting: string): ChannelDisabledPayload {
  const since = c.failingSince.toISOString();
  const lastError = c.lastError ? [c.lastCode, c.lastError].filter(Boolean).join(' ') : null;
  return {
    channel: c.channel,
    channelType: c.channelType,
    disabledAt: now.toISOString(),
    disabledBy: 'breaker',
    failingSince: since,
    lastSuccessAt: c.lastSuccessAt?.toISOString() ?? null,
    lastError: c.lastError,
    lastCode: c.lastCode,
    consecutiveFailures: c.consecutiveFailures,
    disableAfter: setting,
    reason: `no successful delivery since ${since} (CHANNEL_DISABLE_AFTER=${setting}); last error: ${lastError ?? 'none recorded'}`,
  };
}
