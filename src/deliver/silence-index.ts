/**
 * The silences a dispatcher checks before each send (docs/design.md#silences), kept in memory so a send
 * costs no query: the list is reloaded at most once per `refreshMs` (by the dispatcher's clock or
 * by real time, whichever moved first), at once after `invalidate()` (a silence created or
 * expired in this process), and whether a silence is in force is decided against the clock
 * at each check, so an ended silence stops applying without a reload or a restart.
 */
import { checkSilenceMatch } from '../config/silence-match.js';
import type { NormalisedEvent } from '../event/event.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { compileMatch } from '../route/matcher.js';
import { findSilence, type ActiveSilence } from '../route/silences.js';
import type { DbOrTx } from '../store/db.js';
import { loadUnendedSilences, type SilenceRow } from '../store/silences.repo.js';

export type { ActiveSilence } from '../route/silences.js';

export interface SilenceIndex {
  /**
   * The silence in force at `now` (clock ms; default the clock's now) that mutes `channel`
   * and matches the event, or null. Rejects only when the silences cannot be loaded.
   */
  silenceFor(event: NormalisedEvent, channel: string, now?: number): Promise<ActiveSilence | null>;
  /** The silences loaded (in force or pending), for a dry run to test; reloaded as silenceFor would. */
  current(): Promise<readonly ActiveSilence[]>;
  /** Forget the cached list: the next check reloads it (a silence changed in this process). */
  invalidate(): void;
}

export interface SilenceIndexOptions {
  db: DbOrTx;
  clock: Clock;
  /** Longest a cached list is used: silences made by another process apply within it. @default 1000 */
  refreshMs?: number;
  /** Real time, for the refresh when the dispatcher's clock stands still (tests). @default systemClock */
  realClock?: Clock;
  /** A stored match that no longer compiles (the match syntax changed) is skipped and reported here. */
  onInvalid?: (silence: SilenceRow, problem: string) => void;
  /**
   * Where the loaded list is kept: indexes given the same cache share it, each loading on its
   * own when it is stale (Workers: one per invocation, one cache per isolate). @default its own
   */
  cache?: SilenceCache;
}

/** A loaded list of silences, shareable between indexes (data only: no promise, no connection). */
export interface SilenceCache {
  loaded: { silences: ActiveSilence[]; clockAt: number; realAt: number } | null;
}

export const SILENCE_REFRESH_MS = 1_000;

type Loaded = NonNullable<SilenceCache['loaded']>;

export function createSilenceIndex(options: SilenceIndexOptions): SilenceIndex {
  const { db, clock } = options;
  const refreshMs = options.refreshMs ?? SILENCE_REFRESH_MS;
  const real = options.realClock ?? systemClock;
  const cache = options.cache ?? { loaded: null };
  let generation = 0;
  let loading: { generation: number; promise: Promise<Loaded> } | null = null;

  const fresh = (l: Loaded | null): l is Loaded =>
    l !== null && Math.abs(clock.now() - l.clockAt) < refreshMs && real.now() - l.realAt < refreshMs;

  const load = (): Promise<Loaded> => {
    if (loading && loading.generation === generation) return loading.promise;
    const started = { generation, clockAt: clock.now(), realAt: real.now() };
    const promise = loadUnendedSilences(db, new Date(started.clockAt)).then((rows) => {
      const next: Loaded = { clockAt: started.clockAt, realAt: started.realAt, silences: compileSilences(rows, options.onInvalid) };
      // A list loaded before invalidate() may miss the change: it answers this check only.
      if (started.generation === generation) cache.loaded = next;
      return next;
    });
    const entry = { generation, promise };
    loading = entry;
    const clear = () => {
      if (loading === entry) loading = null;
    };
    promise.then(clear, clear);
    return promise;
  };

  return {
    async silenceFor(event, channel, now = clock.now()) {
      const cached = cache.loaded;
      const current = fresh(cached) ? cached : await load();
      if (current.silences.length === 0) return null;
      return findSilence(current.silences, event, channel, now);
    },
    async current() {
      const cached = cache.loaded;
      return (fresh(cached) ? cached : await load()).silences;
    },
    invalidate() {
      generation++;
      cache.loaded = null;
    },
  };
}

function compileSilences(rows: SilenceRow[], onInvalid: SilenceIndexOptions['onInvalid']): ActiveSilence[] {
  const compiled: ActiveSilence[] = [];
  for (const row of rows) {
    const check = checkSilenceMatch(row.match);
    if (!check.ok) {
      onInvalid?.(row, check.issues.map((i) => `${i.path} ${i.message}`).join('; '));
      continue;
    }
    compiled.push({
      id: row.id,
      comment: row.comment,
      startsAt: row.startsAt.getTime(),
      endsAt: row.endsAt.getTime(),
      matches: compileMatch(check.spec),
      channels: row.channels ?? null,
    });
  }
  return compiled;
}
