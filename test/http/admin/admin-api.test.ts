/** The admin API's read side through app.request(): shapes, filters, pagination, 400s and 404s. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../../support/store.js';
import { createAdminHarness, flatCallback, type AdminHarness } from './support.js';

describe.each(STORE_KINDS)('admin API reads (%s)', (kind) => {
  let h: AdminHarness;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    h = await createAdminHarness(kind);
    // Five orders, one second apart; ORD-3 also completes; one late (stale) raised for ORD-3.
    for (let i = 1; i <= 5; i++) {
      h.clock.advance(1000);
      const res = await h.callback(flatCallback(`IN-ORD-${i}`, 'Raised', { externalId: `ACME-${i}` }));
      ids[`raised-${i}`] = ((await res.json()) as { id: string }).id;
    }
    h.clock.advance(1000);
    ids['completed-3'] = ((await (await h.callback(flatCallback('IN-ORD-3', 'Completed'))).json()) as { id: string }).id;
    h.clock.advance(1000);
    ids['stale-3'] = ((await (await h.callback(flatCallback('IN-ORD-3', 'In Progress'))).json()) as { id: string }).id;
    await h.pipeline!.dispatcher.tick();
    // Refused callbacks for the audit list.
    await h.app.request('/callbacks/colt', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    await h.callback('{not json');
    await h.callback({ nothing: 'here' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('lists event summaries newest first, without bodies', async () => {
    const page = await h.json('/api/events');
    expect(page.nextCursor).toBeNull();
    expect(page.items.map((e: { id: string }) => e.id)).toEqual([
      ids['stale-3'],
      ids['completed-3'],
      ids['raised-5'],
      ids['raised-4'],
      ids['raised-3'],
      ids['raised-2'],
      ids['raised-1'],
    ]);
    const first = page.items[1];
    expect(first).toMatchObject({ orderId: 'IN-ORD-3', status: 'completed', stale: false, state: 'processed' });
    expect(first.receivedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(first).not.toHaveProperty('rawBody');
    expect(first).not.toHaveProperty('payload');
    expect(first).not.toHaveProperty('headers');
  });

  it('pages through events with the cursor, each event once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = await h.json(
        `/api/events?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(7);
  });

  it('filters events by order, status, staleness and time window', async () => {
    const idsOf = async (query: string) => (await h.json(`/api/events?${query}`)).items.map((e: { id: string }) => e.id);
    expect(await idsOf('orderId=IN-ORD-3')).toEqual([ids['stale-3'], ids['completed-3'], ids['raised-3']]);
    expect(await idsOf('status=completed')).toEqual([ids['completed-3']]);
    expect(await idsOf('stale=true')).toEqual([ids['stale-3']]);
    expect(await idsOf('stale=false&orderId=IN-ORD-3')).toEqual([ids['completed-3'], ids['raised-3']]);
    const all = (await h.json('/api/events')).items as { id: string; receivedAt: string }[];
    const third = all.find((e) => e.id === ids['raised-3'])!.receivedAt;
    const fifth = all.find((e) => e.id === ids['raised-5'])!.receivedAt;
    expect(await idsOf(`from=${encodeURIComponent(third)}&to=${encodeURIComponent(fifth)}`)).toEqual([ids['raised-4'], ids['raised-3']]);
  });

  it('answers 400 bad_request with issues for bad queries and cursors', async () => {
    const res = await h.api('/api/events?limit=500&status=done&stale=maybe&from=yesterday');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; issues: { path: string }[] } };
    expect(body.error.code).toBe('bad_request');
    expect(body.error.issues.map((i) => i.path).sort()).toEqual(['from', 'limit', 'stale', 'status']);
    for (const path of ['/api/events?cursor=bogus', '/api/deliveries?cursor=WyJ4Il0', '/api/rejected?cursor=WyJ4Il0', '/api/orders?limit=0']) {
      const r = await h.api(path);
      expect(r.status, path).toBe(400);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('bad_request');
    }
  });

  it('gives an event with raw body, normalised event and deliveries with attempts', async () => {
    const detail = await h.json(`/api/events/${ids['completed-3']}`);
    expect(detail.event.rawBody).toBe(JSON.stringify(flatCallback('IN-ORD-3', 'Completed')));
    expect(detail.event.payload).toEqual(flatCallback('IN-ORD-3', 'Completed'));
    expect(detail.event.headers).not.toHaveProperty('authorization');
    expect(detail.normalised).toMatchObject({ eventId: ids['completed-3'], orderId: 'IN-ORD-3', status: 'completed', orderType: 'activation' });
    const channels = detail.deliveries.map((d: { channel: string }) => d.channel).sort();
    expect(channels).toEqual(['console', 'oss']);
    const oss = detail.deliveries.find((d: { channel: string }) => d.channel === 'oss');
    expect(oss).toMatchObject({ status: 'delivered', generation: 0, attemptCount: 1 });
    expect(oss.attempts).toEqual([expect.objectContaining({ attempt: 1, outcome: 'delivered', code: '200' })]);
  });

  it('answers 404 for unknown events, orders and deliveries', async () => {
    for (const path of [
      '/api/events/01900000-0000-7000-8000-000000000000',
      '/api/events/not-a-uuid',
      '/api/orders/IN-ORD-404',
      '/api/deliveries/01900000-0000-7000-8000-000000000000',
      '/api/deliveries/nope',
    ]) {
      const res = await h.api(path);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    }
  });

  it('lists and searches orders, and gives an order timeline', async () => {
    const all = await h.json('/api/orders');
    expect(all.items.map((o: { orderId: string }) => o.orderId)).toEqual(['IN-ORD-3', 'IN-ORD-5', 'IN-ORD-4', 'IN-ORD-2', 'IN-ORD-1']);
    expect((await h.json('/api/orders?q=IN-ORD-4')).items.map((o: { orderId: string }) => o.orderId)).toEqual(['IN-ORD-4']);
    expect((await h.json('/api/orders?q=acme-2')).items.map((o: { orderId: string }) => o.orderId)).toEqual(['IN-ORD-2']);
    expect((await h.json('/api/orders?status=completed')).items.map((o: { orderId: string }) => o.orderId)).toEqual(['IN-ORD-3']);
    const page1 = await h.json('/api/orders?limit=2');
    const page2 = await h.json(`/api/orders?limit=2&cursor=${page1.nextCursor}`);
    expect([...page1.items, ...page2.items].map((o: { orderId: string }) => o.orderId)).toEqual(all.items.slice(0, 4).map((o: { orderId: string }) => o.orderId));

    const timeline = await h.json('/api/orders/IN-ORD-3');
    expect(timeline.order).toMatchObject({ orderId: 'IN-ORD-3', status: 'completed', customerRef: 'ACME-3' });
    expect(timeline.events.map((e: { id: string }) => e.id)).toEqual([ids['raised-3'], ids['completed-3'], ids['stale-3']]);
    expect(timeline.deliveries.map((d: { eventId: string }) => d.eventId)).toEqual([ids['completed-3'], ids['completed-3']]);
    expect(timeline.deliveries[0].attempts).toHaveLength(1);
  });

  it('lists deliveries by status, channel and order, with the delivery detail', async () => {
    const all = await h.json('/api/deliveries');
    expect(all.items).toHaveLength(2);
    expect(all.items[0]).toMatchObject({ orderId: 'IN-ORD-3', status: 'delivered', attempts: 1 });
    expect((await h.json('/api/deliveries?channel=oss')).items).toHaveLength(1);
    expect((await h.json('/api/deliveries?status=dead')).items).toHaveLength(0);
    expect((await h.json('/api/deliveries?orderId=IN-ORD-1')).items).toHaveLength(0);
    expect((await h.json(`/api/deliveries?eventId=${ids['completed-3']}`)).items).toHaveLength(2);
    const oss = (await h.json('/api/deliveries?channel=oss')).items[0];
    const detail = await h.json(`/api/deliveries/${oss.id}`);
    expect(detail).toMatchObject({ id: oss.id, channel: 'oss', channelType: 'webhook', attemptCount: 1 });
    expect(detail.attempts[0]).toMatchObject({ outcome: 'delivered', code: '200' });
  });

  it('lists refused callbacks per address and reason, most recently seen first, with counts', async () => {
    const all = await h.json('/api/rejected');
    expect(all.items.map((r: { reason: string; count: number }) => [r.reason, r.count])).toEqual([
      ['invalid_payload', 2],
      ['unauthorized', 1],
    ]);
    expect(all.items[1]).toMatchObject({ statusCode: 401, path: '/callbacks/colt', remoteAddr: expect.any(String) });
    // The sample is the latest refusal of the pair.
    expect(all.items[0]).toMatchObject({ statusCode: 400, bodyExcerpt: '{"nothing":"here"}' });
    expect(all.items[0].firstSeenAt <= all.items[0].lastSeenAt).toBe(true);
    const onlyAuth = await h.json('/api/rejected?reason=unauthorized');
    expect(onlyAuth.items).toHaveLength(1);
    const first = await h.json('/api/rejected?limit=1');
    expect(first.items).toHaveLength(1);
    const rest = await h.json(`/api/rejected?limit=1&cursor=${first.nextCursor}`);
    expect(rest).toEqual({ items: [all.items[1]], nextCursor: null });
  });
});
