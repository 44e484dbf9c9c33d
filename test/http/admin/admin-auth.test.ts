/** /api is guarded: off (503) without ADMIN_TOKEN, 401 without the right Bearer token, and nothing leaks either way. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../../support/store.js';
import { ADMIN_TOKEN, createAdminHarness, flatCallback, type AdminHarness } from './support.js';

const ROUTES: [method: string, path: string][] = [
  ['GET', '/api/events'],
  ['GET', '/api/events/01900000-0000-7000-8000-000000000000'],
  ['POST', '/api/events/01900000-0000-7000-8000-000000000000/replay'],
  ['GET', '/api/orders'],
  ['GET', '/api/orders/IN-ORD-1'],
  ['GET', '/api/deliveries'],
  ['GET', '/api/deliveries/01900000-0000-7000-8000-000000000000'],
  ['POST', '/api/deliveries/01900000-0000-7000-8000-000000000000/retry'],
  ['GET', '/api/rejected'],
  ['GET', '/api/channels'],
  ['POST', '/api/channels/oss/enable'],
  ['GET', '/api/rules'],
  ['POST', '/api/rules/dry-run'],
  ['GET', '/api/no-such-route'],
  ['GET', '/api'],
];

describe.each(STORE_KINDS)('admin API authentication (%s)', (kind) => {
  let on: AdminHarness;
  let off: AdminHarness;
  let eventId: string;
  beforeAll(async () => {
    on = await createAdminHarness(kind);
    off = await createAdminHarness(kind, { adminToken: null, store: on.store });
    const res = await on.callback(flatCallback('IN-ORD-1', 'Completed'));
    eventId = ((await res.json()) as { id: string }).id;
  });
  afterAll(async () => {
    await off?.close();
    await on?.close();
  });

  it.each(ROUTES)('%s %s: 401 with WWW-Authenticate: Bearer without a token, or with a wrong one', async (method, path) => {
    for (const token of [null, 'wrong-token', `${ADMIN_TOKEN}x`, ADMIN_TOKEN.slice(0, -1), '']) {
      const res = await on.api(path, { method, token, ...(method === 'POST' && { body: flatCallback('IN-ORD-1', 'Completed') }) });
      expect(res.status, `${token}`).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const body = await res.text();
      expect(JSON.parse(body)).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
      expect(body).not.toContain('IN-ORD-1');
      expect(body).not.toContain(eventId);
    }
  });

  it('accepts other authorization schemes only as a refusal', async () => {
    const basic = await on.app.request('/api/events', { headers: { authorization: `Basic ${btoa(`admin:${ADMIN_TOKEN}`)}` } });
    expect(basic.status).toBe(401);
    const raw = await on.app.request('/api/events', { headers: { authorization: ADMIN_TOKEN } });
    expect(raw.status).toBe(401);
  });

  it('lets the right token through (scheme name case-insensitive)', async () => {
    const res = await on.app.request('/api/events', { headers: { authorization: `bearer ${ADMIN_TOKEN}` } });
    expect(res.status).toBe(200);
    const page = (await res.json()) as { items: { id: string }[] };
    expect(page.items.map((e) => e.id)).toEqual([eventId]);
  });

  it.each(ROUTES)('%s %s: 503 not_configured when ADMIN_TOKEN is unset, whatever is sent', async (method, path) => {
    for (const token of [null, ADMIN_TOKEN, 'anything']) {
      const res = await off.api(path, { method, token });
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ error: { code: 'not_configured', message: 'the admin API is off: set ADMIN_TOKEN' } });
    }
  });

  it('keeps the receiver, health and docs open without the admin token', async () => {
    expect((await off.app.request('/healthz')).status).toBe(200);
    expect((await off.app.request('/openapi.json')).status).toBe(200);
    expect((await off.callback(flatCallback('IN-ORD-2', 'Raised'))).status).toBe(200);
  });
});
