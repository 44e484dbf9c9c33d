/** Every row of docs/design.md#http-answers's receiver table, on PGlite and on Postgres. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { hmacSha256, toBase64, toHex } from '../../src/lib/crypto.js';
import { callbackEvents, callbackRefusals, eventWork, orders } from '../../src/store/schema.js';
import { fixture, fixtureText } from '../support/fixtures.js';
import { createTestRelay, TEST_TOKEN, type TestRelay } from '../support/relay.js';
import { createTestStore, STORE_KINDS, type TestStore } from '../support/store.js';

describe.each(STORE_KINDS)('receiver on %s', (kind) => {
  let store: TestStore;
  let relay: TestRelay;

  beforeAll(async () => {
    store = await createTestStore(kind);
    relay = await createTestRelay(kind, {}, { store });
  });
  afterAll(async () => {
    await relay.close();
    await store.close();
  });

  const rejections = async () => store.db.select().from(callbackRefusals);

  it('stores a new callback: 200 accepted, duplicate false, raw bytes and outbox row kept', async () => {
    const raw = fixtureText('tmf-product-order-completed.json');
    const res = await relay.post(raw);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; id: string; duplicate: boolean };
    expect(body).toEqual({ status: 'accepted', id: expect.any(String), duplicate: false });
    const [row] = await store.db.select().from(callbackEvents).where(eq(callbackEvents.id, body.id));
    expect(row!.rawBody).toBe(raw);
    expect(row!.dedupeKey).toBe('event:8f3c2a8e-5b1d-4c47-9d0e-1a2b3c4d5e6f');
    expect(row!.headers.authorization).toBeUndefined();
    const work = await store.db.select().from(eventWork).where(eq(eventWork.eventId, body.id));
    expect(work).toHaveLength(1);
  });

  it('answers the same callback again with the same id and duplicate true', async () => {
    const first = (await (await relay.post(fixture('flat-activation-failed.json'))).json()) as { id: string };
    // Same content, other key order and whitespace: same canonical JSON.
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(fixture('flat-activation-failed.json')).reverse()), null, 2);
    const again = await relay.post(reordered);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: 'accepted', id: first.id, duplicate: true });
    const rows = await store.db.select().from(callbackEvents).where(eq(callbackEvents.orderId, 'IN-ORD-100235'));
    expect(rows).toHaveLength(1);
  });

  it('401 without credentials, with a wrong token, and records the refusal without the secret', async () => {
    const none = await relay.post({ orderId: 'A-1' }, { headers: { authorization: '' } });
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    const wrong = await relay.post({ orderId: 'A-1' }, { headers: { authorization: 'Bearer not-the-token' } });
    expect(wrong.status).toBe(401);
    const audit = await rejections();
    // One row per (address, reason), counting both.
    const unauthorized = audit.filter((r) => r.reason === 'unauthorized');
    expect(unauthorized).toHaveLength(1);
    expect(unauthorized[0]!.count).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(audit)).not.toContain(TEST_TOKEN);
  });

  it('accepts the token in the configured header and in the path, and hides a path token from the audit', async () => {
    const header = await relay.post({ orderId: 'A-2', status: 'raised' }, { headers: { authorization: '', 'x-callback-token': TEST_TOKEN } });
    expect(header.status).toBe(200);
    const path = await relay.post({ orderId: 'A-3', status: 'raised' }, { headers: { authorization: '' }, path: `/callbacks/colt/${TEST_TOKEN}` });
    expect(path.status).toBe(200);
    const badPath = await relay.post({ orderId: 'A-3' }, { headers: { authorization: '' }, path: '/callbacks/colt/wrong-token-value' });
    expect(badPath.status).toBe(401);
    const audit = await rejections();
    expect(audit.some((r) => r.path === '/callbacks/colt/:token')).toBe(true);
    expect(JSON.stringify(audit)).not.toContain('wrong-token-value');
  });

  it('415 for a non-JSON content type', async () => {
    const res = await relay.post('orderId=A', { headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unsupported_media_type');
  });

  it('accepts JSON content types with parameters and +json suffixes', async () => {
    const res = await relay.post({ orderId: 'A-4' }, { headers: { 'content-type': 'application/vnd.colt+json; charset=utf-8' } });
    expect(res.status).toBe(200);
  });

  it('413 over MAX_BODY_BYTES with a Content-Length', async () => {
    const big = JSON.stringify({ orderId: 'A-5', filler: 'x'.repeat(300 * 1024) });
    const res = await relay.post(big);
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
  });

  it('413 for a chunked body with no Content-Length', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode('{"orderId":"A-6","filler":"'));
        if (sent++ < 10) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await relay.app.request('/callbacks/colt', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKEN}` },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(sent).toBeLessThan(11);
  });

  it.each([
    ['malformed JSON', '{"orderId": "A-7",', ''],
    ['an array', '[{"orderId":"A-7"}]', ''],
    ['a string', '"A-7"', ''],
    ['null', 'null', ''],
    ['no order id', '{"status":"completed"}', 'orderId'],
  ])('400 invalid_payload for %s, with issues', async (_, body, issuePath) => {
    const res = await relay.post(body);
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: { code: string; message: string; issues: { path: string; message: string }[] } };
    expect(json.error.code).toBe('invalid_payload');
    expect(json.error.issues[0]).toEqual({ path: issuePath, message: expect.any(String) });
  });

  it('400 for bytes that are not UTF-8', async () => {
    const res = await relay.app.request('/callbacks/colt', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKEN}` },
      body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    });
    expect(res.status).toBe(400);
  });

  it('records 400/413/415 refusals with a truncated body', async () => {
    const audit = await rejections();
    const reasons = new Set(audit.map((r) => r.reason));
    for (const reason of ['invalid_payload', 'payload_too_large', 'unsupported_media_type', 'unauthorized']) {
      expect(reasons).toContain(reason);
    }
    expect(Math.max(...audit.map((r) => r.bodyExcerpt?.length ?? 0))).toBeLessThanOrEqual(2048);
  });

  it('accepts odd but valid JSON safely and keeps its exact bytes', async () => {
    const bodies = [
      '{"orderId":"ODD-1","note":"\\u0000 nul and \\ud800 lone surrogate","emoji":"📞","html":"<script>alert(1)</script>"}',
      '{"__proto__":{"polluted":true},"orderId":"ODD-2","constructor":{"prototype":{"x":1}}}',
      '{"orderId":98765432,"status":"Raised"}',
      `{"orderId":"ODD-4","deep":${'['.repeat(5000)}${']'.repeat(5000)}}`,
      '{"orderId":"ODD-5","orderId":"ODD-5-dup-key"}',
    ];
    for (const body of bodies) {
      const res = await relay.post(body);
      expect(res.status, body.slice(0, 60)).toBe(200);
      const { id } = (await res.json()) as { id: string };
      const [row] = await store.db.select().from(callbackEvents).where(eq(callbackEvents.id, id));
      expect(row!.rawBody).toBe(body);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const [numeric] = await store.db.select().from(callbackEvents).where(eq(callbackEvents.orderId, '98765432'));
    expect(numeric!.status).toBe('raised');
  });

  it('moves order status only forward and stores a late callback as stale', async () => {
    const post = (status: string, t: string) => relay.post({ orderId: 'MONO-1', status, eventTime: t, orderType: 'Number Activation' });
    expect((await post('raised', '2026-11-26T10:00:00Z')).status).toBe(200);
    expect((await post('completed', '2026-11-26T10:05:00Z')).status).toBe(200);
    const late = (await (await post('inProgress', '2026-11-26T10:02:00Z')).json()) as { id: string };
    const other = (await (await post('failed', '2026-11-26T10:06:00Z')).json()) as { id: string };
    const [order] = await store.db.select().from(orders).where(eq(orders.orderId, 'MONO-1'));
    expect(order!.status).toBe('completed');
    const rows = await store.db.select().from(callbackEvents).where(eq(callbackEvents.orderId, 'MONO-1'));
    const staleIds = rows.filter((r) => r.stale).map((r) => r.id).sort();
    expect(staleIds).toEqual([late.id, other.id].sort());
  });

  it('answers JSON for unknown routes and wrong methods', async () => {
    const missing = await relay.app.request('/nope');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');
    const get = await relay.app.request('/callbacks/colt');
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
  });

  it('reports health and readiness', async () => {
    expect((await relay.app.request('/healthz')).status).toBe(200);
    const ready = await relay.app.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', store: kind });
  });
});

describe.each(STORE_KINDS)('callback authentication methods on %s', (kind) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await createTestStore(kind);
  });
  afterAll(async () => store.close());

  it('Basic: 401 with WWW-Authenticate, 200 with the right credentials', async () => {
    const relay = await createTestRelay(kind, { CALLBACK_TOKEN: '', CALLBACK_BASIC_AUTH: 'colt:s3cret-pass' }, { store });
    const res = await relay.post({ orderId: 'B-1' }, { headers: { authorization: '' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="colt-relay"/);
    const wrong = await relay.post({ orderId: 'B-1' }, { headers: { authorization: `Basic ${btoa('colt:wrong')}` } });
    expect(wrong.status).toBe(401);
    const ok = await relay.post({ orderId: 'B-1' }, { headers: { authorization: `Basic ${btoa('colt:s3cret-pass')}` } });
    expect(ok.status).toBe(200);
    await relay.close();
  });

  it('HMAC of the raw body, hex or base64, with or without sha256= prefix', async () => {
    const secret = 'hmac-secret-value';
    const relay = await createTestRelay(kind, { CALLBACK_TOKEN: '', CALLBACK_HMAC_SECRET: secret }, { store });
    const body = '{"orderId":"H-1","status":"raised"}';
    const mac = await hmacSha256(secret, new TextEncoder().encode(body));
    expect((await relay.post(body, { headers: { authorization: '' } })).status).toBe(401);
    expect((await relay.post(body, { headers: { authorization: '', 'x-signature': toHex(mac).replace(/^./, '0') + 'x' } })).status).toBe(401);
    expect((await relay.post(body, { headers: { authorization: '', 'x-signature': toHex(mac) } })).status).toBe(200);
    expect((await relay.post(body, { headers: { authorization: '', 'x-signature': `sha256=${toBase64(mac)}` } })).status).toBe(200);
    // Signature of other bytes (a tampered body) fails.
    expect((await relay.post(body.replace('raised', 'failed'), { headers: { authorization: '', 'x-signature': toHex(mac) } })).status).toBe(401);
    await relay.close();
  });

  it('IP allow-list, honouring X-Forwarded-For only with TRUST_PROXY', async () => {
    const direct = await createTestRelay(kind, { CALLBACK_ALLOWED_IPS: '203.0.113.0/24, 2001:db8::/32' }, { store, remoteAddr: '198.51.100.7' });
    expect((await direct.post({ orderId: 'I-1' })).status).toBe(401);
    expect((await direct.post({ orderId: 'I-1' }, { headers: { 'x-forwarded-for': '203.0.113.9' } })).status).toBe(401);
    await direct.close();
    const proxied = await createTestRelay(
      kind,
      { CALLBACK_ALLOWED_IPS: '203.0.113.0/24', TRUST_PROXY: 'true' },
      { store, remoteAddr: '10.0.0.2' },
    );
    // The proxy (10.0.0.2) appended the client it saw: the rightmost entry.
    expect((await proxied.post({ orderId: 'I-2' }, { headers: { 'x-forwarded-for': '198.51.100.1, 203.0.113.9' } })).status).toBe(200);
    expect((await proxied.post({ orderId: 'I-2' }, { headers: { 'x-forwarded-for': '203.0.113.9, 198.51.100.1' } })).status).toBe(401);
    await proxied.close();
    const mapped = await createTestRelay(kind, { CALLBACK_ALLOWED_IPS: '203.0.113.0/24' }, { store, remoteAddr: '::ffff:203.0.113.5' });
    expect((await mapped.post({ orderId: 'I-3' })).status).toBe(200);
    await mapped.close();
  });

  it('combined methods: IP allow-list and token must both pass', async () => {
    const relay = await createTestRelay(kind, { CALLBACK_ALLOWED_IPS: '127.0.0.1' }, { store });
    expect((await relay.post({ orderId: 'C-1' })).status).toBe(200);
    expect((await relay.post({ orderId: 'C-1' }, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    await relay.close();
  });
});
