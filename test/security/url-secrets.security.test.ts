/**
 * Credentials inside URL settings are secrets (issue 25, finding 7): every URL setting is given
 * a user name and password, the real `colt-relay serve` process runs a failed activation through
 * enrichment (which fails: fetch refuses a URL with credentials, and its error quotes the URL),
 * Slack, email, a webhook and a Colt ticket, and every output is searched for the passwords:
 * the process's log, the admin API's answers, the dashboard's pages, and what the webhook, Slack
 * and SMTP peers received. Twice: with every URL carrying credentials (Slack and email fail, their
 * errors are searched), and with Slack's and the SMTP server's clean (their messages are searched).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, type RunningCli } from '../support/cli.js';
import { startSlackPeer, type SlackPeer } from '../support/slack-peer.js';
import { startSmtpPeer, type SmtpPeer } from '../support/smtp-peer.js';
import { createTestStore, STORE_KINDS, type TestStore } from '../support/store.js';
import { startWebhookPeer, type WebhookPeer } from '../support/webhook-peer.js';

const CALLBACK_TOKEN = 'url-secrets-callback-token-0123';
const ADMIN_TOKEN = 'url-secrets-admin-token-01234567';
const HOOK_SECRET = `whsec_${Buffer.from('url-secrets-webhook-signing-key!').toString('base64')}`;
/** Every password contains this; none of the outputs may. */
const MARK = 'Pw0rdLeak';
/** A password for `name`, as written in a URL (`%21` is `!`) and as it reads decoded. */
const password = (name: string) => ({ encoded: `${MARK}%21${name}`, decoded: `${MARK}!${name}` });

const RULES = (hookUrl: string) => `
channels:
  hook: { type: webhook, url: "${hookUrl}", secret: \${HOOK_SECRET} }
  ops-slack: { type: slack, channel: "#ops" }
  ops-mail: { type: email, to: [ops@example.com] }
  tickets: { type: colt-ticket, severity: Major, ticketType: Order Failure }
rules:
  - name: failures-everywhere
    match: { status: failed }
    notify: [hook, ops-slack, ops-mail, tickets]
`;

interface Peers {
  hook: WebhookPeer;
  slack: SlackPeer;
  smtp: SmtpPeer;
}

/** `url` with `user:<password of name>@` inserted after the scheme. */
const withCredentials = (url: string, name: string, user = `relay-${name.toLowerCase()}`) => url.replace('://', `://${user}:${password(name).encoded}@`);

/** The environment of a relay whose URL settings carry credentials (Slack's and SMTP's only when `transportsToo`). */
function relayEnv(store: TestStore, peers: Peers, transportsToo: boolean): Record<string, string> {
  const closed = 'http://127.0.0.1:9'; // never reached: fetch refuses a URL with credentials first
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'debug',
    CALLBACK_TOKEN,
    ADMIN_TOKEN,
    HOOK_SECRET,
    RULES: RULES(peers.hook.url),
    WEBHOOK_ALLOW_PRIVATE: 'true',
    ENRICH: 'always',
    ENRICH_MAX_WAIT: '1s',
    COLT_CLIENT_ID: 'url-secrets-client',
    COLT_CLIENT_SECRET: 'url-secrets-client-secret-0123',
    // The test server trusts local connections: the password is sent and ignored.
    DATABASE_URL: withCredentials(store.url!.replace(/\/\/[^@/]*@/, '//'), 'DATABASE_URL', 'postgres'),
    COLT_API_BASE_URL: withCredentials(`${closed}/numberManagement/inbound/v1`, 'COLT_API_BASE_URL'),
    COLT_TOKEN_URL: withCredentials(`${closed}/authentication/v1/oauth/token`, 'COLT_TOKEN_URL'),
    COLT_TICKET_API_BASE_URL: withCredentials(`${closed}/tmf-api/troubleTicket/v4`, 'COLT_TICKET_API_BASE_URL'),
    MAIL_API_URL: withCredentials('https://api.mail.example.com/emails', 'MAIL_API_URL'),
    PUBLIC_URL: withCredentials('https://relay.example.com', 'PUBLIC_URL'),
    SLACK_BOT_TOKEN: peers.slack.token,
    SLACK_API_URL: transportsToo ? withCredentials(peers.slack.url, 'SLACK_API_URL') : peers.slack.url,
    SMTP_URL: transportsToo ? withCredentials(peers.smtp.url, 'SMTP_URL') : peers.smtp.url,
    MAIL_FROM: 'relay@example.com',
  };
}

/** Where each password shows up in `text`, by variable name (encoded or decoded form). */
function leaks(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(new RegExp(`${MARK}(?:%21|!)([A-Z_]+)`, 'g'))) found.add(match[1]!);
  return [...found].sort();
}

/** The relay's base URL once it logs "listening" and answers /readyz 200. */
async function listening(relay: RunningCli): Promise<string> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (relay.child.exitCode !== null) throw new Error(`relay exited ${relay.child.exitCode}:\n${relay.output()}`);
    const port = /"port":(\d+)[^\n]*"msg":"listening"/.exec(relay.output())?.[1];
    if (port && (await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0)) === 200) return `http://127.0.0.1:${port}`;
    await new Promise((r) => setTimeout(r, 100)); // another process: no clock to drive
  }
  throw new Error(`relay not ready after 120 s:\n${relay.output()}`);
}

/** Admin API GET, as text. */
async function api(base: string, path: string): Promise<string> {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  expect(res.status, path).toBe(200);
  return res.text();
}

/** The dashboard's pages for one order, signed in through the login form. */
async function dashboard(base: string, orderId: string): Promise<string> {
  const form = await fetch(`${base}/login`);
  const page = await form.text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page)?.[1];
  if (!csrf) throw new Error(`no CSRF field on the login page (${form.status}):\n${page}`);
  const cookie = form.headers.getSetCookie()[0]!.split(';')[0]!;
  const login = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, token: ADMIN_TOKEN, next: '/' }).toString(),
  });
  const session = login.headers.getSetCookie().find((c) => c.startsWith('colt_relay_session='))!.split(';')[0]!;
  const pages = await Promise.all(
    ['/', `/orders/${encodeURIComponent(orderId)}`, '/deliveries', '/rules'].map(async (p) => (await fetch(`${base}${p}`, { headers: { cookie: session } })).text()),
  );
  return pages.join('\n');
}

describe.runIf(STORE_KINDS.includes('postgres'))('URL settings with credentials never show them', () => {
  let peers: Peers;
  beforeAll(async () => {
    peers = { hook: await startWebhookPeer(HOOK_SECRET), slack: await startSlackPeer(), smtp: await startSmtpPeer() };
  });
  afterAll(async () => {
    await Promise.all([peers?.hook.close(), peers?.slack.close(), peers?.smtp.close()]);
  });

  it.each([
    ['every URL setting', true],
    ['every URL setting but Slack’s and SMTP’s (their messages go out)', false],
  ])('%s with a password: nothing in the log, the API, the dashboard or the notifications', async (_, transportsToo) => {
    const store = await createTestStore('postgres');
    const env = relayEnv(store, peers, transportsToo);
    const hooksBefore = peers.hook.requests.length;
    const slackBefore = peers.slack.calls.length;
    const mailsBefore = peers.smtp.messages.length;
    const relay = startCli(['serve'], env);
    try {
      const base = await listening(relay);
      const orderId = `IN-ORD-URLSECRET-${transportsToo ? 'A' : 'B'}`;
      const posted = await fetch(`${base}/callbacks/colt`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${CALLBACK_TOKEN}` },
        body: JSON.stringify({ orderId, orderType: 'Number Activation', orderStatus: 'Failed', reason: 'Address validation failed' }),
      });
      expect(posted.status).toBe(200);

      // Every channel has been tried at least once (the relay runs on its own clock: poll it).
      const deadline = Date.now() + 60_000;
      let deliveries: { channel: string; attempts: number; status: string }[] = [];
      while (Date.now() < deadline) {
        deliveries = ((await (await fetch(`${base}/api/deliveries?orderId=${orderId}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json()) as {
          items: { channel: string; attempts: number; status: string }[];
        }).items;
        if (deliveries.length === 4 && deliveries.every((d) => d.attempts > 0)) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(deliveries.map((d) => d.channel).sort()).toEqual(['hook', 'ops-mail', 'ops-slack', 'tickets']);
      expect(deliveries.every((d) => d.attempts > 0)).toBe(true);

      const order = await api(base, `/api/orders/${orderId}`);
      // The enrichment error is there, quoting the token URL (the first call) without its password.
      expect(order).toMatch(/"enrichError":"[^"]*includes credentials: http:\/\/[^"]*\/authentication\/v1\/oauth\/token/);
      const outputs: Record<string, string> = {
        order,
        events: await api(base, `/api/events?orderId=${orderId}`),
        deliveries: await api(base, `/api/deliveries?orderId=${orderId}`),
        ...Object.fromEntries(
          await Promise.all(deliveries.map(async (d) => [`delivery ${d.channel}`, await api(base, `/api/deliveries/${(d as unknown as { id: string }).id}`)] as const)),
        ),
        channels: await api(base, '/api/channels'),
        rules: await api(base, '/api/rules'),
        dashboard: await dashboard(base, orderId),
        webhook: peers.hook.requests.slice(hooksBefore).map((r) => r.body).join('\n'),
        slack: JSON.stringify(peers.slack.calls.slice(slackBefore)),
        // Decoded too: quoted-printable may break a password across lines of the raw message.
        email: peers.smtp.messages
          .slice(mailsBefore)
          .map((m) => [m.raw, m.subject, m.text, m.html].join('\n'))
          .join('\n'),
      };
      const webhookBody = outputs.webhook!;
      expect(webhookBody).toContain('"detailsMissing":"');
      if (!transportsToo) {
        // The messages went out, with the order's link and why its details are missing.
        expect(outputs.slack).toContain('relay.example.com/orders/');
        expect(outputs.email).toContain('relay.example.com/orders/');
      }
      await relay.stop();
      outputs.log = relay.output();
      expect(outputs.log).toContain('enrichment given up');
      const found = Object.fromEntries(Object.entries(outputs).map(([where, text]) => [where, leaks(text)]).filter(([, names]) => names!.length > 0));
      expect(found).toEqual({});
    } finally {
      await relay.stop();
      await store.close();
    }
  }, 180_000);

  it('colt-relay migrate says nothing of the passwords either, working or failing', async () => {
    const store = await createTestStore('postgres');
    try {
      const env = relayEnv(store, peers, true);
      const migrate = await runCli(['migrate'], env);
      expect(migrate.code).toBe(0);
      const broken = await runCli(['migrate'], { ...env, DATABASE_URL: env.DATABASE_URL!.replace(/@127\.0\.0\.1:\d+/, '@127.0.0.1:9') });
      expect(broken.code).toBe(1);
      expect(leaks(migrate.stdout + migrate.stderr + broken.stdout + broken.stderr)).toEqual([]);
    } finally {
      await store.close();
    }
  }, 120_000);
});
