/**
 * The operator's 2 a.m. path in a real browser against a real relay: log in, find the
 * failed order, read why its notification died, retry it, see it delivered. Also writes
 * screenshots to test/browser/screenshots/out/, or over the committed ones in
 * test/browser/screenshots/ (the README shows them) with UPDATE_SCREENSHOTS=1.
 *
 * Needs Debian's chromium at /usr/bin/chromium (`apt-get install chromium`): without it the
 * test FAILS, it does not skip. Run with `npm run test:browser`.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningNode } from '../../src/runtime/node/server.js';
import { getDelivery, listDeliveries } from '../../src/store/admin.repo.js';
import type { WebhookPeer } from '../support/webhook-peer.js';
import { launchChromium, newPage, startBrowserRelay, type BrowserRelay } from './support.js';

// The committed screenshots (the README shows them) change only on purpose: UPDATE_SCREENSHOTS=1.
// Otherwise they go to screenshots/out/ (gitignored) for a look after the run.
const SCREENSHOT_DIR = process.env.UPDATE_SCREENSHOTS === '1' ? './screenshots/' : './screenshots/out/';
const SCREENSHOT = fileURLToPath(new URL(`${SCREENSHOT_DIR}dashboard-dead-letter.png`, import.meta.url));
const OVERVIEW_SCREENSHOT = fileURLToPath(new URL(`${SCREENSHOT_DIR}dashboard-overview.png`, import.meta.url));

const ADMIN_TOKEN = 'browser-admin-token-6c1f0e9a7d2b';
const CALLBACK_TOKEN = 'browser-callback-token-3e8a1d';
const ORDER = 'IN-ORD-100235';

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');

describe('dashboard in a real browser', () => {
  let running: BrowserRelay;
  let peer: WebhookPeer;
  let relay: RunningNode;
  let base: string;

  /**
   * Drives the dispatcher with tick() until the delivery reaches `status`. The relay's own loop
   * runs too and may hold the work mid-round, so this checks the outcome, not tick() idleness.
   */
  const settle = async (status: string, channel = 'oss') => {
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
      await relay.pipeline.pipeline.dispatcher.tick();
      const { items } = await listDeliveries(relay.store.db, { channel });
      if (items.length > 0 && items.every((d) => d.status === status)) return items;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`the ${channel} delivery did not become ${status}`);
  };

  const callback = async (body: unknown) => {
    const res = await fetch(`${base}/callbacks/colt`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${CALLBACK_TOKEN}` },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    running = await startBrowserRelay({ admin: ADMIN_TOKEN, callback: CALLBACK_TOKEN }, 'colt-relay-browser-');
    ({ peer, relay, base } = running);
    // The downstream OSS retired its endpoint: 410 Gone is permanent, so the delivery dies
    // on its first attempt and the channel is disabled (docs/design.md#webhook-format).
    peer.setDefault({ status: 410, body: '{"error":"endpoint /hook was retired on 2026-11-01"}' });
    await callback({ orderId: 'IN-ORD-100231', orderType: 'Number Activation', orderStatus: 'Completed', timestamp: minutesAgo(95) });
    await callback({
      orderId: ORDER,
      orderType: 'Number Activation',
      orderStatus: 'Acknowledged',
      customerRef: 'ACME-UK-0042',
      startFullNumber: '+442079460000',
      endFullNumber: '+442079460099',
      timestamp: minutesAgo(42),
    });
    await callback({
      orderId: ORDER,
      orderType: 'Number Activation',
      orderStatus: 'Failed',
      customerRef: 'ACME-UK-0042',
      timestamp: minutesAgo(3),
      code: 'E-4021',
      reason: 'Address validation failed',
      message: 'Emergency address could not be validated for +442079460000',
    });
    await settle('dead');
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('logs in, finds the failed order, reads why the webhook died, retries it and sees it delivered', async () => {
    const [dead] = (await listDeliveries(relay.store.db, { status: 'dead' })).items;
    expect(dead?.channel).toBe('oss');

    const browser = await launchChromium();
    try {
      const { page, problems } = await newPage(browser);

      // Without a session: the login page, nothing else.
      await page.goto(`${base}/`);
      expect(new URL(page.url()).pathname).toBe('/login');
      expect(await page.content()).not.toContain(ORDER);

      await page.fill('#token', ADMIN_TOKEN);
      await Promise.all([page.waitForURL(`${base}/`), page.click('button:has-text("Log in")')]);
      expect(await page.textContent('.stat.bad .v')).toBe('1');
      expect(await page.textContent('section.card:has-text("need attention")')).toContain('HTTP 410 Gone');
      await mkdir(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: OVERVIEW_SCREENSHOT, fullPage: true });

      // Find the order by search and open it.
      await page.click('nav.main >> text=Orders');
      await page.fill('input[name=q]', 'IN-ORD-10023');
      await Promise.all([page.waitForURL(/\/orders\?q=/), page.press('input[name=q]', 'Enter')]);
      await Promise.all([page.waitForURL(`${base}/orders/${ORDER}`), page.click(`a[href="/orders/${ORDER}"]`)]);

      // Why it failed and why the notification died, at the top, as the on-call person reads it.
      const attention = await page.textContent('.attention');
      expect(attention).toContain('Address validation failed');
      expect(attention).toContain('HTTP 410 Gone');
      expect(await page.textContent('.delivery.dead')).toContain('endpoint /hook was retired');
      await page.screenshot({ path: SCREENSHOT, fullPage: true });

      // The receiver is fixed: one click, then the dispatcher sends it.
      peer.setDefault({ status: 200, body: '{"received":true}' });
      await Promise.all([page.waitForURL(/done=enabled-retried/), page.click('.attention button:has-text("retry")')]);
      expect(await page.textContent('.flash')).toContain('retry queued');
      await settle('delivered');
      await page.reload();
      expect(await page.locator('.delivery.dead').count()).toBe(0);
      const oss = page.locator('.delivery', { hasText: 'failures-to-oss' });
      expect(await oss.locator('.head .badge.b-delivered').count()).toBe(1);
      expect((await getDelivery(relay.store.db, dead!.id))?.status).toBe('delivered');
      expect(peer.requests.at(-1)).toMatchObject({ webhookId: dead!.id, verified: true });
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
