/**
 * Which silence, if any, holds an event back (docs/design.md#silences). Pure: the silences arrive
 * loaded and compiled (src/deliver/silence-index.ts), the time is the caller's clock.
 */
import type { NormalisedEvent } from '../event/event.js';
import type { EventPredicate } from './matcher.js';

/** A silence ready to test: its window in epoch milliseconds and its compiled match. */
export interface ActiveSilence {
  id: string;
  comment: string;
  startsAt: number;
  endsAt: number;
  matches: EventPredicate;
}

/**
 * The first (oldest) silence in force at `now` (starts_at ≤ now < ends_at) whose match
 * holds for the event; null when none does. A silence expired by hand is not in the list.
 */
export function findSilence(silences: readonly ActiveSilence[], event: NormalisedEvent, now: number): ActiveSilence | null {
  for (const silence of silences) {
    if (silence.startsAt <= now && now < silence.endsAt && silence.matches(event)) return silence;
  }
  return null;
}

/** The delivery's last_error when a silence suppressed it. */
export function silencedReason(silence: Pick<ActiveSilence, 'id' | 'comment'>): string {
  return `silenced by ${silence.id}: ${silence.comment}`;
}
