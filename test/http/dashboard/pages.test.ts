/**
 * What a signed-in operator sees and does: the overview, an order's timeline with what Colt
 * said and why the notification died, retry and replay, the lists, the rules page and its
 * dry run. Every page is checked for secrets; data with markup in it renders escaped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDelivery, listDeliveries } from '../../../src/store/admin.repo.js';
import { fixture } from '../../support/fixtures.js';
import { STORE_KINDS } from '../../support/store.js';
import { createBrowser, createDashboardHarness, SECRETS, type Browser, type DashboardHarness } from './support.js';

const FAILED = 'IN-ORD-100235';
const XSS_ORDER = 'IN-XSS-1';

describe.each(STORE_KINDS)('dashboard pages on %s', (kind) => {
  let h: DashboardHarness;
  let browser: Browser;
  let failedEvent: string;
  let deadId: string;
  const visited = new Map<string, string>();

  /** GETs a page as the signed-in operator and keeps its HTML for the secrets check. */
  const page = async (path: string) => {
    const html = await browser.page(path);
    visited.set(path, html);
    return html;
  };

  beforeAll(async () => {
    h = await createDashboardHarness(kind);
    // The receiver retired the endpoint: 410 is permanent and disables the channel.
    h.peer.setDefault({ status: 410, body: '{"error":"endpoint retired"}' });
    failedEvent = await h.callback(fixture('flat-activation-failed.json'));
    await h.callback(fixture('tmf-product-order-completed.json'));
    await h.callback({
      orderId: XSS_ORDER,
      orderStatus: 'Completed',
      customerRef: '<img src=x onerror=alert(1)>',
      reason: "<script>alert('xss')</script>",
    });
    await h.app.request('/callbacks/colt', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRETS.CALLBACK_TOKEN}` },
      body: '{"orderId": <b>bold</b>}',
    });
    await h.writer.drain();
    for (let i = 0; i < 5 && !(await h.pipeline.dispatcher.tick()).idle; i++);
    const dead = await listDeliveries(h.store.db, { status: 'dead' });
    deadId = dead.items[0]!.id;
    browser = createBrowser(h.app);
    await browser.login();
  });
  afterAll(async () => h?.close());

  it('the overview shows the dead letter, the queue, the charts and the failed order', async () => {
    const html = await page('/');
    expect(html).toMatch(/Dead letters<\/div><div class="v">1</);
    expect(html).toContain('Queue depth');
    expect(html).toContain('Oldest due delivery');
    expect(html).toMatch(/<svg[^>]*aria-label="3 callbacks in the last 24 hours"/);
    expect(html).toMatch(/aria-label="\d+ attempts in the last 24 hours"/);
    expect(html).toContain(`href="/orders/${FAILED}"`);
    expect(html).toContain('HTTP 410 Gone');
    expect(html).toContain('Channel <strong>oss</strong> is disabled');
    // Why Colt failed it, in its own column of "Orders that need attention".
    expect(html).toContain('<th>reason</th>');
    expect(html).toMatch(/<span class="mono small" title="Emergency address could not be validated for \+442079460000">E-4021 · Address validation failed<\/span>/);
  });

  it('finds the order by id prefix and by customer reference', async () => {
    expect(await page('/orders?q=IN-ORD-1002')).toContain(`href="/orders/${FAILED}"`);
    const byRef = await page(`/orders?q=${encodeURIComponent('<img')}`);
    expect(byRef).toContain(`href="/orders/${XSS_ORDER}"`);
    expect(byRef).not.toContain(`href="/orders/${FAILED}"`);
    expect(await page('/orders?q=NO-SUCH')).toContain('No order matches.');
    expect(await page('/orders?status=failed')).toContain(FAILED);
  });

  it('the order page tells what Colt said, what the relay did and why the notification died', async () => {
    const html = await page(`/orders/${FAILED}`);
    expect(html).toContain('“Failed”');
    // The red COLT box: Colt's code and reason, then its message.
    const box = html.slice(html.indexOf('card attention'), html.indexOf('card attention') + 1500);
    expect(box).toContain('<span class="mono"> · E-4021 · Address validation failed</span>');
    expect(box).toContain('Emergency address could not be validated for +442079460000');
    expect(html).toContain('&quot;reason&quot;: &quot;Address validation failed&quot;');
    expect(html).toContain('<b>Dead letter</b>');
    expect(html).toContain('HTTP 410 Gone: receiver asked to stop');
    expect(html).toContain('endpoint retired');
    expect(html).toContain('Enable channel and retry');
    expect(html).toContain(`action="/deliveries/${deadId}/retry"`);
    expect(html).toContain(`action="/events/${failedEvent}/replay"`);
    // The log channel delivered the same callback.
    expect(html).toMatch(/<strong>console<\/strong>.*?badge b-delivered/s);
    // Where its status came from and what reconciliation last found.
    expect(html).toContain('<dt>status from</dt><dd>callback</dd>');
    expect(html).toContain('never checked');
  });

  it('shows a stale callback in the order timeline as stale and says why it notified nobody', async () => {
    const stale = await h.callback({ orderId: FAILED, orderStatus: 'inProgress' });
    for (let i = 0; i < 5 && !(await h.pipeline.dispatcher.tick()).idle; i++);
    const html = await page(`/orders/${FAILED}`);
    expect(html).toContain(`<div class="tl-item in_progress stale" id="e-${stale}">`);
    const item = html.slice(html.indexOf(`id="e-${stale}"`));
    expect(item).toMatch(/Not notified: stale\.<\/strong> The order had already moved past in progress when this callback\s+arrived \(it is now <span class="badge b-failed">failed<\/span>\)/);
  });

  it('retries a dead delivery: channel enabled, same delivery id, delivered on the next tick', async () => {
    h.peer.setDefault({ status: 200, body: '{"received":true}' });
    await page(`/orders/${FAILED}`);
    const res = await browser.post(`/deliveries/${deadId}/retry`, {});
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/orders/${FAILED}?done=enabled-retried#d-${deadId}`);
    expect(await page(`/orders/${FAILED}?done=enabled-retried`)).toContain('Channel enabled and retry queued');
    await h.pipeline.dispatcher.tick();
    expect((await getDelivery(h.store.db, deadId))!.status).toBe('delivered');
    expect(h.peer.requests.at(-1)!.webhookId).toBe(deadId);
    const html = await page(`/orders/${FAILED}`);
    expect(html).not.toContain('<b>Dead letter</b>');
    expect(html).toMatch(/<strong>oss<\/strong>.*?badge b-delivered/s);
    // Retrying what is no longer dead changes nothing.
    const again = await browser.post(`/deliveries/${deadId}/retry`, { back: '/deliveries?status=dead' });
    expect(again.headers.get('location')).toBe('/deliveries?status=dead&done=unchanged');
  });

  it('replays a callback as a new generation of deliveries', async () => {
    await page(`/orders/${FAILED}`);
    const res = await browser.post(`/events/${failedEvent}/replay`, {});
    expect(res.headers.get('location')).toBe(`/orders/${FAILED}?done=replayed`);
    await h.pipeline.dispatcher.tick();
    const html = await page(`/orders/${FAILED}`);
    expect(html).toContain('replay #1');
    expect(h.peer.requests.length).toBeGreaterThanOrEqual(3);
  });

  it('lists deliveries with a dead-letter filter, and rejected callbacks', async () => {
    expect(await page('/deliveries?status=dead')).toContain('No dead letters. Nothing needs you.');
    const all = await page('/deliveries');
    expect(all).toContain(`href="/orders/${FAILED}"`);
    const oss = await page('/deliveries?channel=oss');
    expect(oss).toContain('<strong>oss</strong>');
    expect(oss).not.toContain('<strong>console</strong>');
    const rejected = await page('/rejected');
    expect(rejected).toContain('invalid_payload');
    expect(rejected).toContain('{&quot;orderId&quot;: &lt;b&gt;bold&lt;/b&gt;}');
    expect(await page('/deliveries?cursor=garbage').catch((e: Error) => e.message)).toMatch(/303/);
  });

  it('the callback page shows the raw body, headers without credentials and the normalised event', async () => {
    const html = await page(`/events/${failedEvent}`);
    expect(html).toContain('E-4021');
    expect(html).toContain('normalised event');
    expect(html).not.toMatch(/authorization/i);
  });

  it('the rules page lists channels and rules without secrets, and dry-runs a pasted callback', async () => {
    const html = await page('/rules');
    expect(html).toContain('failures-to-oss');
    expect(html).toContain('status = failed');
    expect(html).toContain(`http://127.0.0.1:${h.peer.port}/…`);
    expect(html).toContain('https://partner.example.com/…');
    expect(html).toContain('headers Authorization');
    const res = await browser.post('/rules/dry-run', { callback: JSON.stringify(fixture('flat-activation-failed.json')) });
    const dry = await res.text();
    visited.set('POST /rules/dry-run', dry);
    expect(res.status).toBe(200);
    expect(dry).toContain('failures-to-oss → oss');
    expect(dry).toContain('POST http://127.0.0.1:');
    expect(dry).toContain('order.failed');
    const bad = await (await browser.post('/rules/dry-run', { callback: '{"no":' })).text();
    expect(bad).toContain('not JSON');
  });

  it('escapes markup that came in a callback', async () => {
    const html = await page(`/orders/${XSS_ORDER}`);
    expect(html).not.toContain("<script>alert('xss')</script>");
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    const dry = await (await browser.post('/rules/dry-run', { callback: '{"orderId":"<script>x</script>","status":"failed"}' })).text();
    expect(dry).not.toContain('<script>x</script>');
    expect(dry).toContain('&lt;script&gt;x&lt;/script&gt;');
  });

  it('answers an unknown order with a 404 page', async () => {
    const res = await browser.get('/orders/NOPE-1');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('No such order');
  });

  it('no page shows a secret', async () => {
    expect(visited.size).toBeGreaterThanOrEqual(12);
    const secrets = [...Object.values(SECRETS), h.peer.url];
    for (const [path, html] of visited) {
      for (const secret of secrets) expect(html.includes(secret), `${path} shows ${secret}`).toBe(false);
      expect(html, path).not.toContain('<script');
    }
  });
});
