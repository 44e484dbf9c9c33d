/**
 * Replaying an event (`colt-relay replay <eventId>`, the admin API): route the stored event
 * again with the rules in force and queue a fresh generation of deliveries, each with a
 * full retry schedule and a new delivery id. Earlier generations stay as history.
 */
import { insertDeliveries, nextGeneration } from '../store/deliveries.repo.js';
import { loadEvent } from '../store/events.repo.js';
import type { DispatcherDeps } from './dispatcher-deps.js';

export type ReplayDeps<Rules> = Pick<DispatcherDeps<Rules>, 'store' | 'clock' | 'getRules' | 'route'>;

export type ReplayResult =
  | { found: false }
  | { found: true; generation: number; deliveryIds: string[]; skippedStale: boolean };

/**
 * Queues the event's deliveries again; a dispatcher sends them on its next tick (call
 * its wake()). Two replays racing for one generation write it once.
 */
export async function replayEvent<Rules>(deps: ReplayDeps<Rules>, eventId: string): Promise<ReplayResult> {
  const db = deps.store.db;
  const event = await loadEvent(db, eventId);
  if (!event) return { found: false };
  const routed = deps.route(deps.getRules(), event);
  const now = new Date(deps.clock.now());
  return db.transaction(async (tx) => {
    const generation = await nextGeneration(tx, eventId);
    const deliveryIds = await insertDeliveries(
      tx,
      routed.deliveries.map((d) => ({
        eventId,
        orderId: event.orderId,
        channel: d.channel,
        channelType: d.channelType,
        rules: d.rules,
        generation,
      })),
      now,
    );
    return { found: true, generation, deliveryIds, skippedStale: routed.skippedStale ?? false };
  });
}
