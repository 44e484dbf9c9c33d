/**
 * Silence indexes sharing one cache (the Workers runtime: one index per invocation, one list per
 * isolate): a list one index loaded answers the others while it is fresh, without a query; a
 * stale list is reloaded by whichever index checks next; invalidate() on one empties it for all.
 */
import { describe, expect, it } from 'vitest';
import { createSilenceIndex, SILENCE_REFRESH_MS, type SilenceCache } from '../../src/deliver/silence-index.js';
import { createManualClock } from '../../src/lib/clock.js';
import { createSilence } from '../../src/store/silences.repo.js';
import { makeEvent } from '../support/events.js';
import { STORE_KINDS, useTestStore } from '../support/store.js';

describe.each(STORE_KINDS)('silence indexes sharing a cache (%s)', (kind) => {
  const store = useTestStore(kind);

  it('share a loaded list while it is fresh, reload it when stale, and forget it together', async () => {
    const clock = createManualClock(Date.now());
    const cache: SilenceCache = { loaded: null };
    const index = () => createSilenceIndex({ db: store.db, clock, realClock: clock, cache });
    const [first, second] = [index(), index()];
    const silence = (customerRef: string) =>
      createSilence(
        store.db,
        { match: { customerRef }, startsAt: new Date(clock.now() - 1000), endsAt: new Date(clock.now() + 3_600_000), comment: customerRef, createdBy: 'test' },
        new Date(clock.now()),
      );
    const hooli = makeEvent({ customerRef: 'HOOLI' });
    const initech = makeEvent({ customerRef: 'INITECH' });

    const held = await silence('HOOLI');
    expect((await first.silenceFor(hooli, 'ops-slack'))?.id).toBe(held.id);
    expect(cache.loaded?.silences.map((s) => s.id)).toEqual([held.id]);

    // Written after the list was loaded: the second index answers from the shared list.
    const later = await silence('INITECH');
    clock.advance(SILENCE_REFRESH_MS - 1);
    expect(await second.silenceFor(initech, 'ops-slack')).toBeNull();
    clock.advance(1);
    expect((await second.silenceFor(initech, 'ops-slack'))?.id).toBe(later.id);

    // A silence made through one index's process applies at once in the others.
    const third = await silence('GLOBEX');
    second.invalidate();
    expect(cache.loaded).toBeNull();
    expect((await first.silenceFor(makeEvent({ customerRef: 'GLOBEX' }), 'ops-slack'))?.id).toBe(third.id);
  });
});
