/**
 * The circuit breaker's store side on both databases: it trips only past the cutoff, only
 * for an enabled channel, and exactly once when several rounds race (one row-locked update
 * decides; the losers write no event).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createBreaker } from '../../src/deliver/breaker.js';
import { createManualClock } from '../../src/lib/clock.js';
import { createSilentLogger } from '../../src/lib/logger.js';
import { disableChannel, getChannelStates } from '../../src/store/channel-state.repo.js';
import { callbackEvents, channelState, eventWork } from '../../src/store/schema.js';
import { STORE_KINDS, useTestStore } from '../support/store.js';
import { resetTables } from './support.js';

describe.each(STORE_KINDS)('circuit breaker rounds (%s)', (kind) => {
  const store = useTestStore(kind);
  beforeEach(async () => {
    await resetTables(store.db);
  });

  const failing = (channel: string, since: Date) =>
    store.db.insert(channelState).values({ channel, failingSince: since, consecutiveFailures: 3, updatedAt: since });

  it('trips at the cutoff, not before, and never a disabled or healthy channel', async () => {
    const clock = createManualClock();
    const t0 = new Date(clock.now());
    await failing('hook', t0);
    await failing('gone', t0);
    await disableChannel(store.db, 'gone', '410', t0, 'gone');
    await store.db.insert(channelState).values({ channel: 'healthy', lastSuccessAt: t0, updatedAt: t0 });
    const breaker = createBreaker({ db: store.db, clock, logger: createSilentLogger(), afterMs: 60_000 });
    clock.advance(59_999);
    expect(await breaker()).toBe(0);
    clock.advance(1);
    expect(await breaker()).toBe(1);
    expect(await breaker()).toBe(0);
    const states = Object.fromEntries((await getChannelStates(store.db)).map((s) => [s.channel, s]));
    expect(states.hook).toMatchObject({ disabledBy: 'breaker', disabledAt: new Date(t0.getTime() + 60_000) });
    expect(states.hook!.disabledReason).toBe(`no successful delivery since ${t0.toISOString()} (CHANNEL_DISABLE_AFTER=1m); last error: none recorded`);
    expect(states.gone).toMatchObject({ disabledBy: 'gone', disabledReason: '410' });
    expect(states.healthy).toMatchObject({ disabledAt: null });
    // The breaker's event, beside the one the 410 disable stored for itself; never a second for `gone`.
    const events = (await store.db.select().from(callbackEvents)).sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
    const of = (e: (typeof events)[number]) => e.payload as { channel: string; disabledBy: string };
    expect(events.map((e) => [e.type, e.source, of(e).channel, of(e).disabledBy])).toEqual([
      ['relay.channel_disabled', 'relay', 'gone', 'gone'],
      ['relay.channel_disabled', 'relay', 'hook', 'breaker'],
    ]);
    expect(await store.db.select().from(eventWork).where(eq(eventWork.eventId, events[1]!.id))).toHaveLength(1);
  });

  it('four racing rounds disable the channel once and store one event', async () => {
    const clock = createManualClock();
    await failing('hook', new Date(clock.now()));
    clock.advance(120_000);
    const rounds = Array.from({ length: 4 }, () => createBreaker({ db: store.db, clock, logger: createSilentLogger(), afterMs: 60_000 }));
    const tripped = await Promise.all(rounds.map((round) => round()));
    expect(tripped.reduce((a, b) => a + b, 0)).toBe(1);
    expect(await store.db.select().from(callbackEvents)).toHaveLength(1);
  });
});
