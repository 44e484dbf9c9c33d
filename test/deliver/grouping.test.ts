/**
 * Grouping (docs/design.md#grouping) in the dispatcher, on both stores, with the real Slack and email channels
 * talking to the Slack stand-in and a real SMTP server, and a manual clock: one message
 * per group and channel, members recorded with the group's outcome, exactly once across
 * a restart and two dispatchers, `interval` after a send, retries, quiet hours.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { WEEKDAYS, type ChannelConfig } from '../../src/config/channel-config.js';
import type { Channel } from '../../src/deliver/channel.js';
import { createChannels, createMemorySlackThreadStore } from '../../src/deliver/channels/index.js';
import type { RouteOutcome, DispatcherDeps } from '../../src/deliver/dispatcher-deps.js';
import { createDispatcher, type Dispatcher } from '../../src/deliver/dispatcher.js';
import type { NormalisedEvent } from '../../src/event/event.js';
import { createManualClock, type ManualClock } from '../../src/lib/clock.js';
import { createSilentLogger } from '../../src/lib/logger.js';
import { retryDead } from '../../src/deliver/recover.js';
import { pruneOlderThan } from '../../src/store/admin.repo.js';
import { createSilence } from '../../src/store/silences.repo.js';
import { openPostgresStore, type Store } from '../../src/store/db.js';
import { channelState, deliveries, deliveryAttempts, deliveryGroups } from '../../src/store/schema.js';
import { startSlackPeer, type SlackPeer } from '../support/slack-peer.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.js';
import { createTestStore, STORE_KINDS, type TestStore } from '../support/store.js';
import { createScriptedChannel, insertTestEvent, resetTables, type ScriptedChannel } from './support.js';

const WAIT_MS = 30_000;
const INTERVAL_MS = 5 * 60_000;
const CONFIGS: Record<string, ChannelConfig> = {
  'ops-slack': { type: 'slack', channel: 'C0GROUPS' },
  'noc-email': { type: 'email', to: ['noc@example.com'] },
};

/** The router's answer under `group: { by: [customerRef], wait: 30s, interval: 5m }` for Slack and email; the webhook is not grouped. */
function groupingRoute(event: NormalisedEvent): RouteOutcome {
  const values = { customerRef: event.customerRef };
  const group = { rule: 'failures', key: JSON.stringify(values), values, waitMs: WAIT_MS, intervalMs: INTERVAL_MS };
  return {
    deliveries: [
      { channel: 'ops-slack', channelType: 'slack', rules: ['failures'], group },
      { channel: 'noc-email', channelType: 'email', rules: ['failures'], group },
      { channel: 'oss', channelType: 'webhook', rules: ['failures'] },
    ],
  };
}

/** `12 orders: 12 failed` in the Slack header / email subject: how many orders the message speaks for. */
function ordersIn(text: string): number {
  const m = /(\d+) orders?:/.exec(text);
  expect(m, `an order count in: ${text.slice(0, 200)}`).not.toBeNull();
  return Number(m![1]);
}

/** Orders a message names: its list lines plus "and M more". */
function listedIn(text: string): number {
  const more = /and (\d+) more/.exec(text);
  const lines = text.split('\n').filter((l) => /IN-ORD-\S+ failed/.test(l)).length;
  return lines + (more ? Number(more[1]) : 0);
}

describe.each(STORE_KINDS)('grouping on %s', { timeout: 120_000 }, (kind) => {
  let store: TestStore;
  let slack: SlackPeer;
  let smtp: SmtpPeer;
  let clock: ManualClock;
  let webhook: ScriptedChannel;
  const dispatchers: Dispatcher[] = [];
  const stores: Store[] = [];
  /** Every channel the tests built: their SMTP pools close after each test, so the SMTP peer can close at once. */
  const opened: Channel[] = [];

  beforeAll(async () => {
    [store, slack, smtp] = await Promise.all([createTestStore(kind), startSlackPeer(), startSmtpPeer()]);
  });
  afterAll(async () => {
    await Promise.all([slack?.close(), smtp?.close()]);
    await store?.close();
  });
  beforeEach(async () => {
    await resetTables(store.db);
    slack.messages.clear();
    slack.calls.length = 0;
    smtp.messages.length = 0;
    clock = createManualClock(Date.parse('2026-11-26T10:00:00Z'));
    webhook = createScriptedChannel('oss', 'webhook');
  });
  afterEach(async () => {
    await Promise.all(dispatchers.splice(0).map((w) => w.stop()));
    await Promise.all(opened.splice(0).map((c) => c.close?.()));
    for (const s of stores.splice(0)) await s.close();
  });

  function channels(): Map<string, Channel> {
    const set = createChannels(CONFIGS, {
      logger: createSilentLogger(),
      version: 'test',
      allowPrivate: true,
      smtpUrl: smtp.url,
      mailFrom: 'relay@example.com',
      slackToken: slack.token,
      slackApiUrl: slack.url,
      slackThreads: createMemorySlackThreadStore(),
      publicUrl: 'https://relay.example.com',
    });
    opened.push(...set.values());
    const map = new Map<string, Channel>(set);
    map.set('oss', webhook);
    return map;
  }

  function dispatcher(on: Store = store, overrides: Partial<DispatcherDeps> = {}): Dispatcher {
    const map = channels();
    const w = createDispatcher({
      store: on,
      clock,
      logger: createSilentLogger(),
      random: () => 0.5,
      getRules: () => ({}),
      route: (_rules, event) => groupingRoute(event),
      getChannels: () => map,
      // The clock is manual: pacing would otherwise hold Slack's second group for a real second.
      sendIntervalMs: {},
      leaseRenewMs: 0,
      ...overrides,
    });
    dispatchers.push(w);
    return w;
  }

  async function failedCallbacks(count: number, customers: string[], spreadMs: number): Promise<Map<string, number>> {
    const perCustomer = new Map<string, number>();
    for (let i = 0; i < count; i++) {
      const customerRef = customers[i % customers.length]!;
      perCustomer.set(customerRef, (perCustomer.get(customerRef) ?? 0) + 1);
      await insertTestEvent(store.db, { receivedAt: new Date(clock.now()), orderId: `IN-ORD-${i}`, status: 'failed', customerRef });
      clock.advance(Math.floor(spreadMs / count));
    }
    return perCustomer;
  }

  async function drain(w: Dispatcher, ticks = 30): Promise<void> {
    for (let i = 0; i < ticks; i++) if ((await w.tick()).idle) return;
  }

  it('200 failed callbacks for 3 customers within 10 s: 3 Slack messages and 3 emails listing them, 200 webhook deliveries', async () => {
    const w = dispatcher();
    const expected = await failedCallbacks(200, ['ACME', 'GLOBEX', 'INITECH'], 10_000);
    await drain(w);
    // Routed: the webhook went out at once, Slack and email wait in 3 groups each.
    expect(webhook.jobs).toHaveLength(200);
    expect(slack.messages.size + smtp.messages.length).toBe(0);
    const waiting = await store.db.select().from(deliveries).where(eq(deliveries.status, 'grouped'));
    expect(waiting).toHaveLength(400);
    expect(await store.db.select().from(deliveryGroups)).toHaveLength(6);

    clock.advance(WAIT_MS);
    await drain(w);
    expect(slack.messages.size).toBe(3);
    expect(smtp.messages).toHaveLength(3);
    for (const [customer, orders] of expected) {
      const post = [...slack.messages.values()].find((m) => m.text.includes(customer))!;
      expect(post, `Slack message for ${customer}`).toBeDefined();
      expect(post.threadTs).toBeUndefined();
      expect(ordersIn(post.text)).toBe(orders);
      expect(listedIn(post.text)).toBe(orders);
      const blocks = JSON.stringify(post.blocks);
      expect(blocks).toContain(`<https://relay.example.com/orders/IN-ORD-`);
      expect(blocks).toContain(`and ${orders - 10} more`);
      const mail = smtp.messages.find((m) => m.subject.includes(customer))!;
      expect(mail, `email for ${customer}`).toBeDefined();
      expect(ordersIn(mail.subject)).toBe(orders);
      expect(listedIn(mail.text!)).toBe(orders);
      expect(mail.html).toContain('href="https://relay.example.com/orders/IN-ORD-');
    }
    const rows = await store.db.select().from(deliveries);
    expect(rows.filter((r) => r.status === 'delivered')).toHaveLength(600);
    expect(rows.filter((r) => r.channel !== 'oss').every((r) => r.groupId !== null && r.attempts === 1)).toBe(true);
    const groups = await store.db.select().from(deliveryGroups);
    expect(groups.map((g) => g.status)).toEqual(Array(6).fill('delivered'));
    // Each member carries the group's attempt.
    expect(await store.db.select().from(deliveryAttempts)).toHaveLength(600);

    // Nothing more goes out later.
    clock.advance(INTERVAL_MS * 2);
    await drain(w);
    expect(slack.messages.size + smtp.messages.length).toBe(6);
  });

  it('a silenced member leaves its group, recorded suppressed naming the silence; the others go out as one message', async () => {
    await createSilence(
      store.db,
      {
        match: { customerRef: 'GLOBEX' },
        startsAt: new Date(clock.now()),
        endsAt: new Date(clock.now() + 3_600_000),
        comment: 'GLOBEX migration',
        createdBy: 'test',
      },
      new Date(clock.now()),
    );
    // One group for every event (as `by: []`): ACME and GLOBEX members share it.
    const oneGroup = (): RouteOutcome => {
      const group = { rule: 'failures', key: '{}', values: {}, waitMs: WAIT_MS, intervalMs: INTERVAL_MS };
      return { deliveries: [{ channel: 'ops-slack', channelType: 'slack', rules: ['failures'], group }] };
    };
    const silenced = dispatcher(store, { route: () => oneGroup() });
    await failedCallbacks(6, ['ACME', 'GLOBEX'], 1_000);
    await drain(silenced);
    clock.advance(WAIT_MS);
    await drain(silenced);
    expect(slack.messages.size).toBe(1);
    const [post] = [...slack.messages.values()];
    expect(ordersIn(post!.text)).toBe(3);
    expect(post!.text).not.toContain('GLOBEX');
    const rows = await store.db.select().from(deliveries);
    expect(rows.filter((r) => r.status === 'delivered')).toHaveLength(3);
    const suppressed = rows.filter((r) => r.status === 'suppressed');
    expect(suppressed).toHaveLength(3);
    expect(suppressed.every((r) => r.silenceId !== null && r.lastError?.includes('GLOBEX migration'))).toBe(true);
  });

  it('a silence of the Slack channel holds its grouped members back; the email group and the webhook still go out', async () => {
    const silence = await createSilence(
      store.db,
      {
        match: { customerRef: 'ACME' },
        startsAt: new Date(clock.now()),
        endsAt: new Date(clock.now() + 3_600_000),
        comment: 'Slack noise',
        createdBy: 'test',
        channels: ['ops-slack'],
      },
      new Date(clock.now()),
    );
    const w = dispatcher();
    await failedCallbacks(4, ['ACME'], 1_000);
    await drain(w);
    clock.advance(WAIT_MS);
    await drain(w);
    expect(slack.messages.size).toBe(0);
    expect(smtp.messages).toHaveLength(1);
    expect(ordersIn(smtp.messages[0]!.subject)).toBe(4);
    expect(webhook.jobs).toHaveLength(4);
    const rows = await store.db.select().from(deliveries);
    const byChannel = (channel: string) => rows.filter((r) => r.channel === channel).map((r) => r.status);
    expect(byChannel('ops-slack')).toEqual(Array(4).fill('suppressed'));
    expect(byChannel('noc-email')).toEqual(Array(4).fill('delivered'));
    expect(byChannel('oss')).toEqual(Array(4).fill('delivered'));
    const slackRows = rows.filter((r) => r.channel === 'ops-slack');
    expect(slackRows.every((r) => r.silenceId === silence.id && r.lastError === `silenced by ${silence.id} (channels ops-slack): Slack noise`)).toBe(true);
  });

  it('a group pending across a restart is sent exactly once by the new dispatcher', async () => {
    const first = dispatcher();
    await failedCallbacks(5, ['ACME'], 1_000);
    await drain(first);
    await first.stop();
    expect(slack.messages.size).toBe(0);

    clock.advance(WAIT_MS);
    const restarted = store.url ? await openPostgresStore({ url: store.url, max: 3 }) : store;
    if (restarted !== store) stores.push(restarted);
    const second = dispatcher(restarted);
    await drain(second);
    await drain(second);
    expect(slack.messages.size).toBe(1);
    expect(smtp.messages).toHaveLength(1);
    expect(ordersIn([...slack.messages.values()][0]!.text)).toBe(5);
  });

  it('two dispatchers ticking together send each group once', async () => {
    const second = store.url ? await openPostgresStore({ url: store.url, max: 5 }) : store;
    if (second !== store) stores.push(second);
    const w1 = dispatcher();
    const w2 = dispatcher(second);
    await failedCallbacks(60, ['A', 'B', 'C', 'D'], 5_000);
    await Promise.all([w1.tick(), w2.tick()]);
    clock.advance(WAIT_MS);
    for (let i = 0; i < 10; i++) {
      const [r1, r2] = await Promise.all([w1.tick(), w2.tick()]);
      if (r1.idle && r2.idle) break;
    }
    expect(slack.messages.size).toBe(4);
    expect(smtp.messages).toHaveLength(4);
    expect(new Set([...slack.messages.values()].map((m) => m.text.split('\n')[0])).size).toBe(4);
    expect([...slack.messages.values()].reduce((n, m) => n + ordersIn(m.text), 0)).toBe(60);
  });

  it('an event joining after the send goes out at send + interval, with later joiners', async () => {
    const w = dispatcher();
    await failedCallbacks(3, ['ACME'], 1_000);
    await drain(w);
    clock.advance(WAIT_MS);
    await drain(w);
    const sentAt = clock.now();
    expect(slack.messages.size).toBe(1);

    clock.advance(10_000);
    await insertTestEvent(store.db, { receivedAt: new Date(clock.now()), orderId: 'IN-ORD-LATE-1', status: 'failed', customerRef: 'ACME' });
    await drain(w);
    const [late] = await store.db.select().from(deliveries).where(eq(deliveries.orderId, 'IN-ORD-LATE-1'));
    const open = await store.db.select().from(deliveryGroups).where(eq(deliveryGroups.status, 'open'));
    expect(open).toHaveLength(2); // Slack and email
    expect(open.map((g) => g.dueAt.toISOString())).toEqual(Array(2).fill(new Date(sentAt + INTERVAL_MS).toISOString()));
    expect(late!.channel === 'oss' || late!.status === 'grouped').toBe(true);

    clock.set(sentAt + INTERVAL_MS - 60_000);
    await insertTestEvent(store.db, { receivedAt: new Date(clock.now()), orderId: 'IN-ORD-LATE-2', status: 'failed', customerRef: 'ACME' });
    await drain(w);
    expect(slack.messages.size).toBe(1);

    clock.set(sentAt + INTERVAL_MS);
    await drain(w);
    expect(slack.messages.size).toBe(2);
    const second = [...slack.messages.values()][1]!;
    expect(ordersIn(second.text)).toBe(2);
    expect(second.text).toContain('IN-ORD-LATE-1');
    expect(second.text).toContain('IN-ORD-LATE-2');
  });

  it('a failed send retries the whole group on the retry schedule; members stay grouped, then are delivered once', async () => {
    const w = dispatcher();
    await failedCallbacks(4, ['ACME'], 1_000);
    await drain(w);
    clock.advance(WAIT_MS);
    slack.failNext('chat.postMessage', { status: 500 });
    await drain(w);
    const [group] = await store.db.select().from(deliveryGroups).where(eq(deliveryGroups.channel, 'ops-slack'));
    expect(group).toMatchObject({ status: 'retrying', attempts: 1 });
    expect(group!.dueAt.getTime()).toBe(clock.now() + 5_000);
    const members = await store.db.select().from(deliveries).where(eq(deliveries.groupId, group!.id));
    expect(members.map((m) => m.status)).toEqual(Array(4).fill('grouped'));
    expect(members[0]!.lastError).toMatch(/500/);
    // The circuit breaker counts from the group's failure, as from a single delivery's.
    const failedAt = clock.now();
    const [failing] = await store.db.select().from(channelState).where(eq(channelState.channel, 'ops-slack'));
    expect(failing).toMatchObject({ consecutiveFailures: 1 });
    expect(failing!.failingSince!.getTime()).toBeLessThanOrEqual(failedAt);

    clock.advance(5_000);
    await drain(w);
    expect(slack.messages.size).toBe(1);
    const [healthy] = await store.db.select().from(channelState).where(eq(channelState.channel, 'ops-slack'));
    expect(healthy).toMatchObject({ consecutiveFailures: 0, failingSince: null });
    expect(healthy!.lastSuccessAt!.getTime()).toBe(clock.now());
    const after = await store.db.select().from(deliveries).where(eq(deliveries.groupId, group!.id));
    expect(after.map((m) => [m.status, m.attempts])).toEqual(Array(4).fill(['delivered', 2]));
  });

  /** Three ACME callbacks grouped on Slack, whose one post fails for good (channel_not_found). */
  async function deadSlackGroup(w: Dispatcher) {
    await failedCallbacks(3, ['ACME'], 1_000);
    await drain(w);
    clock.advance(WAIT_MS);
    slack.failNext('chat.postMessage', { error: 'channel_not_found' });
    await drain(w);
    const [group] = await store.db.select().from(deliveryGroups).where(eq(deliveryGroups.channel, 'ops-slack'));
    return group!;
  }

  it('a permanent failure makes the group and its members dead', async () => {
    const group = await deadSlackGroup(dispatcher());
    expect(group).toMatchObject({ status: 'dead', lastCode: 'channel_not_found' });
    const members = await store.db.select().from(deliveries).where(eq(deliveries.groupId, group.id));
    expect(members.map((m) => m.status)).toEqual(Array(3).fill('dead'));
    expect(smtp.messages).toHaveLength(1);
  });

  it('bulk recovery retries a dead group as one message again, not member by member', async () => {
    const w = dispatcher();
    const dead = await deadSlackGroup(w);
    expect(dead).toMatchObject({ status: 'dead' });
    const posts = () => slack.calls.filter((c) => c.method === 'chat.postMessage');
    expect(posts()).toHaveLength(1);

    clock.advance(60_000);
    const result = await retryDead(store.db, { since: '5m', channel: 'ops-slack', nowMs: clock.now() });
    expect(result).toMatchObject({ ok: true, retried: 3 });
    const [again] = await store.db.select().from(deliveryGroups).where(eq(deliveryGroups.id, dead.id));
    expect(again).toMatchObject({ status: 'retrying', dueAt: new Date(clock.now()), leaseUntil: null });
    await drain(w);
    expect(posts()).toHaveLength(2);
    expect(slack.messages.size).toBe(1);
    const [message] = [...slack.messages.values()];
    for (const n of [0, 1, 2]) expect(message!.text).toContain(`IN-ORD-${n}`);
    const members = await store.db.select().from(deliveries).where(eq(deliveries.groupId, dead.id));
    expect(members.map((m) => m.status)).toEqual(Array(3).fill('delivered'));
    const [sent] = await store.db.select().from(deliveryGroups).where(eq(deliveryGroups.id, dead.id));
    expect(sent).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('a slow send keeps its group: the lease is renewed, so another dispatcher does not send it again', async () => {
    const w1 = dispatcher(store, { leaseMs: 20_000 });
    await failedCallbacks(3, ['ACME'], 1_000);
    await drain(w1);
    clock.advance(WAIT_MS);
    // The stand-in answers this post late (with an error), so the send outlives the first lease.
    slack.failNext('chat.postMessage', { delayMs: 1_500 });
    const sending = w1.tick();
    while (!slack.calls.some((c) => c.method === 'chat.postMessage')) await new Promise((r) => setTimeout(r, 10));
    clock.advance(15_000);
    expect(await w1.renewLeases()).toBeGreaterThanOrEqual(1);
    clock.advance(15_000); // past the first lease, inside the renewed one
    const other = store.url ? await openPostgresStore({ url: store.url, max: 2 }) : store;
    if (other !== store) stores.push(other);
    const w2 = dispatcher(other);
    expect((await w2.tick()).groups).toBe(0);
    await sending;
    // One post, by the first dispatcher, whose outcome (a retry) was still its to write.
    expect(slack.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);
    const [group] = await store.db.select().from(deliveryGroups).where(eq(deliveryGroups.channel, 'ops-slack'));
    expect(group).toMatchObject({ status: 'retrying', attempts: 1, lastCode: 'request_timeout' });
  });

  it('an ungrouped delivery routed beside grouped ones keeps its quiet-hours hold', async () => {
    const quietHours = { tz: 'UTC', from: '09:00', to: '18:00', days: [...WEEKDAYS] };
    const policies = { oss: { type: 'webhook' as const, quietHours }, 'ops-slack': { type: 'slack' as const }, 'noc-email': { type: 'email' as const } };
    const w = dispatcher(store, { getChannelPolicies: () => policies });
    await failedCallbacks(2, ['ACME'], 1_000);
    await drain(w);
    expect(webhook.jobs).toHaveLength(0);
    const held = await store.db.select().from(deliveries).where(eq(deliveries.channel, 'oss'));
    expect(held.map((d) => [d.status, d.nextAttemptAt.toISOString()])).toEqual(Array(2).fill(['pending', '2026-11-26T18:00:00.000Z']));
    expect(held[0]!.lastError).toMatch(/^held: quiet hours until/);
    const grouped = await store.db.select().from(deliveries).where(eq(deliveries.status, 'grouped'));
    expect(grouped).toHaveLength(4);
  });

  it('a due group with no member left sends nothing: removed, or closed when a delivery still names it', async () => {
    const w = dispatcher();
    await failedCallbacks(1, ['ACME'], 1_000);
    await drain(w);
    const [slackMember] = await store.db.select().from(deliveries).where(eq(deliveries.channel, 'ops-slack'));
    const [emailMember] = await store.db.select().from(deliveries).where(eq(deliveries.channel, 'noc-email'));
    await store.db.delete(deliveries).where(eq(deliveries.id, slackMember!.id));
    // An operator's retry takes a member out of its group (it goes on its own).
    await store.db.update(deliveries).set({ status: 'dead' }).where(eq(deliveries.id, emailMember!.id));
    clock.advance(WAIT_MS);
    await drain(w);
    expect(slack.messages.size + smtp.messages.length).toBe(0);
    const left = await store.db.select().from(deliveryGroups);
    expect(left.map((g) => [g.channel, g.status, g.lastError])).toEqual([['noc-email', 'suppressed', 'no member left to send']]);
  });

  it('prune removes finished groups with their events and keeps open ones', async () => {
    const w = dispatcher();
    await failedCallbacks(3, ['ACME'], 1_000);
    await drain(w);
    clock.advance(WAIT_MS);
    await drain(w);
    await insertTestEvent(store.db, { receivedAt: new Date(clock.now()), orderId: 'IN-ORD-OPEN', status: 'failed', customerRef: 'BETA' });
    await drain(w);
    await pruneOlderThan(store.db, new Date(clock.now() + 86_400_000));
    const left = await store.db.select().from(deliveryGroups);
    expect(left.map((g) => [g.status, g.byValues])).toEqual(Array(2).fill(['open', { customerRef: 'BETA' }]));
    expect((await store.db.select().from(deliveries)).map((d) => d.orderId)).toEqual(Array(3).fill('IN-ORD-OPEN'));
  });

  it('quiet hours hold a due group, still open, to the window end', async () => {
    // 10:00 UTC now; the email channel is quiet 09:00–18:00 UTC.
    const windowEnd = new Date(clock.now() + 8 * 3600_000);
    const policies = {
      'noc-email': { type: 'email' as const, quietHours: { tz: 'UTC', from: '09:00', to: '18:00', days: [...WEEKDAYS] } },
      'ops-slack': { type: 'slack' as const },
      oss: { type: 'webhook' as const },
    };
    const w = dispatcher(store, { getChannelPolicies: () => policies });
    await failedCallbacks(2, ['ACME'], 1_000);
    await drain(w);
    const [emailGroup] = await store.db.select().from(deliveryGroups).where(eq(deliveryGroups.channel, 'noc-email'));
    expect(emailGroup!.dueAt).toEqual(windowEnd);
    clock.advance(WAIT_MS);
    await drain(w);
    expect(slack.messages.size).toBe(1);
    expect(smtp.messages).toHaveLength(0);

    clock.advance(3600_000);
    await insertTestEvent(store.db, { receivedAt: new Date(clock.now()), orderId: 'IN-ORD-NIGHT', status: 'failed', customerRef: 'ACME' });
    await drain(w);
    clock.set(windowEnd.getTime());
    await drain(w);
    expect(smtp.messages).toHaveLength(1);
    expect(ordersIn(smtp.messages[0]!.subject)).toBe(3);
  });
});
