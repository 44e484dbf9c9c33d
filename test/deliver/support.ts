/**
 * Test doubles for the dispatcher: events inserted the way the receiver stores them,
 * scripted channels (twins of Slack, webhooks, …) that count every send, and a harness
 * that wires a dispatcher to a manual clock.
 */
import { expect } from 'vitest';
import { eq } from 'drizzle-orm';
import type { Channel, DeliveryJob, SendResult } from '../../src/deliver/channel.js';
import type { ChannelType } from '../../src/config/channel-config.js';
import { createDispatcher, type Dispatcher, type DispatcherDeps } from '../../src/deliver/dispatcher.js';
import type { RouteOutcome } from '../../src/deliver/dispatcher-deps.js';
import { createManualClock, type ManualClock } from '../../src/lib/clock.js';
import { newId } from '../../src/lib/ids.js';
import { createSilentLogger } from '../../src/lib/logger.js';
import type { EventStatus, NormalisedEvent } from '../../src/event/event.js';
import type { Db, Store } from '../../src/store/db.js';
import {
  callbackEvents,
  channelState,
  deliveries,
  deliveryAttempts,
  deliveryGroups,
  eventWork,
  orders,
  silences,
  slackThreads,
} from '../../src/store/schema.js';
import { STATUS_RANK } from '../../src/event/event.js';

export interface TestEventOptions {
  receivedAt: Date;
  orderId?: string;
  status?: EventStatus;
  stale?: boolean;
  /** @default null */
  customerRef?: string | null;
  /** Also queue it in event_work, as the receiver does. @default true */
  queue?: boolean;
}

/** Stores a callback event (+ its order and outbox row) like the receiver; returns its id. */
export async function insertTestEvent(db: Db, o: TestEventOptions): Promise<string> {
  const id = newId(o.receivedAt.getTime());
  const orderId = o.orderId ?? `ORD-${id.slice(-8)}`;
  const status = o.status ?? 'completed';
  const payload = { orderId, status };
  await db.transaction(async (tx) => {
    await tx.insert(callbackEvents).values({
      id,
      dedupeKey: `test-${id}`,
      orderId,
      status,
      rawStatus: status,
      orderType: 'activation',
      numberType: 'geo',
      customerRef: o.customerRef ?? null,
      numbers: [],
      occurredAt: o.receivedAt,
      receivedAt: o.receivedAt,
      rawBody: JSON.stringify(payload),
      payload,
      headers: {},
      stale: o.stale ?? false,
    });
    await tx
      .insert(orders)
      .values({
        orderId,
        status,
        statusRank: STATUS_RANK[status],
        orderType: 'activation',
        numberType: 'geo',
        numbers: [],
        firstSeenAt: o.receivedAt,
        updatedAt: o.receivedAt,
        lastEventId: id,
      })
      .onConflictDoNothing();
    if (o.queue ?? true) {
      await tx.insert(eventWork).values({ eventId: id, dueAt: o.receivedAt, attempts: 0 });
    }
  });
  return id;
}

/** Empties every table the dispatcher touches, so one database serves a whole file. */
export async function resetTables(db: Db): Promise<void> {
  await db.delete(callbackEvents); // cascades to event_work, deliveries, delivery_attempts
  await db.delete(orders);
  await db.delete(channelState);
  await db.delete(slackThreads);
  await db.delete(deliveryGroups);
  // A test's silence must not hold the next test's deliveries.
  await db.delete(silences);
}

export type Script = (job: DeliveryJob) => SendResult | Promise<SendResult>;

/** A channel twin that answers from a script and counts sends per delivery id. */
export interface ScriptedChannel extends Channel {
  jobs: DeliveryJob[];
  sendsOf(id: string): number;
  script: Script;
}

export function createScriptedChannel(name: string, type: ChannelType = 'webhook', script?: Script): ScriptedChannel {
  const counts = new Map<string, number>();
  const channel: ScriptedChannel = {
    name,
    type,
    jobs: [],
    script: script ?? (() => ({ ok: true, code: '200' })),
    render: (event) => ({ text: `${event.orderId} ${event.status}` }),
    async send(job) {
      channel.jobs.push(job);
      counts.set(job.id, (counts.get(job.id) ?? 0) + 1);
      return channel.script(job);
    },
    sendsOf: (id) => counts.get(id) ?? 0,
  };
  return channel;
}

/** A router twin: every fresh event goes to every listed channel; stale events to none. */
export function routeToAll(channels: () => Channel[]) {
  return (_rules: unknown, event: NormalisedEvent): RouteOutcome => {
    if (event.stale) return { deliveries: [], skippedStale: true };
    return {
      deliveries: channels().map((c) => ({ channel: c.name, channelType: c.type, rules: ['all'] })),
      skippedStale: false,
    };
  };
}

export interface Harness {
  clock: ManualClock;
  dispatcher: Dispatcher;
  channels: Map<string, ScriptedChannel>;
}

/** A dispatcher over `store` with a manual clock, mid-range jitter and the given channels. */
export function createHarness(
  store: Store,
  channels: ScriptedChannel[],
  overrides: Partial<DispatcherDeps<unknown>> & { clock?: ManualClock } = {},
): Harness {
  const clock = overrides.clock ?? createManualClock();
  const map = new Map(channels.map((c) => [c.name, c]));
  const dispatcher = createDispatcher<unknown>({
    store,
    clock,
    logger: createSilentLogger(),
    random: () => 0.5,
    getRules: () => ({}),
    route: routeToAll(() => [...map.values()]),
    getChannels: () => map,
    ...overrides,
  });
  return { clock, dispatcher, channels: map };
}

export async function deliveryById(db: Db, id: string) {
  const [row] = await db.select().from(deliveries).where(eq(deliveries.id, id));
  expect(row, `delivery ${id}`).toBeDefined();
  return row!;
}

export async function deliveriesOf(db: Db, eventId: string) {
  return db.select().from(deliveries).where(eq(deliveries.eventId, eventId)).orderBy(deliveries.channel);
}

export async function attemptsOf(db: Db, deliveryId: string) {
  return db
    .select()
    .from(deliveryAttempts)
    .where(eq(deliveryAttempts.deliveryId, deliveryId))
    .orderBy(deliveryAttempts.attempt, deliveryAttempts.id);
}

/** A promise and the function that settles it: a send held open until the test lets it go. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
