/**
 * Silences through the admin API with a real worker (tick) and a real webhook peer: a
 * silence created with POST /api/silences suppresses the deliveries of matching events (not
 * the others), names itself on them, and stops applying at its end (clock moved past it) or
 * at once when expired with DELETE; invalid requests answer 400 naming the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilence } from '../../../src/store/silences.repo.js';
import { STORE_KINDS } from '../../support/store.js';
import { createAdminHarness, flatCallback, type AdminHarness } from './support.js';

type Silence = { id: string; state: string; suppressed: number; comment: string; match: unknown; endsAt: string; expiredAt: string | null };
type Delivery = { id: string; channel: string; status: string; silenceId: string | null; lastError: string | null; attemptCount: number };

describe.each(STORE_KINDS)('silences through the admin API (%s)', (kind) => {
  let h: AdminHarness;
  let order = 0;
  beforeAll(async () => {
    h = await createAdminHarness(kind);
  });
  afterAll(async () => {
    await h?.close();
  });

  /** A completed activation for `customerRef` (rules: completed → oss webhook peer + console log), routed and sent. */
  async function completed(customerRef: string): Promise<{ eventId: string; deliveries: Delivery[] }> {
    const res = await h.callback(flatCallback(`IN-SIL-${++order}`, 'Completed', { customerRef }));
    expect(res.status).toBe(200);
    const eventId = ((await res.json()) as { id: string }).id;
    await h.pipeline!.dispatcher.tick();
    const detail = await h.json(`/api/events/${eventId}`);
    return { eventId, deliveries: detail.deliveries as Delivery[] };
  }

  const silence = async (body: Record<string, unknown>) => {
    const res = await h.api('/api/silences', { body });
    return { status: res.status, body: (await res.json()) as Silence & { error?: { code: string; message: string; issues?: { path: string; message: string }[] } } };
  };
  const peerSaw = (orderId: string) => h.peer.requests.filter((r) => r.verified && JSON.stringify(r.payload).includes(orderId)).length;

  it('suppresses matching deliveries naming the silence, sends the others, and stops at its end', async () => {
    const created = await silence({ match: { status: 'completed', customerRef: 'ACME' }, duration: '1m', comment: 'Colt incident 4711', createdBy: 'alice' });
    expect(created.status).toBe(201);
    const s = created.body;
    expect(s).toMatchObject({ state: 'active', comment: 'Colt incident 4711', createdBy: 'alice', match: { status: 'completed', customerRef: 'ACME' }, suppressed: 0, expiredAt: null });
    expect(Date.parse(s.endsAt) - h.clock.now()).toBe(60_000);

    const before = h.peer.requests.length;
    const silenced = await completed('ACME');
    expect(silenced.deliveries.map((d) => [d.channel, d.status, d.silenceId])).toEqual([
      ['console', 'suppressed', s.id],
      ['oss', 'suppressed', s.id],
    ]);
    for (const d of silenced.deliveries) {
      expect(d.lastError).toBe(`silenced by ${s.id}: Colt incident 4711`);
      expect((await h.json(`/api/deliveries/${d.id}`)).attempts).toEqual([]);
    }
    expect(h.peer.requests.length).toBe(before);

    const other = await completed('GLOBEX');
    expect(other.deliveries.map((d) => [d.channel, d.status, d.silenceId])).toEqual([
      ['console', 'delivered', null],
      ['oss', 'delivered', null],
    ]);
    expect(peerSaw(`IN-SIL-${order}`)).toBe(1);

    const listed = (await h.json('/api/silences')).items as Silence[];
    expect(listed.find((x) => x.id === s.id)).toMatchObject({ state: 'active', suppressed: 2 });
    expect(await h.prom.render()).toMatch(/deliveries_total\{channel_type="webhook",status="suppressed"\} 1/);

    // Past its end: no reload, no restart, the next matching delivery reaches the peer.
    h.clock.advance(60_001);
    const after = await completed('ACME');
    expect(after.deliveries.map((d) => [d.channel, d.status])).toEqual([
      ['console', 'delivered'],
      ['oss', 'delivered'],
    ]);
    expect(peerSaw(`IN-SIL-${order}`)).toBe(1);
    expect(((await h.json('/api/silences')).items as Silence[]).find((x) => x.id === s.id)).toMatchObject({ state: 'expired', expiredAt: null });
    const ended = await h.api(`/api/silences/${s.id}`, { method: 'DELETE' });
    expect(ended.status).toBe(409);
    expect(((await ended.json()) as { error: { message: string } }).error.message).toContain(`silence ${s.id} ended at ${s.endsAt}`);
  });

  it('DELETE expires a silence at once: the next matching delivery is sent', async () => {
    const { body: s } = await silence({ match: { customerRef: { prefix: 'INI' } }, duration: '2h', comment: 'Initech migration', createdBy: 'bob' });
    expect((await completed('INITECH')).deliveries.map((d) => d.status)).toEqual(['suppressed', 'suppressed']);
    const res = await h.api(`/api/silences/${s.id}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: s.id, state: 'expired', expiredAt: new Date(h.clock.now()).toISOString(), suppressed: 2 });
    const next = await completed('INITECH');
    expect(next.deliveries.map((d) => d.status)).toEqual(['delivered', 'delivered']);
    expect(peerSaw(`IN-SIL-${order}`)).toBe(1);

    const again = await h.api(`/api/silences/${s.id}`, { method: 'DELETE' });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('was expired at'),
    });
    for (const id of ['01900000-0000-7000-8000-000000000000', 'not-an-id']) {
      const missing = await h.api(`/api/silences/${id}`, { method: 'DELETE' });
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { error: { message: string } }).error.message).toBe(`no silence ${id}`);
    }
  });

  it('a silence written by another process applies once the cached list is a second old', async () => {
    h.clock.advance(10);
    const { body: warmup } = await silence({ match: { customerRef: 'NOBODY' }, duration: '1h', comment: 'warm the cache', createdBy: 'test' });
    expect(warmup.state).toBe('active');
    await completed('HOOLI'); // loads the list (without the next silence)
    h.clock.advance(10);
    const row = await createSilence(
      h.store.db,
      { match: { customerRef: 'HOOLI' }, startsAt: new Date(h.clock.now()), endsAt: new Date(h.clock.now() + 3_600_000), comment: 'from the CLI', createdBy: 'carol' },
      new Date(h.clock.now()),
    );
    h.clock.advance(990);
    const held = await completed('HOOLI');
    expect(held.deliveries.map((d) => [d.status, d.silenceId])).toEqual([
      ['suppressed', row.id],
      ['suppressed', row.id],
    ]);
  });

  it('a silence starting later holds nothing until its start', async () => {
    h.clock.advance(10);
    const startsAt = new Date(h.clock.now() + 30_000).toISOString();
    const { status, body: s } = await silence({ match: { customerRef: 'UMBRELLA' }, startsAt, duration: '1h', comment: 'maintenance window', createdBy: 'dave' });
    expect(status).toBe(201);
    expect(s).toMatchObject({ state: 'pending', startsAt, endsAt: new Date(Date.parse(startsAt) + 3_600_000).toISOString() });
    expect((await completed('UMBRELLA')).deliveries.map((d) => d.status)).toEqual(['delivered', 'delivered']);
    h.clock.advance(30_000);
    expect((await completed('UMBRELLA')).deliveries.map((d) => [d.status, d.silenceId])).toEqual([
      ['suppressed', s.id],
      ['suppressed', s.id],
    ]);
  });

  it('lists silences newest first', async () => {
    const items = (await h.json('/api/silences')).items as Silence[];
    expect(items.map((s) => s.comment)).toEqual(['maintenance window', 'from the CLI', 'warm the cache', 'Initech migration', 'Colt incident 4711']);
    expect((await h.json('/api/silences?limit=1')).items).toHaveLength(1);
    expect((await h.api('/api/silences?limit=0')).status).toBe(400);
  });

  it('refuses invalid silences with 400 naming the field', async () => {
    const base = { match: { status: 'failed' }, duration: '2h', comment: 'incident', createdBy: 'alice' };
    const past = new Date(h.clock.now() - 60_000).toISOString();
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ ...base, endsAt: new Date(h.clock.now() + 3_600_000).toISOString() }, 'duration', /give endsAt or duration, not both/],
      [{ ...base, duration: undefined }, 'duration', /endsAt or duration is required/],
      [{ ...base, duration: undefined, endsAt: past }, 'endsAt', /is in the past/],
      [{ ...base, duration: undefined, endsAt: 'tomorrow' }, 'endsAt', /ISO 8601/],
      [{ ...base, duration: '2 weeks' }, 'duration', /"2 weeks" is not a duration like 30m, 2h or 1d/],
      [{ ...base, duration: '0m' }, 'duration', /longer than 0/],
      [{ ...base, duration: '400d' }, 'duration', /is longer than/],
      [{ ...base, comment: '  ' }, 'comment', /is required/],
      [{ ...base, createdBy: undefined }, 'createdBy', /is required/],
      [{ ...base, match: undefined }, 'match', /is required/],
      [{ ...base, match: {} }, 'match', /names no field/],
      [{ ...base, match: { stauts: 'failed' } }, 'match.stauts', /unknown field "stauts".*did you mean "status"/],
      [{ ...base, match: { status: 'done' } }, 'match.status', /"done" is not a valid status/],
      [{ ...base, match: { customerRef: { prefx: 'AC' } } }, 'match.customerRef.prefx', /unknown operator/],
      [{ ...base, match: 'status=failed' }, 'match', /must be a map/],
      [{ ...base, startsAt: 'soon' }, 'startsAt', /ISO 8601/],
    ];
    for (const [body, path, message] of cases) {
      const res = await silence(body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body.error!.code).toBe('invalid_payload');
      expect(res.body.error!.issues, JSON.stringify(res.body)).toContainEqual({ path, message: expect.stringMatching(message) });
    }
    const unknownKey = await silence({ ...base, until: 'later' });
    expect(unknownKey.status).toBe(400);
    const tooBig = await h.api('/api/silences', { body: { ...base, comment: 'x'.repeat(20_000) } });
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    const noToken = await h.api('/api/silences', { body: base, token: null });
    expect(noToken.status).toBe(401);
    expect(((await h.json('/api/silences')).items as Silence[]).some((s) => s.comment === 'incident')).toBe(false);
  });

  it('is in the OpenAPI document', async () => {
    const doc = await h.json('/openapi.json');
    expect(Object.keys(doc.paths['/api/silences'])).toEqual(expect.arrayContaining(['get', 'post']));
    expect(Object.keys(doc.paths['/api/silences/{id}'])).toEqual(['delete']);
    expect(doc.components.schemas.Delivery.properties.silenceId).toBeDefined();
  });
});
