/**
 * Muting a known incident in a real browser against a real relay (docs/design.md#notification-controls): create a
 * silence of the webhook channel on /silences, see on the order page the failure's webhook
 * suppressed (naming the silence and its scope) while the log channel still gets it, follow
 * the link, expire it (behind a confirmation), and see the next failure delivered to the
 * webhook receiver. Writes screenshots to test/browser/screenshots/out/ (not committed).
 *
 * Needs Debian's chromium at /usr/bin/chromium (`apt-get install chromium`): without it the
 * test FAILS, it does not skip. Run with `npm run test:browser`.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDeliveries } from '../../src/store/admin.repo.js';
import type { RunningNode } from '../../src/runtime/node/server.js';
import type { WebhookPeer } from '../support/webhook-peer.js';
import { launchChromium, newPage, startBrowserRelay, type BrowserRelay } from './support.js';

const SCREENSHOT = fileURLToPath(new URL('./screenshots/out/dashboard-silenced-order.png', import.meta.url));
const LIST_SCREENSHOT = fileURLToPath(new URL('./screenshots/out/dashboard-silences.png', import.meta.url));

const ADMIN_TOKEN = 'browser-silence-admin-token-5d2e8b';
const CALLBACK_TOKEN = 'browser-silence-callback-token-9a4c';

describe('silences in a real browser', () => {
  let running: BrowserRelay;
  let peer: WebhookPeer;
  let relay: RunningNode;
  let base: string;

  /** Drives the dispatcher until the order's webhook delivery reaches `status` (the relay's own loop runs too). */
  const settle = async (orderId: string, status: string) => {
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; ) {
      await relay.pipeline.pipeline.dispatcher.tick();
      const { items } = await listDeliveries(relay.store.db, { channel: 'oss', orderId });
      if (items.length === 1 && items[0]!.status === status) return items[0]!;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`the oss delivery of ${orderId} did not become ${status}`);
  };

  const failure = async (orderId: string) => {
    const res = await fetch(`${base}/callbacks/colt`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${CALLBACK_TOKEN}` },
      body: JSON.stringify({ orderId, orderType: 'Number Activation', orderStatus: 'Failed', customerRef: 'ACME-UK-0042', reason: 'Colt outage' }),
    });
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    running = await startBrowserRelay({ admin: ADMIN_TOKEN, callback: CALLBACK_TOKEN }, 'colt-relay-browser-silence-');
    ({ peer, relay, base } = running);
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('creates a silence, sees the failure suppressed naming it, expires it, and the next failure is delivered', async () => {
    const browser = await launchChromium();
    try {
      const { page, problems } = await newPage(browser);

      await page.goto(`${base}/login`);
      await page.fill('#token', ADMIN_TOKEN);
      await Promise.all([page.waitForURL(`${base}/`), page.click('button:has-text("Log in")')]);

      // Colt has an incident: silence ACME's failures for two hours.
      await Promise.all([page.waitForURL(`${base}/silences`), page.click('nav.main >> text=Silences')]);
      await page.fill('#silence-match', 'status=failed\ncustomerRef=ACME-UK-0042');
      await page.fill('input[name=duration]', '2h');
      await page.fill('input[name=comment]', 'Colt incident 4711');
      await page.fill('input[name=createdBy]', 'alice');
      // Only the webhook: the relay's log keeps every event.
      await page.check('input[name="channels[]"][value=oss]');
      await Promise.all([page.waitForURL(/\/silences\?done=silenced/), page.click('button:has-text("Silence")')]);
      expect(await page.textContent('.flash')).toContain('Silence created');
      const row = page.locator('tr', { hasText: 'Colt incident 4711' });
      expect(await row.textContent()).toContain('status=failed customerRef=ACME-UK-0042');
      expect(await row.locator('td').nth(1).textContent()).toBe('oss');
      const silenceId = (await row.getAttribute('id'))!.replace(/^s-/, '');

      // A failure during the incident: recorded, not sent, and the order page says why.
      await failure('IN-ORD-SIL-1');
      expect((await settle('IN-ORD-SIL-1', 'suppressed')).silenceId).toBe(silenceId);
      expect(peer.requests).toHaveLength(0);
      await page.goto(`${base}/orders/IN-ORD-SIL-1`);
      const card = page.locator('.delivery', { hasText: 'failures-to-oss' });
      expect(await card.locator('.head .badge').first().textContent()).toBe('suppressed');
      expect(await card.locator('.silenced').textContent()).toBe('suppressed by silence Colt incident 4711 (on oss only)');
      expect(await page.locator('.delivery', { hasText: 'everything-to-log' }).locator('.head .badge').first().textContent()).toBe('delivered');
      await mkdir(path.dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });

      // The incident is over: follow the link to the silence and expire it.
      await Promise.all([page.waitForURL(`${base}/silences#s-${silenceId}`), card.locator('.silenced a').click()]);
      // Expire sits behind a confirmation: the first click only opens it.
      await page.locator(`#s-${silenceId} summary:has-text("Expire")`).click();
      await Promise.all([page.waitForURL(/done=expired/), page.locator(`#s-${silenceId} button:has-text("Expire now")`).click()]);
      expect(await page.textContent('.flash')).toContain('Silence expired');
      expect(await page.locator(`#s-${silenceId}`).textContent()).toContain('expired by hand');
      expect(await page.locator(`#s-${silenceId} button`).count()).toBe(0);
      await page.screenshot({ path: LIST_SCREENSHOT, fullPage: true });

      await failure('IN-ORD-SIL-2');
      await settle('IN-ORD-SIL-2', 'delivered');
      expect(peer.requests).toHaveLength(1);
      expect(peer.requests[0]).toMatchObject({ verified: true, payload: { data: { orderId: 'IN-ORD-SIL-2' } } });
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
