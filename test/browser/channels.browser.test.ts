/**
 * The operator's channel answers in a real browser against a real relay, with the Slack channel
 * talking to the Slack stand-in and two webhooks on one origin: the rules page tells the two
 * webhooks apart, shows a Slack channel_not_found as a permanent error (not a green ok), keeps
 * Disable behind a confirmation, and its dry run says which channel would be held and why. On
 * a phone-sized screen every tab of the navigation is in sight and opens its page.
 * Screenshots go to test/browser/screenshots/out/ (UPDATE_SCREENSHOTS=1: test/browser/screenshots/).
 *
 * Needs Debian's chromium at /usr/bin/chromium (`apt-get install chromium`): without it the
 * test FAILS, it does not skip. Run with `npm run test:browser`.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDeliveries } from '../../src/store/admin.repo.js';
import { startSlackPeer, type SlackPeer } from '../support/slack-peer.js';
import { launchChromium, newPage, startBrowserRelay, WEBHOOK_SECRET, type BrowserRelay } from './support.js';

const SCREENSHOT_DIR = process.env.UPDATE_SCREENSHOTS === '1' ? './screenshots/' : './screenshots/out/';
const RULES_SCREENSHOT = fileURLToPath(new URL(`${SCREENSHOT_DIR}dashboard-rules.png`, import.meta.url));
const PHONE_SCREENSHOT = fileURLToPath(new URL(`${SCREENSHOT_DIR}dashboard-phone.png`, import.meta.url));

const ADMIN_TOKEN = 'browser-channels-admin-token-8e1d44';
const CALLBACK_TOKEN = 'browser-channels-callback-token-2b7f';
const SLACK_TOKEN = 'xoxb-browser-channels-slack';
const PHONE = { width: 375, height: 740 };

const rules = (peerUrl: string) => {
  const origin = new URL(peerUrl).origin;
  return `
channels:
  oss: { type: webhook, url: "${origin}/oss/hook", secret: ${WEBHOOK_SECRET} }
  crm: { type: webhook, url: "${origin}/crm/hook", secret: ${WEBHOOK_SECRET} }
  sales-slack: { type: slack, channel: C0SALES01 }
rules:
  - name: failures
    match: { status: failed }
    notify: [oss, crm, sales-slack]
`;
};

describe('channels and the phone layout in a real browser', () => {
  let running: BrowserRelay;
  let slack: SlackPeer;
  let base: string;

  const login = async (page: Page) => {
    await page.goto(`${base}/login`);
    await page.fill('#token', ADMIN_TOKEN);
    await Promise.all([page.waitForURL(`${base}/`), page.click('button:has-text("Log in")')]);
  };

  beforeAll(async () => {
    slack = await startSlackPeer({ token: SLACK_TOKEN });
    running = await startBrowserRelay({ admin: ADMIN_TOKEN, callback: CALLBACK_TOKEN }, 'colt-relay-browser-channels-', {
      rules,
      env: { SLACK_BOT_TOKEN: SLACK_TOKEN, SLACK_API_URL: slack.url },
    });
    base = running.base;
    // The Slack channel was archived: Slack answers channel_not_found, a permanent error.
    slack.failNext('chat.postMessage', { error: 'channel_not_found' });
    const res = await fetch(`${base}/callbacks/colt`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${CALLBACK_TOKEN}` },
      body: JSON.stringify({ orderId: 'IN-ORD-CH-1', orderType: 'Number Activation', orderStatus: 'Failed', reason: 'Address validation failed' }),
    });
    expect(res.status).toBe(200);
    const { relay } = running;
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
      await relay.pipeline.pipeline.dispatcher.tick();
      const { items } = await listDeliveries(relay.store.db, { orderId: 'IN-ORD-CH-1' });
      if (items.length === 3 && items.every((d) => d.status === 'delivered' || d.status === 'dead')) break;
      await new Promise((resolve) => setTimeout(resolve, 25)); // the relay's own loop runs too
    }
  });

  afterAll(async () => {
    await running?.stop();
    await slack?.close();
  });

  it('rules page: targets told apart, a permanent error shown as one, Disable behind a confirmation, held in the dry run', async () => {
    const browser = await launchChromium();
    try {
      const { page, problems } = await newPage(browser);
      await login(page);
      await Promise.all([page.waitForURL(`${base}/rules`), page.click('nav.main >> text=Rules')]);

      const origin = new URL(running.peer.url).origin;
      expect(await page.textContent('#c-oss')).toContain(`${origin}/oss/…`);
      expect(await page.textContent('#c-crm')).toContain(`${origin}/crm/…`);
      expect(await page.textContent('#c-sales-slack .badge')).toBe('permanent error');
      expect(await page.textContent('#c-sales-slack')).toContain('channel_not_found');
      expect(await page.textContent('#c-oss .badge')).toBe('ok');

      // No red button on any row: Disable opens a confirmation first.
      expect(await page.locator('#c-crm button.danger').isVisible()).toBe(false);
      await page.click('#c-crm summary:has-text("Disable")');
      expect(await page.locator('#c-crm button.danger').isVisible()).toBe(true);
      await page.fill('#c-crm input[name=reason]', 'CRM migration');
      await Promise.all([page.waitForURL(/done=disabled/), page.click('#c-crm button:has-text("Disable crm")')]);
      expect(await page.textContent('#c-crm .badge')).toBe('disabled');

      await page.fill('textarea[name=callback]', JSON.stringify({ orderId: 'IN-DRY-1', orderStatus: 'Failed' }));
      await Promise.all([page.waitForURL(/\/rules\/dry-run/), page.click('#dry-run button:has-text("Run")')]);
      const crm = page.locator('.delivery', { hasText: 'crm' });
      expect(await crm.locator('.held').textContent()).toContain('would be held: channel disabled · channel disabled by an operator: CRM migration');
      expect(await page.locator('.delivery', { hasText: 'oss' }).locator('.badge').textContent()).toBe('sent at once');
      await mkdir(path.dirname(RULES_SCREENSHOT), { recursive: true });
      await page.screenshot({ path: RULES_SCREENSHOT, fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('on a phone-sized screen every tab is in sight, not covered, and opens its page', async () => {
    const browser = await launchChromium();
    try {
      const { page, problems } = await newPage(browser, PHONE);
      await login(page);
      const tabs = await page.locator('nav.main a').evaluateAll((links) => links.map((a) => a.getAttribute('href')!));
      expect(tabs).toEqual(['/', '/orders', '/orders/open', '/deliveries', '/deliveries?status=dead', '/rejected', '/silences', '/rules']);
      for (const href of tabs) {
        const link = page.locator(`nav.main a[href="${href}"]`);
        const box = (await link.boundingBox())!;
        expect({ href, left: box.x >= 0, right: box.x + box.width <= PHONE.width }).toEqual({ href, left: true, right: true });
        // Nothing lies over it: the element at its centre is the link (or inside it).
        const onTop = await page.evaluate(
          ({ x, y, h }) => document.elementFromPoint(x, y)?.closest('a')?.getAttribute('href') === h,
          { x: box.x + box.width / 2, y: box.y + box.height / 2, h: href },
        );
        expect({ href, onTop }).toEqual({ href, onTop: true });
        await Promise.all([page.waitForURL((url) => `${url.pathname}${url.search}` === href), link.click({ noWaitAfter: false })]);
        expect(await page.locator('nav.main a.on').getAttribute('href')).toBe(href);
      }
      // No page is wider than the screen (tables scroll inside their card).
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
      await mkdir(path.dirname(PHONE_SCREENSHOT), { recursive: true });
      await page.screenshot({ path: PHONE_SCREENSHOT, fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
