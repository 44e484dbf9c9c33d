/**
 * Operator actions through the admin API with a real worker: retry a dead delivery, lift a
 * channel disable, replay an event as a new generation. The dispatcher runs by tick().
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../../support/store.js';
import { createAdminHarness, flatCallback, type AdminHarness } from './support.js';

type Delivery = { id: string; channel: string; status: string; generation: number; attemptCount: number; attempts: { outcome: string; code: string | null }[] };

describe.each(STORE_KINDS)('admin API actions (%s)', (kind) => {
  let h: AdminHarness;
  let bare: AdminHarness;
  let eventId: string;
  let ossId: string;
  beforeAll(async () => {
    h = await createAdminHarness(kind);
    bare = await createAdminHarness(kind, { withPipeline: false, store: h.store });
  });
  afterAll(async () => {
    await bare?.close();
    await h?.close();
  });

  const oss = async (): Promise<Delivery> => h.json(`/api/deliveries/${ossId}`);

  it('a webhook answering 410 leaves a dead delivery and a disabled channel, visible in /api/channels', async () => {
    h.peer.respondWith({ status: 410, body: '{"gone":true}' });
    const res = await h.callback(flatCallback('IN-ORD-77', 'Completed'));
    eventId = ((await res.json()) as { id: string }).id;
    const tick = await h.pipeline!.dispatcher.tick();
    expect(tick).toMatchObject({ eventsRouted: 1, dead: 1, delivered: 1 });
    ossId = (await h.json(`/api/deliveries?channel=oss&eventId=${eventId}`)).items[0].id;
    expect(await oss()).toMatchObject({ status: 'dead', attemptCount: 1, attempts: [{ outcome: 'failed', code: '410' }] });
    const channels = (await h.json('/api/channels')).items as Record<string, unknown>[];
    expect(channels.map((c) => c.name)).toEqual(['oss', 'legacy', 'console', 'ops-slack', 'noc-email']);
    expect(channels.find((c) => c.name === 'oss')).toMatchObject({
      type: 'webhook',
      configured: true,
      enabled: false,
      disabledReason: expect.stringContaining('410'),
      consecutiveFailures: 1,
      problem: null,
    });
    expect(channels.find((c) => c.name === 'console')).toMatchObject({ type: 'log', enabled: true, consecutiveFailures: 0 });
  });

  it('retries the dead delivery: pending now, held while the channel is disabled, delivered once enabled', async () => {
    const res = await h.api(`/api/deliveries/${ossId}/retry`, { method: 'POST' });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ id: ossId, status: 'pending', attemptCount: 1 });
    await h.pipeline!.dispatcher.tick();
    expect((await oss()).status).toBe('pending'); // the channel is still disabled
    const again = await h.api(`/api/deliveries/${ossId}/retry`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('pending'),
    });

    const enabled = await h.api('/api/channels/oss/enable', { method: 'POST' });
    expect(enabled.status).toBe(200);
    expect(await enabled.json()).toMatchObject({ name: 'oss', enabled: true, disabledAt: null, consecutiveFailures: 0 });
    const requestsBefore = h.peer.requests.length;
    const tick = await h.pipeline!.dispatcher.tick();
    expect(tick.delivered).toBe(1);
    const after = await oss();
    expect(after).toMatchObject({ status: 'delivered', attemptCount: 2 });
    expect(after.attempts.map((a) => a.outcome)).toEqual(['failed', 'delivered']);
    // Same delivery, same webhook-id: a downstream system can deduplicate.
    expect(h.peer.requests.slice(requestsBefore).map((r) => r.webhookId)).toEqual([ossId]);
    expect(h.peer.requests.at(-1)!.verified).toBe(true);

    const delivered = await h.api(`/api/deliveries/${ossId}/retry`, { method: 'POST' });
    expect(delivered.status).toBe(409);
  });

  it('replays an event: a new generation of deliveries, sent by the next tick, history kept', async () => {
    const res = await h.api(`/api/events/${eventId}/replay`, { method: 'POST' });
    expect(res.status).toBe(202);
    const replay = (await res.json()) as { generation: number; replay: boolean; deliveryIds: string[]; skippedStale: boolean };
    expect(replay).toMatchObject({ eventId, generation: 1, replay: true, skippedStale: false });
    expect(replay.deliveryIds).toHaveLength(2);
    expect(replay.deliveryIds).not.toContain(ossId);
    const tick = await h.pipeline!.dispatcher.tick();
    expect(tick.delivered).toBe(2);
    const detail = await h.json(`/api/events/${eventId}`);
    const byGen = (detail.deliveries as Delivery[]).map((d) => [d.generation, d.channel, d.status]);
    expect(byGen).toEqual([
      [0, 'console', 'delivered'],
      [0, 'oss', 'delivered'],
      [1, 'console', 'delivered'],
      [1, 'oss', 'delivered'],
    ]);
    const newOss = (detail.deliveries as Delivery[]).find((d) => d.generation === 1 && d.channel === 'oss')!;
    expect(h.peer.requests.at(-1)!.webhookId).toBe(newOss.id);
    const second = (await (await h.api(`/api/events/${eventId}/replay`, { method: 'POST' })).json()) as { generation: number };
    expect(second.generation).toBe(2);
  });

  it('answers 404 for replaying, retrying or enabling what does not exist', async () => {
    for (const path of [
      '/api/events/01900000-0000-7000-8000-000000000000/replay',
      '/api/events/nope/replay',
      '/api/deliveries/01900000-0000-7000-8000-000000000000/retry',
      '/api/channels/no-such-channel/enable',
    ]) {
      const res = await h.api(path, { method: 'POST' });
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    }
  });

  it('without a worker side: replay, rules and dry-run answer 503 not_configured; reads and retry still work', async () => {
    for (const [method, path] of [
      ['POST', `/api/events/${eventId}/replay`],
      ['GET', '/api/rules'],
      ['POST', '/api/rules/dry-run'],
    ] as const) {
      const res = await bare.api(path, { method, ...(method === 'POST' && { body: flatCallback('X', 'Failed') }) });
      expect(res.status, path).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_configured');
    }
    expect((await bare.api(`/api/events/${eventId}`)).status).toBe(200);
    const channels = (await bare.json('/api/channels')).items as { name: string; configured: boolean }[];
    // Without rules every channel with state is a leftover: oss (disabled) and console (its last success).
    expect(channels).toEqual([
      expect.objectContaining({ name: 'console', configured: false, type: null, lastSuccessAt: expect.any(String) }),
      expect.objectContaining({ name: 'oss', configured: false, type: null }),
    ]);
  });

  it('POST /api/prune: deletes finished events older than the age (the cutoff from the clock); a bad age is a 400', async () => {
    const bad = await h.api('/api/prune', { method: 'POST', body: { olderThan: '3w' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string; issues: { path: string }[] } }).error).toMatchObject({
      code: 'invalid_payload',
      issues: [{ path: 'olderThan' }],
    });
    const none = (await (await h.api('/api/prune', { method: 'POST', body: { olderThan: '90d' } })).json()) as Record<string, unknown>;
    expect(none).toEqual({ cutoff: new Date(h.clock.now() - 90 * 86_400_000).toISOString(), events: 0, attempts: 0, rejected: 0 });
    h.clock.advance(3 * 86_400_000);
    const res = await h.api('/api/prune', { method: 'POST', body: { olderThan: '1d' } });
    expect(res.status).toBe(200);
    const pruned = (await res.json()) as { events: number; attempts: number };
    // The attempts recorded above are now two days past the cutoff.
    expect(pruned.attempts).toBeGreaterThan(0);
    // The relay's two events (oss disabled by its 410, enabled again) are finished and go; the
    // order's event stays while its third generation of deliveries (replayed above) waits.
    expect(pruned.events).toBe(2);
    expect((await h.api(`/api/events/${eventId}`)).status).toBe(200);
  });
});
