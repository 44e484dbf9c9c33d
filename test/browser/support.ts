/**
 * What the browser tests share: Debian's chromium (failing, never skipping, without it), a
 * real relay (Postgres when TEST_DATABASE_URL is set, else a PGlite folder) whose rules send
 * failures to a loopback webhook receiver, and a logged-in page that records console errors.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createSilentLogger } from '../../src/lib/logger.js';
import { startNodeServer, type RunningNode } from '../../src/runtime/node/server.js';
import { createTestStore, TEST_DATABASE_URL } from '../support/store.js';
import { startWebhookPeer, type WebhookPeer } from '../support/webhook-peer.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
/** The webhook peer's signing secret, for rules a test writes. */
export const WEBHOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

const rules = (peerUrl: string) => `
channels:
  oss: { type: webhook, url: "${peerUrl}", secret: ${WEBHOOK_SECRET} }
  console: { type: log }
rules:
  - name: failures-to-oss
    match: { status: failed }
    notify: [oss]
  - name: everything-to-log
    notify: [console]
`;

export interface BrowserRelay {
  peer: WebhookPeer;
  relay: RunningNode;
  /** `http://127.0.0.1:<port>` */
  base: string;
  stop(): Promise<void>;
}

/** What a browser test may change about its relay. */
export interface BrowserRelayOptions {
  /** The rules, given the webhook peer's URL. @default failures-to-oss and everything-to-log */
  rules?: (peerUrl: string) => string;
  /** More environment (a Slack stand-in's SLACK_API_URL…). */
  env?: Record<string, string>;
}

/** A relay on a real port with the dashboard on (ADMIN_TOKEN) and the failures-to-oss rule. */
export async function startBrowserRelay(
  tokens: { admin: string; callback: string },
  folderPrefix: string,
  options: BrowserRelayOptions = {},
): Promise<BrowserRelay> {
  const peer = await startWebhookPeer(WEBHOOK_SECRET);
  let database: Record<string, string>;
  let cleanup: () => Promise<void>;
  if (TEST_DATABASE_URL) {
    const store = await createTestStore('postgres');
    database = { DATABASE_URL: store.url! };
    cleanup = () => store.close();
  } else {
    const dir = await mkdtemp(path.join(tmpdir(), folderPrefix));
    database = { DATA_DIR: dir };
    cleanup = () => rm(dir, { recursive: true, force: true });
  }
  const relay = await startNodeServer({
    env: {
      PORT: '0',
      HOST: '127.0.0.1',
      ADMIN_TOKEN: tokens.admin,
      CALLBACK_TOKEN: tokens.callback,
      RULES: (options.rules ?? rules)(peer.url),
      WEBHOOK_ALLOW_PRIVATE: 'true',
      LOG_LEVEL: 'silent',
      ...database,
      ...options.env,
    },
    logger: createSilentLogger(),
  });
  return {
    peer,
    relay,
    base: `http://127.0.0.1:${relay.port}`,
    stop: async () => {
      await relay.stop();
      await cleanup();
      await peer.close();
    },
  };
}

/** Launches chromium; throws, naming the fix, when it is not installed (the test fails rather than skips). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`chromium is not installed at ${CHROMIUM}: run \`apt-get install chromium\` (the browser test fails rather than skips)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** A page (1280×900 unless given: 375×740 is a phone), and the console errors and page errors it reports. */
export async function newPage(browser: Browser, viewport = { width: 1280, height: 900 }): Promise<{ page: Page; problems: string[] }> {
  const page = await (await browser.newContext({ viewport })).newPage();
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  return { page, problems };
}
