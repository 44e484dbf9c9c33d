/**
 * /orders/open (docs/design.md#reconciliation): open orders oldest first with their age against the SLA,
 * the overdue mark, the last reconciliation and the next check; closed orders stay out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listOpenOrders } from '../../../src/store/open-orders.repo.js';
import { recordReconcileCheck } from '../../../src/store/reconcile.repo.js';
import { fixture } from '../../support/fixtures.js';
import { STORE_KINDS } from '../../support/store.js';
import { ADMIN_TOKEN, createBrowser, createDashboardHarness, SECRETS, type Browser, type DashboardHarness } from './support.js';

const HOUR = 3_600_000;
const OLD = 'IN-OPEN-OLD-1';
const NEW = 'IN-OPEN-NEW-2';
/** The completed order of the TMF fixture. */
const DONE = 'IN-ORD-100234';
const RESULT = 'unchanged: Colt still says raised';

describe.each(STORE_KINDS)('open orders page on %s', (kind) => {
  let h: DashboardHarness;
  let browser: Browser;

  beforeAll(async () => {
    h = await createDashboardHarness(kind);
    // Reservations have a 4 h SLA by default: OLD is 5 h old when the page is read, NEW is fresh.
    await h.callback({ ...fixture('flat-reservation-raised.json'), orderID: OLD });
    h.clock.advance(5 * HOUR);
    await h.callback({ ...fixture('flat-reservation-raised.json'), orderID: NEW, eventTime: '2026-11-26T15:21:00Z' });
    await h.callback(fixture('tmf-product-order-completed.json'));
    await h.writer.drain();
    const now = new Date(h.clock.now());
    await recordReconcileCheck(h.store.db, OLD, { at: now, result: RESULT, nextCheckAt: new Date(now.getTime() + HOUR), afterMs: 2 * HOUR });
    browser = createBrowser(h.app);
    await browser.login();
  });
  afterAll(async () => h?.close());

  it('lists the open orders oldest first with age against the SLA, overdue mark and last check; not the completed one', async () => {
    const html = await browser.page('/orders/open');
    const old = html.indexOf(`href="/orders/${OLD}"`);
    const fresh = html.indexOf(`href="/orders/${NEW}"`);
    expect(old).toBeGreaterThan(0);
    expect(fresh).toBeGreaterThan(old);
    expect(html).not.toContain(DONE);
    const [oldRow, newRow] = [html.slice(old, fresh), html.slice(fresh)];
    expect(oldRow).toMatch(/class="err">5 h of 4 h<\/span> <span class="badge b-failed">overdue</);
    expect(oldRow).toContain(RESULT);
    expect(oldRow).toContain('in 1 h');
    expect(newRow).toContain('0 s of 4 h');
    expect(newRow).not.toContain('overdue');
    expect(newRow).toContain('never checked');
    expect(html).toContain('href="/orders/open" class="on">Open orders');
    for (const [name, secret] of Object.entries(SECRETS)) expect(html, name).not.toContain(secret);
  });

  it('pages by cursor, oldest first, and restarts on a forged cursor', async () => {
    const first = await listOpenOrders(h.store.db, { limit: 1 });
    expect(first.items.map((o) => o.orderId)).toEqual([OLD]);
    const second = await listOpenOrders(h.store.db, { limit: 1, cursor: first.nextCursor! });
    expect(second.items.map((o) => o.orderId)).toEqual([NEW]);
    expect(second.nextCursor).toBeNull();
    const forged = await browser.get('/orders/open?cursor=not-a-cursor');
    expect(forged.status).toBe(303);
    expect(forged.headers.get('location')).toBe('/orders/open');
  });

  it('a completed order is gone from the list; its page still opens', async () => {
    const res = await browser.get(`/orders/${DONE}`);
    expect(res.status).toBe(200);
    const ids = (await listOpenOrders(h.store.db)).items.map((o) => o.orderId);
    expect(ids).toEqual([OLD, NEW]);
  });

  it('the admin API lists the same, with the standing computed, and documents it', async () => {
    const api = (path: string) => h.app.request(path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const res = await api('/api/orders/open');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: Record<string, unknown>[]; nextCursor: string | null };
    expect(body.items.map((o) => o.orderId)).toEqual([OLD, NEW]);
    expect(body.items[0]).toMatchObject({ orderType: 'reservation', ageMs: 5 * HOUR, slaMs: 4 * HOUR, overdue: true, lastReconcileResult: RESULT });
    expect(body.items[0]!.nextCheckAt).toBe(new Date(h.clock.now() + HOUR).toISOString());
    expect(body.items[1]).toMatchObject({ ageMs: 0, overdue: false, lastReconciledAt: null });
    const bad = await api('/api/orders/open?cursor=forged');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('bad_request');
    const doc = (await (await api('/openapi.json')).json()) as { paths: Record<string, unknown> };
    expect(doc.paths['/api/orders/open']).toBeDefined();
  });
});
