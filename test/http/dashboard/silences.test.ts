/**
 * The dashboard's /silences as an operator uses it: the form refuses bad input with the
 * API's words, a created silence suppresses the matching failure (the webhook peer gets
 * nothing) and the order, event and deliveries pages name it; Expire ends it at once.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveries } from '../../../src/store/schema.js';
import { STORE_KINDS } from '../../support/store.js';
import { createBrowser, createDashboardHarness, type Browser, type DashboardHarness } from './support.js';

describe.each(STORE_KINDS)('dashboard silences on %s', (kind) => {
  let h: DashboardHarness;
  let browser: Browser;
  let silenceId: string;
  let n = 0;
  beforeAll(async () => {
    h = await createDashboardHarness(kind);
    browser = createBrowser(h.app);
    await browser.login();
  });
  afterAll(async () => h?.close());

  /** A failed activation for ACME (rules: failed → oss webhook peer; everything → console log), routed and sent. */
  const failure = async () => {
    const orderId = `IN-SIL-DASH-${++n}`;
    const eventId = await h.callback({ orderId, orderStatus: 'Failed', orderType: 'Number Activation', customerRef: 'ACME' });
    await h.writer.drain();
    for (let i = 0; i < 5 && !(await h.pipeline.dispatcher.tick()).idle; i++);
    return { orderId, eventId };
  };
  const peerGot = (orderId: string) => h.peer.requests.filter((r) => r.verified && JSON.stringify(r.payload).includes(orderId)).length;

  it('the page is in the navigation and lists no silence yet', async () => {
    const html = await browser.page('/silences');
    expect(html).toContain('<a href="/silences" class="on">Silences</a>');
    expect(html).toContain('No silence yet.');
    expect(await browser.page('/')).toContain('<a href="/silences">Silences</a>');
  });

  it('refuses a bad form with the field and the reason, keeping what was typed', async () => {
    const res = await browser.post('/silences', { match: 'stauts=failed', duration: '2 weeks', comment: ' ', createdBy: 'alice' });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Not created:');
    expect(html).toMatch(/<span class="mono">match\.stauts<\/span> unknown field &quot;stauts&quot;.*did you mean &quot;status&quot;/);
    expect(html).toContain('&quot;2 weeks&quot; is not a duration like 30m, 2h or 1d');
    expect(html).toMatch(/<span class="mono">comment<\/span> is required/);
    expect(html).toContain('>stauts=failed</textarea>');
    const bad = await browser.post('/silences', { match: 'status', duration: '1h', comment: 'x', createdBy: 'alice' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('&quot;status&quot; is not field=value');
    expect(await browser.page('/silences')).toContain('No silence yet.');
  });

  it('creates a silence that suppresses the matching failure; the pages name it', async () => {
    const res = await browser.post('/silences', {
      match: 'status=failed\ncustomerRef=ACME',
      duration: '10m',
      comment: 'Colt incident <b>4711</b>',
      createdBy: 'alice',
    });
    expect(res.status).toBe(303);
    const location = res.headers.get('location')!;
    expect(location).toMatch(/^\/silences\?done=silenced#s-[0-9a-f-]{36}$/);
    silenceId = location.split('#s-')[1]!;
    const list = await browser.page('/silences?done=silenced');
    expect(list).toContain('Silence created');
    expect(list).toContain(`id="s-${silenceId}"`);
    expect(list).toContain('status=failed customerRef=ACME');
    expect(list).toContain('Colt incident &lt;b&gt;4711&lt;/b&gt;');
    expect(list).toContain(`action="/silences/${silenceId}/expire"`);

    const { orderId, eventId } = await failure();
    expect(peerGot(orderId)).toBe(0);
    const named = `suppressed by silence <a href="/silences#s-${silenceId}">Colt incident &lt;b&gt;4711&lt;/b&gt;</a> <span class="muted">(every channel)</span>`;
    expect(await browser.page(`/orders/${orderId}`)).toContain(named);
    expect(await browser.page(`/events/${eventId}`)).toContain(named);
    expect(await browser.page('/deliveries?status=suppressed')).toContain(named);
    expect(await browser.page('/silences')).toMatch(new RegExp(`id="s-${silenceId}"[\\s\\S]*?<td class="num">2</td>`));
  });

  it('Expire ends it at once: the next failure reaches the webhook peer', async () => {
    const res = await browser.post(`/silences/${silenceId}/expire`, {});
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/silences?done=expired#s-${silenceId}`);
    const list = await browser.page('/silences?done=expired');
    expect(list).toContain('Silence expired');
    expect(list).toContain('expired by hand');
    expect(list).not.toContain(`action="/silences/${silenceId}/expire"`);
    const { orderId } = await failure();
    expect(peerGot(orderId)).toBe(1);

    const again = await browser.post(`/silences/${silenceId}/expire`, {});
    expect(again.headers.get('location')).toBe(`/silences?done=already-ended#s-${silenceId}`);
    expect((await browser.post('/silences/01900000-0000-7000-8000-000000000000/expire', {})).status).toBe(404);
  });

  it('the form picks channels: a silence of oss holds the webhook back while the log still gets the event', async () => {
    const form = await browser.page('/silences');
    for (const name of ['oss', 'partner', 'ops-slack', 'noc-email', 'console']) {
      expect(form).toContain(`<input type="checkbox" name="channels[]" value="${name}"/> ${name}`);
    }
    // A name the rules do not define (a forged or stale form) is refused, naming the known ones; ticks are kept.
    const bad = await browser.post('/silences', { match: 'status=failed', duration: '1h', comment: 'x', createdBy: 'alice', 'channels[]': 'pager' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('unknown channel &quot;pager&quot;; the rules define: oss, partner, ops-slack, noc-email, console');

    const res = await browser.post('/silences', [
      ['match', 'status=failed'],
      ['duration', '1h'],
      ['comment', 'OSS migration'],
      ['createdBy', 'alice'],
      ['channels[]', 'oss'],
    ]);
    expect(res.status).toBe(303);
    const id = res.headers.get('location')!.split('#s-')[1]!;
    expect(await browser.page('/silences')).toMatch(new RegExp(`id="s-${id}"><td class="mono small">status=failed</td><td class="small">oss</td>`));

    const { orderId } = await failure();
    expect(peerGot(orderId)).toBe(0);
    const order = await browser.page(`/orders/${orderId}`);
    expect(order).toContain(`suppressed by silence <a href="/silences#s-${id}">OSS migration</a> <span class="muted">(on oss only)</span>`);
    const stored = await h.store.db.select().from(deliveries).where(eq(deliveries.orderId, orderId));
    expect(Object.fromEntries(stored.map((d) => [d.channel, d.status]))).toEqual({ oss: 'suppressed', console: 'delivered' });
    expect((await browser.post(`/silences/${id}/expire`, {})).status).toBe(303);
  });

  it('posts need the CSRF token', async () => {
    const res = await browser.post('/silences', { _csrf: 'forged', match: 'status=failed', duration: '1h', comment: 'x', createdBy: 'mallory' });
    expect(res.status).toBe(403);
    expect(await browser.page('/silences')).not.toContain('mallory');
  });
});
