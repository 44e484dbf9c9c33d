/**
 * A channel's health in one word and one line, from its last outcomes: `ok` only when its
 * last send went out, `failing since …` while it retries, `permanent error` when its last
 * failure was a refusal no retry fixes (a Slack `channel_not_found`, an HTTP 400), `disabled`
 * with who and why, `not configured` when a credential is unset, `no sends yet` otherwise.
 */
import type { AppDeps } from '../deps.js';
import type { ChannelFailure } from '../../store/channel-health.repo.js';
import { latestChannelFailures } from '../../store/channel-health.repo.js';
import { getChannelStates, type ChannelStateRow } from '../../store/channel-state.repo.js';
import type { DbOrTx } from '../../store/db.js';
import { DISABLED_BY } from '../../route/holds.js';
import { channelBlock } from './components.js';
import { errorLine, formatTime } from './format.js';

export type HealthKind = 'ok' | 'idle' | 'failing' | 'permanent' | 'disabled' | 'paused' | 'unconfigured';

export interface ChannelHealth {
  kind: HealthKind;
  /** The badge: `ok`, `failing`, `permanent error`… */
  label: string;
  /** Why, in one line; empty for a healthy channel. */
  detail: string;
}

/** The badge colour of each kind: a fixed set of classes. */
export const HEALTH_CLASS: Record<HealthKind, string> = {
  ok: 'badge b-delivered',
  idle: 'badge',
  failing: 'badge b-retrying',
  permanent: 'badge b-dead',
  disabled: 'badge b-disabled',
  paused: 'badge b-paused',
  unconfigured: 'badge b-dead',
};

/** What a channel's health is read from. */
export interface HealthInputs {
  state: ChannelStateRow | undefined;
  /** Its latest failed delivery since it started failing. */
  failure: ChannelFailure | undefined;
  /** Why it cannot send as configured (an unset credential), if so. */
  problem: string | undefined;
  now: number;
}

/** The most pressing state wins: disabled, not configured, a permanent error, failing, paused, ok. */
export function channelHealth({ state, failure, problem, now }: HealthInputs): ChannelHealth {
  const block = channelBlock(state, now);
  if (block?.kind === 'disabled') {
    const by = state?.disabledBy;
    const who = by ? ` ${DISABLED_BY[by] ?? `by ${by}`}` : '';
    return { kind: 'disabled', label: 'disabled', detail: `${block.text.replace(/^disabled/, `disabled${who}`)}` };
  }
  if (problem) return { kind: 'unconfigured', label: 'not configured', detail: `${problem}: every send fails` };
  if (state?.failingSince) {
    const since = `since ${formatTime(state.failingSince)}`;
    const last = failure ? errorLine(failure.code, failure.error) : null;
    if (failure?.status === 'dead' && failure.outcome === 'failed') {
      return { kind: 'permanent', label: 'permanent error', detail: `${last} (${since}; retrying will not help until it is fixed)` };
    }
    const streak = state.consecutiveFailures > 0 ? `, ${state.consecutiveFailures} in a row` : '';
    return { kind: 'failing', label: 'failing', detail: `failing ${since}${streak}${last ? `: ${last}` : ''}` };
  }
  if (block?.kind === 'paused') return { kind: 'paused', label: 'paused', detail: block.text };
  if (state?.lastSuccessAt) return { kind: 'ok', label: 'ok', detail: `last delivered ${formatTime(state.lastSuccessAt)}` };
  return { kind: 'idle', label: 'no sends yet', detail: '' };
}

/**
 * Every channel's health: `names` in the order to show, their state rows, and the channel
 * set's warnings (`channel "x" (type): problem`) for unset credentials.
 */
export async function loadChannelHealth(
  db: DbOrTx,
  names: readonly string[],
  states: ReadonlyMap<string, ChannelStateRow>,
  warnings: readonly string[],
  now: number,
): Promise<Map<string, ChannelHealth>> {
  const failing = new Map(names.flatMap((name) => {
    const since = states.get(name)?.failingSince;
    return since ? [[name, since] as const] : [];
  }));
  const failures = await latestChannelFailures(db, failing);
  const problemOf = (name: string) => {
    const warning = warnings.find((w) => w.startsWith(`channel "${name}" `));
    return warning ? warning.slice(warning.indexOf(': ') + 2) : undefined;
  };
  return new Map(names.map((name) => [name, channelHealth({ state: states.get(name), failure: failures.get(name), problem: problemOf(name), now })]));
}

/** The health of every channel of the rules in force; empty when this process has no rules. */
export async function rulesChannelHealth(deps: AppDeps): Promise<Map<string, ChannelHealth>> {
  const pipeline = deps.pipeline;
  if (!pipeline) return new Map();
  const states = new Map((await getChannelStates(deps.store.db)).map((s) => [s.channel, s]));
  const names = Object.keys(pipeline.rules().channels);
  return loadChannelHealth(deps.store.db, names, states, pipeline.channels().warnings, deps.clock.now());
}
