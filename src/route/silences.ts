/**
 * Which silence, if any, holds a delivery back (docs/design.md#silences). Pure: the silences arrive
 * loaded and compiled (src/deliver/silence-index.ts), the time is the caller's clock.
 */
import type { NormalisedEvent } from '../event/event.js';
import type { EventPredicate } from './matcher.js';

/** A silence ready to test: its window in epoch milliseconds, its compiled match and its channels. */
export interface ActiveSilence {
  id: string;
  comment: string;
  startsAt: number;
  endsAt: number;
  matches: EventPredicate;
  /** The channel names it mutes; null mutes every channel. */
  channels: readonly string[] | null;
}

/** True when the silence mutes sends to `channel` (every channel when it names none). */
export function silencesChannel(silence: Pick<ActiveSilence, 'channels'>, channel: string): boolean {
  return silence.channels === null || silence.channels.includes(channel);
}

/**
 * The first (oldest) silence in force at `now` (starts_at ≤ now < ends_at) that mutes
 * `channel` and whose match holds for the event; null when none does. A silence expired by
 * hand is not in the list.
 */
export function findSilence(silences: readonly ActiveSilence[], event: NormalisedEvent, channel: string, now: number): ActiveSilence | null {
  for (const silence of silences) {
    if (silence.startsAt <= now && now < silence.endsAt && silencesChannel(silence, channel) && silence.matches(event)) return silence;
  }
  return null;
}

/**
 * The delivery's last_error when a silence suppressed it: `silenced by <id>: <comment>`, or
 * `silenced by <id> (channels a, b): <comment>` for a silence of some channels only, so a
 * page can show the scope without loading the silence (parseSilencedReason reads it back).
 */
export function silencedReason(silence: Pick<ActiveSilence, 'id' | 'comment' | 'channels'>): string {
  const scope = silence.channels === null ? '' : ` (channels ${silence.channels.join(', ')})`;
  return `silenced by ${silence.id}${scope}: ${silence.comment}`;
}

/** A silencedReason text read back: the comment and the channels (null: every channel); null when it is not one. */
export function parseSilencedReason(silenceId: string, reason: string | null): { comment: string; channels: string[] | null } | null {
  const prefix = `silenced by ${silenceId}`;
  if (!reason?.startsWith(prefix)) return null;
  const rest = reason.slice(prefix.length);
  if (rest.startsWith(': ')) return { comment: rest.slice(2), channels: null };
  const scoped = /^ \(channels ([^)]*)\): ([\s\S]*)$/.exec(rest);
  return scoped ? { comment: scoped[2]!, channels: scoped[1]!.split(', ') } : null;
}
