/**
 * Quiet hours (docs/design.md#quiet-hours) end to end with a controllable clock: callbacks in through the receiver,
 * email out to a real SMTP server. A delivery due inside the channel's window is held to the
 * window's end and sent then, not before: across midnight, and on both nights the clocks change.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { deliveries } from '../../src/store/schema.js';
import { fixture } from '../support/fixtures.js';
import { createTestPipeline, type TestPipeline } from '../support/pipeline.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.js';
import { STORE_KINDS } from '../support/store.js';

const RULES = `channels:
  noc-email: { type: email, to: [noc@example.com],
               quietHours: { tz: Europe/London, from: "20:00", to: "07:00" } }
  weekday-email: { type: email, to: [weekdays@example.com],
               quietHours: { tz: Europe/London, from: "20:00", to: "07:00", days: [mon, tue, wed, thu, fri] } }
rules:
  - name: failures
    match: { status: failed }
    notify: [noc-email]
  - name: weekday-failures
    match: { status: failed, orderId: { prefix: WD- } }
    notify: [weekday-email]
`;

let seq = 0;
const failed = (orderId = `IN-ORD-${++seq}`) => ({ ...fixture('flat-activation-failed.json'), orderId, message: `failure ${seq}` });

describe.each(STORE_KINDS)('quiet hours on %s', { timeout: 120_000 }, (kind) => {
  let smtp: SmtpPeer;
  let relay: TestPipeline;

  beforeAll(async () => {
    smtp = await startSmtpPeer();
  });
  afterEach(async () => {
    await relay?.close();
  });
  afterAll(async () => {
    await smtp.close();
  });

  async function start(at: string): Promise<TestPipeline> {
    relay = await createTestPipeline(kind, { RULES, SMTP_URL: smtp.url, MAIL_FROM: 'relay@example.com' });
    relay.clock.set(Date.parse(at));
    return relay;
  }

  /** Ticks at `at` until idle; returns the messages the SMTP server received meanwhile. */
  async function tickAt(at: string, to = 'noc@example.com'): Promise<number> {
    const before = smtp.messages.filter((m) => m.envelope.to.includes(to)).length;
    relay.clock.set(Date.parse(at));
    for (let i = 0; i < 5 && !(await relay.pipeline.dispatcher.tick()).idle; i++);
    return smtp.messages.filter((m) => m.envelope.to.includes(to)).length - before;
  }

  async function deliveryOf(eventId: string, channel = 'noc-email') {
    const rows = await relay.store.db.select().from(deliveries).where(eq(deliveries.eventId, eventId));
    return rows.find((r) => r.channel === channel)!;
  }

  it('holds a failure reported at 21:30 until 07:00 the next morning, across midnight', async () => {
    await start('2026-01-14T21:30:00Z');
    const { id } = await relay.post(failed());
    expect(await tickAt('2026-01-14T21:30:00Z')).toBe(0);
    const held = await deliveryOf(id);
    expect(held).toMatchObject({ status: 'pending', attempts: 0, lastError: 'held: quiet hours until 07:00 Europe/London (2026-01-15T07:00:00Z)' });
    expect(held.nextAttemptAt.toISOString()).toBe('2026-01-15T07:00:00.000Z');

    for (const at of ['2026-01-14T23:59:59Z', '2026-01-15T00:00:01Z', '2026-01-15T03:00:00Z', '2026-01-15T06:59:59Z']) {
      expect(await tickAt(at), at).toBe(0);
    }
    expect(await tickAt('2026-01-15T07:00:00Z')).toBe(1);
    expect(smtp.messages.at(-1)!.subject).toContain(`IN-ORD-${seq}`);
    expect(await deliveryOf(id)).toMatchObject({ status: 'delivered', attempts: 1, lastError: null });
    expect(await tickAt('2026-01-15T07:30:00Z')).toBe(0);
  });

  it('ends at 07:00 BST (06:00 UTC) on the night the clocks go forward', async () => {
    await start('2026-03-28T23:00:00Z');
    const { id } = await relay.post(failed());
    expect(await tickAt('2026-03-28T23:00:00Z')).toBe(0);
    expect((await deliveryOf(id)).lastError).toBe('held: quiet hours until 07:00 Europe/London (2026-03-29T06:00:00Z)');
    expect(await tickAt('2026-03-29T01:30:00Z')).toBe(0);
    expect(await tickAt('2026-03-29T05:59:59Z')).toBe(0);
    expect(await tickAt('2026-03-29T06:00:00Z')).toBe(1);
    expect((await deliveryOf(id)).status).toBe('delivered');
  });

  it('ends at 07:00 GMT (07:00 UTC) on the night the clocks go back', async () => {
    await start('2026-10-24T23:00:00Z');
    const { id } = await relay.post(failed());
    expect(await tickAt('2026-10-24T23:00:00Z')).toBe(0);
    expect((await deliveryOf(id)).lastError).toBe('held: quiet hours until 07:00 Europe/London (2026-10-25T07:00:00Z)');
    // 06:00 UTC was 07:00 the day before (BST); today it is 06:00 GMT, still quiet.
    expect(await tickAt('2026-10-25T06:00:00Z')).toBe(0);
    expect(await tickAt('2026-10-25T06:59:59Z')).toBe(0);
    expect(await tickAt('2026-10-25T07:00:00Z')).toBe(1);
    expect((await deliveryOf(id)).status).toBe('delivered');
  });

  it('sends at once outside the window, and on a night that starts on a day not listed', async () => {
    // Saturday 2026-01-17 22:00: noc-email is quiet every night, weekday-email only from Monday to Friday.
    await start('2026-01-17T22:00:00Z');
    const { id } = await relay.post(failed('WD-1'));
    expect(await tickAt('2026-01-17T22:00:00Z', 'weekdays@example.com')).toBe(1);
    expect((await deliveryOf(id, 'weekday-email')).status).toBe('delivered');
    expect((await deliveryOf(id)).status).toBe('pending');
    expect(await tickAt('2026-01-18T07:00:00Z')).toBe(1);
    await tickAt('2026-01-18T12:00:00Z');
    const before = smtp.messages.length;
    await relay.post(failed());
    expect(await tickAt('2026-01-18T12:00:00Z')).toBe(1);
    expect(smtp.messages.length).toBe(before + 1);
  });

  it('a retry that would fall inside the window waits for its end, keeping the failure reason', async () => {
    await start('2026-01-14T19:59:58Z');
    smtp.respondWith(451, 'try again later', { times: 1 });
    const { id } = await relay.post(failed());
    expect(await tickAt('2026-01-14T19:59:58Z')).toBe(0);
    const retrying = await deliveryOf(id);
    expect(retrying.status).toBe('retrying');
    expect(retrying.nextAttemptAt.toISOString()).toBe('2026-01-15T07:00:00.000Z');
    expect(retrying.lastError).toMatch(/451.*; held: quiet hours until 07:00 Europe\/London \(2026-01-15T07:00:00Z\)$/);
    expect(await tickAt('2026-01-14T20:10:00Z')).toBe(0);
    expect(await tickAt('2026-01-15T07:00:00Z')).toBe(1);
    expect(await deliveryOf(id)).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('a delivery written before the window but due inside it is held when it comes due', async () => {
    await start('2026-01-14T19:59:00Z');
    // A pause (as after a peer's Retry-After) keeps the delivery pending past 20:00.
    await relay.store.db.execute(
      `insert into channel_state (channel, paused_until, updated_at) values ('noc-email', '2026-01-14T20:30:00Z', '2026-01-14T19:59:00Z')`,
    );
    const { id } = await relay.post(failed());
    expect(await tickAt('2026-01-14T19:59:00Z')).toBe(0);
    expect(await deliveryOf(id)).toMatchObject({ status: 'pending', lastError: null });
    expect(await tickAt('2026-01-14T20:45:00Z')).toBe(0);
    const held = await deliveryOf(id);
    expect(held).toMatchObject({ status: 'pending', lastError: 'held: quiet hours until 07:00 Europe/London (2026-01-15T07:00:00Z)' });
    expect(held.nextAttemptAt.toISOString()).toBe('2026-01-15T07:00:00.000Z');
    expect(await tickAt('2026-01-15T07:00:00Z')).toBe(1);
  });
});
