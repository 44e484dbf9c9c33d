import { describe, expect, it } from 'vitest';
import type { TickResult } from '../../deliver/dispatcher.js';
import { sweepDueWork } from './sweep.js';

const tick = (claimed: number, delivered = claimed): TickResult => ({
  events: 0,
  eventsRouted: 0,
  reconcileChecked: 0,
  reconcileEvents: 0,
  channelsDisabled: 0,
  eventsDeferred: 0,
  eventsFailed: 0,
  deliveriesCreated: 0,
  claimed,
  delivered,
  retried: 0,
  dead: 0,
  suppressed: 0,
  leaseLost: 0,
  groups: 0,
  errors: 0,
  idle: claimed === 0,
});

/** A worker that answers the scripted ticks in order, then idle ticks; a clock each tick moves. */
function scripted(results: TickResult[], msPerTick = 0) {
  let t = 0;
  const sleeps: number[] = [];
  const worker = {
    calls: 0,
    maintenance: [] as boolean[],
    tick: async (_scope?: unknown, options?: { maintenance?: boolean }) => {
      worker.calls++;
      worker.maintenance.push(options?.maintenance !== false);
      t += msPerTick;
      return results.shift() ?? tick(0);
    },
  };
  const options = { now: () => t, sleep: async (ms: number) => void sleeps.push(ms) };
  return { worker, options, sleeps };
}

describe('sweepDueWork', () => {
  it('stops at once when the first tick finds nothing', async () => {
    const { worker, options, sleeps } = scripted([]);
    expect(await sweepDueWork(worker, options)).toMatchObject({ ticks: 1, claimed: 0, stopped: 'idle' });
    expect(sleeps).toEqual([]);
  });

  it('adds up busy ticks, then looks once more after a pause before stopping', async () => {
    const { worker, options, sleeps } = scripted([tick(10), tick(3)]);
    const result = await sweepDueWork(worker, { ...options, idleWaitMs: 1_100 });
    expect(result).toMatchObject({ ticks: 4, claimed: 13, delivered: 13, stopped: 'idle' });
    expect(sleeps).toEqual([1_100]);
  });

  it('asks for reconciliation and the circuit breaker on the first tick only', async () => {
    const { worker, options } = scripted([tick(10), tick(3), tick(0), tick(2)]);
    await sweepDueWork(worker, options);
    expect(worker.maintenance).toEqual([true, false, false, false, false, false]);
  });

  it('keeps draining a paced channel: work found after the pause continues the sweep', async () => {
    const { worker, options, sleeps } = scripted([tick(1), tick(0), tick(1), tick(0)]);
    expect(await sweepDueWork(worker, options)).toMatchObject({ ticks: 5, claimed: 2, stopped: 'idle' });
    expect(sleeps).toHaveLength(2);
  });

  it('starts no tick after the budget is spent, nor more than maxTicks', async () => {
    const slow = scripted(Array.from({ length: 100 }, () => tick(10)), 6_000);
    expect(await sweepDueWork(slow.worker, { ...slow.options, budgetMs: 20_000 })).toMatchObject({ ticks: 4, stopped: 'budget' });
    const many = scripted(Array.from({ length: 100 }, () => tick(1)));
    expect(await sweepDueWork(many.worker, { ...many.options, maxTicks: 7 })).toMatchObject({ ticks: 7, claimed: 7, stopped: 'budget' });
  });
});
