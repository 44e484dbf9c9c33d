/**
 * The channels table and the dry run on /rules as an operator reads them, against the real
 * Slack channel (Slack stand-in) and two webhooks on one origin (loopback receiver): each
 * channel by name with where it sends (the two webhooks told apart, no secret), its health
 * from its last outcomes (a Slack channel_not_found is a permanent error, never a green ok;
 * a 503 is "failing since"; a disable says who and why), Disable behind a confirmation, and
 * a dry run that says which channel would be held and why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackPeer, type SlackPeer } from '../../support/slack-peer.js';
import { STORE_KINDS } from '../../support/store.js';
import { createBrowser, createDashboardHarness, WEBHOOK_SECRET, type Browser, type DashboardHarness } from './support.js';

const rules = (peerUrl: string) => {
  const origin = new URL(peerUrl).origin;
  return `
channels:
  oss: { type: webhook, url: "${origin}/oss/hook", secret: ${WEBHOOK_SECRET} }
  crm: { type: webhook, url: "${origin}/crm/hook?key=crm-query-secret-991", secret: ${WEBHOOK_SECRET} }
  sales-slack: { type: slack, channel: C0SALES01 }
  noc-email: { type: email, to: [noc@example.com, oncall@example.com], cc: [lead@example.com] }
rules:
  - name: failures
    match: { status: failed }
    notify: [oss, crm, sales-slack]
`;
};

/** The channels table row of `name`. */
const rowOf = (html: string, name: string) => {
  const start = html.indexOf(`<tr id="c-${name}">`);
  expect(start, `row of ${name}`).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</tr>', start));
};

describe.each(STORE_KINDS)('the channels table and dry run on %s', (kind) => {
  let h: DashboardHarness;
  let slack: SlackPeer;
  let browser: Browser;
  let n = 0;

  beforeAll(async () => {
    slack = await startSlackPeer({ token: 'xoxb-dashboard-slack-secret-4411' });
    h = await createDashboardHarness(kind, { rules, env: { SLACK_API_URL: slack.url } });
    browser = createBrowser(h.app);
    await browser.login();
  });
  afterAll(async () => {
    await h?.close();
    await slack?.close();
  });

  const failure = async () => {
    await h.callback({ orderId: `IN-CH-${++n}`, orderStatus: 'Failed', orderType: 'Number Activation' });
    await h.writer.drain();
    for (let i = 0; i < 5; i++) {
      h.clock.advance(1_100); // Slack's pace: one message a second
      if ((await h.pipeline.dispatcher.tick()).idle) break;
    }
  };

  it('shows each channel by name with where it sends: two webhooks on one origin told apart, no secret', async () => {
    const html = await browser.page('/rules');
    const origin = new URL(h.peer.url).origin;
    expect(rowOf(html, 'oss')).toContain(`${origin}/oss/… · signed`);
    expect(rowOf(html, 'crm')).toContain(`${origin}/crm/… · signed`);
    expect(html).not.toContain('crm-query-secret-991');
    expect(rowOf(html, 'sales-slack')).toContain('Slack channel C0SALES01');
    expect(rowOf(html, 'noc-email')).toContain('to noc@example.com, oncall@example.com · cc lead@example.com');
    for (const name of ['oss', 'crm', 'sales-slack', 'noc-email']) expect(rowOf(html, name)).toContain('<span class="badge">no sends yet</span>');
  });

  it('a Slack channel_not_found is a permanent error, not ok; the webhooks that delivered are ok', async () => {
    slack.failNext('chat.postMessage', { error: 'channel_not_found' });
    await failure();
    const html = await browser.page('/rules');
    const sales = rowOf(html, 'sales-slack');
    expect(sales).toContain('<span class="badge b-dead">permanent error</span>');
    expect(sales).toContain('channel_not_found');
    expect(sales).toContain('retrying will not help until it is fixed');
    expect(sales).not.toContain('>ok<');
    expect(rowOf(html, 'oss')).toContain('<span class="badge b-delivered">ok</span>');
    // The next send works: the channel is ok again.
    await failure();
    expect(rowOf(await browser.page('/rules'), 'sales-slack')).toContain('<span class="badge b-delivered">ok</span>');
  });

  it('a receiver answering 503 is "failing since", with the last error', async () => {
    h.peer.setDefault({ status: 503, body: 'maintenance' });
    await failure();
    h.peer.setDefault({ status: 200, body: '{}' });
    const oss = rowOf(await browser.page('/rules'), 'oss');
    expect(oss).toContain('<span class="badge b-retrying">failing</span>');
    expect(oss).toMatch(/failing since \d{4}-\d{2}-\d{2} [\d:]+Z, 1 in a row: HTTP 503/);
  });

  it('Disable sits behind a confirmation; a disabled channel says who and why, and offers Enable', async () => {
    const before = await browser.page('/rules');
    expect(before).not.toContain('class="danger"><');
    expect(rowOf(before, 'crm')).toMatch(/<details class="confirm"><summary>Disable…<\/summary><form method="post" action="\/channels\/crm\/disable"/);
    expect((await browser.post('/channels/crm/disable', { reason: 'CRM migration' })).status).toBe(303);
    const crm = rowOf(await browser.page('/rules'), 'crm');
    expect(crm).toContain('<span class="badge b-disabled">disabled</span>');
    expect(crm).toMatch(/disabled by an operator \(for \d+ s\): CRM migration/);
    expect(crm).toContain('action="/channels/crm/enable"');
  });

  it('the dry run says which channel would be held and why', async () => {
    const silenced = await browser.post('/silences', [
      ['match', 'status=failed'],
      ['duration', '1h'],
      ['comment', 'Sales Slack noise'],
      ['createdBy', 'alice'],
      ['channels[]', 'sales-slack'],
    ]);
    expect(silenced.status).toBe(303);
    await browser.page('/rules');
    const res = await browser.post('/rules/dry-run', { callback: JSON.stringify({ orderId: 'IN-DRY-1', orderStatus: 'Failed' }) });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('oss, crm (held: channel disabled), sales-slack (held: silenced)');
    expect(html).toContain('<b>would be held: channel disabled</b> · channel disabled by an operator: CRM migration; held until it is enabled');
    expect(html).toMatch(/<b>would be held: silenced<\/b> · silenced by &quot;Sales Slack noise&quot; \(on sales-slack\) until [\dT:-]+Z: recorded as suppressed, not sent/);
    expect(html).toMatch(/<strong>oss<\/strong>.*<span class="badge b-delivered">sent at once<\/span>/);
    await browser.post('/channels/crm/enable', {});
  });
});
