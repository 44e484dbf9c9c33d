/**
 * Held is not late, on both databases: each reason a delivery waits on purpose (disabled,
 * quiet hours, rate limited, silenced) counts in countHeldDeliveries under its channel, and
 * getQueueStats's oldest-due age counts only what the dispatcher may send now.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { disableChannel, pauseChannel } from '../../src/store/channel-state.repo.js';
import { insertDeliveries } from '../../src/store/deliveries.repo.js';
import { countHeldDeliveries } from '../../src/store/held-deliveries.repo.js';
import { getQueueStats } from '../../src/store/retention.repo.js';
import { channelState, deliveries, silences } from '../../src/store/schema.js';
import { createSilence } from '../../src/store/silences.repo.js';
import { STORE_KINDS, useTestStore } from '../support/store.js';
import { insertTestEvent, resetTables } from './support.js';

const T0 = new Date('2026-11-26T10:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

describe.each(STORE_KINDS)('held deliveries and the oldest due one (%s)', (kind) => {
  const store = useTestStore(kind);
  beforeEach(async () => {
    await resetTables(store.db);
    await store.db.delete(silences);
  });

  /** A pending delivery on `channel`, due at `due`; its id. */
  async function waiting(channel: string, due: Date, status: 'pending' | 'retrying' = 'pending'): Promise<string> {
    const eventId = await insertTestEvent(store.db, { receivedAt: due, queue: false });
    const [id] = await insertDeliveries(store.db, [{ eventId, orderId: 'ORD-1', channel, channelType: 'webhook', rules: ['r'] }], due);
    if (status !== 'pending') await store.db.update(deliveries).set({ status }).where(eq(deliveries.id, id!));
    return id!;
  }

  it('counts each reason under its channel and leaves held rows out of the oldest-due age', async () => {
    await waiting('sendable', at(-60_000));
    await waiting('off', at(-600_000));
    await waiting('off', at(3_600_000), 'retrying'); // a later retry on a disabled channel waits too
    await disableChannel(store.db, 'off', '410 Gone', at(-700_000));
    await waiting('quiet', at(-300_000));
    await waiting('paused', at(-120_000));
    await waiting('paused', at(60_000)); // not due yet: nothing holds it
    await pauseChannel(store.db, 'paused', at(60_000), T0);
    await waiting('paced', at(-200_000));
    await store.db.insert(channelState).values({ channel: 'paced', nextSendAt: at(500), updatedAt: T0 });

    // Suppressed by a silence in force, and by one that ended (no longer holding anything).
    const live = await createSilence(store.db, { match: {}, startsAt: at(-3_600_000), endsAt: at(3_600_000), comment: 'maintenance', createdBy: 'test' }, at(-3_600_000));
    const ended = await createSilence(store.db, { match: {}, startsAt: at(-7_200_000), endsAt: at(-3_600_000), comment: 'over', createdBy: 'test' }, at(-7_200_000));
    const muted = await waiting('slack', at(-600_000));
    const old = await waiting('slack', at(-5_000_000));
    await store.db.update(deliveries).set({ status: 'suppressed', silenceId: live.id, updatedAt: at(-600_000) }).where(eq(deliveries.id, muted));
    await store.db.update(deliveries).set({ status: 'suppressed', silenceId: ended.id, updatedAt: at(-5_000_000) }).where(eq(deliveries.id, old));

    const held = await countHeldDeliveries(store.db, T0, ['quiet']);
    expect(held.sort((a, b) => a.channel.localeCompare(b.channel))).toEqual([
      { channel: 'off', reason: 'disabled', count: 2 },
      { channel: 'paced', reason: 'rate_limited', count: 1 },
      { channel: 'paused', reason: 'rate_limited', count: 1 },
      { channel: 'quiet', reason: 'quiet_hours', count: 1 },
      { channel: 'slack', reason: 'silenced', count: 1 },
    ]);

    const stats = await getQueueStats(store.db, T0, { quietChannels: ['quiet'] });
    expect(stats.oldestDueAgeSeconds).toBe(60);
    expect(stats.depth).toMatchObject({ pending: 6, retrying: 1 });
    // Without the rules' quiet hours the quiet channel's row is due and sendable.
    expect((await getQueueStats(store.db, T0)).oldestDueAgeSeconds).toBe(300);
  });

  it('a disabled channel counts under disabled only, even in its quiet hours; nothing held, nothing listed', async () => {
    expect(await countHeldDeliveries(store.db, T0, ['quiet'])).toEqual([]);
    await waiting('both', at(-1_000));
    await disableChannel(store.db, 'both', 'by hand', T0, 'admin');
    await pauseChannel(store.db, 'both', at(60_000), T0);
    expect(await countHeldDeliveries(store.db, T0, ['both'])).toEqual([{ channel: 'both', reason: 'disabled', count: 1 }]);
    expect((await getQueueStats(store.db, T0)).oldestDueAgeSeconds).toBe(0);
  });
});
