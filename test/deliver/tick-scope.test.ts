/**
 * tick({ eventId }): one event's work only, as the Workers runtime runs it right after a
 * callback is stored. Older due work is left to the sweep.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { STORE_KINDS, useTestStore } from '../support/store.js';
import { createHarness, createScriptedChannel, deliveriesOf, insertTestEvent, resetTables } from './support.js';

describe.each(STORE_KINDS)('worker tick scoped to one event (%s)', (kind) => {
  const store = useTestStore(kind);
  beforeEach(async () => {
    await resetTables(store.db);
  });

  it('routes and sends only the named event, even when older work is due', async () => {
    const hook = createScriptedChannel('hook');
    const { clock, dispatcher } = createHarness(store, [hook]);
    const older = await insertTestEvent(store.db, { receivedAt: new Date(clock.now() - 60_000) });
    const fresh = await insertTestEvent(store.db, { receivedAt: new Date(clock.now()) });

    expect(await dispatcher.tick({ eventId: fresh })).toMatchObject({ events: 1, eventsRouted: 1, claimed: 1, delivered: 1 });
    expect(hook.jobs.map((j) => j.event.eventId)).toEqual([fresh]);
    expect(await deliveriesOf(store.db, older)).toEqual([]);

    // An unscoped tick (the sweep) takes the rest.
    expect(await dispatcher.tick()).toMatchObject({ events: 1, delivered: 1 });
    expect(hook.jobs.map((j) => j.event.eventId)).toEqual([fresh, older]);
  });

  it('does nothing for an event whose work is already done', async () => {
    const hook = createScriptedChannel('hook');
    const { clock, dispatcher } = createHarness(store, [hook]);
    const id = await insertTestEvent(store.db, { receivedAt: new Date(clock.now()) });
    await dispatcher.tick({ eventId: id });
    expect(await dispatcher.tick({ eventId: id })).toMatchObject({ events: 0, claimed: 0, idle: true });
    expect(hook.jobs).toHaveLength(1);
  });
});
