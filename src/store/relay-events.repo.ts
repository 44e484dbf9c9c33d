/**
 * The relay's own events (`source: relay`: a channel disabled or enabled), stored like
 * callbacks with their outbox row so the dispatcher routes them by the rules. Written in the
 * transaction that changes the channel, so the change and its event commit together; the
 * dedupe key names the disable, so however many writers race, one event is stored.
 */
import { callbackEvents, eventWork } from './schema.js';
import type { DbOrTx } from './db.js';

/** One relay event to store (its fields as callback_events holds them). */
export interface RelayEventWrite {
  id: string;
  dedupeKey: string;
  type: string;
  payload: Record<string, unknown>;
}

/** Stores the event and queues it for routing; false when its dedupe key is already stored. */
export async function insertRelayEvent(tx: DbOrTx, event: RelayEventWrite, at: Date): Promise<boolean> {
  const stored = await tx
    .insert(callbackEvents)
    .values({
      id: event.id,
      dedupeKey: event.dedupeKey,
      // About a channel, not an order: no order row is written for it (orders stay Colt's).
      orderId: '',
      status: 'unknown',
      rawStatus: null,
      orderType: 'unknown',
      numberType: 'unknown',
      customerRef: null,
      numbers: [],
      occurredAt: at,
      receivedAt: at,
      rawBody: JSON.stringify(event.payload),
      payload: event.payload,
      headers: {},
      remoteAddr: null,
      stale: false,
      source: 'relay',
      type: event.type,
    })
    .onConflictDoNothing()
    .returning({ id: callbackEvents.id });
  if (stored.length === 0) return false;
  await tx.insert(eventWork).values({ eventId: event.id, dueAt: at, attempts: 0 });
  return true;
}
