/**
 * Bulk recovery goes through the normal claim (docs/design.md#bulk-recovery): dead deliveries made due
 * at once on a paced channel still go out one per send interval, never as a burst.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { inArray } from 'drizzle-orm';
import { insertDeliveries, retryDeadDeliveries } from '../../src/store/deliveries.repo.js';
import { deliveries } from '../../src/store/schema.js';
import { STORE_KINDS, useTestStore } from '../support/store.js';
import { createHarness, createScriptedChannel, insertTestEvent, resetTables } from './support.js';

describe.each(STORE_KINDS)('bulk retry pacing (%s)', (kind) => {
  const store = useTestStore(kind);
  beforeEach(async () => {
    await resetTables(store.db);
  });

  it('five dead Slack deliveries retried at once leave one per second', async () => {
    const slack = createScriptedChannel('ops-slack', 'slack');
    const { clock, dispatcher } = createHarness(store, [slack], { sendIntervalMs: { slack: 1_000 } });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const eventId = await insertTestEvent(store.db, { receivedAt: new Date(clock.now()), queue: false });
      ids.push(...(await insertDeliveries(store.db, [{ eventId, orderId: `O-${i}`, channel: 'ops-slack', channelType: 'slack', rules: ['r'] }], new Date(clock.now()))));
    }
    await store.db.update(deliveries).set({ status: 'dead', attempts: 9 }).where(inArray(deliveries.id, ids));
    clock.advance(60_000);
    expect(await retryDeadDeliveries(store.db, { since: new Date(clock.now() - 120_000), now: new Date(clock.now()) })).toBe(5);

    const sentPerTick: number[] = [];
    for (let i = 0; i < 5; i++) {
      sentPerTick.push((await dispatcher.tick()).delivered, (await dispatcher.tick()).delivered);
      clock.advance(1_000);
    }
    // One per 1 s slot: the second tick within a slot finds the channel's next send not yet allowed.
    expect(sentPerTick).toEqual([1, 0, 1, 0, 1, 0, 1, 0, 1, 0]);
    expect(new Set(slack.jobs.map((j) => j.id))).toEqual(new Set(ids));
  });
});
