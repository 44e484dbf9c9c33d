/**
 * What valid rules cannot do with the environment (docs/troubleshooting.md#setup-warnings), as
 * real processes: `colt-relay rules check` says ok (exit 0) and then lists a warning for each
 * channel whose credentials are unset and each `${VAR}` that is set but empty; `serve` logs
 * the very same list at start.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli, startCli, type RunningCli } from '../support/cli.js';

const RULES = `channels:
  ops-slack: { type: slack, channel: C0123456789, text: "\${ALERT_PREFIX}{{orderId}} {{status}}" }
  noc-email: { type: email, to: [noc@example.com] }
  tickets: { type: colt-ticket, severity: Major, ticketType: Order Failure }
  console: { type: log }
rules:
  - name: everything
    notify: [ops-slack, noc-email, tickets, console]
`;
const ENV = { RULES, ALERT_PREFIX: ' ', LOG_LEVEL: 'info' };

const EXPECTED = [
  `channel "ops-slack" (slack): SLACK_BOT_TOKEN is not set; its sends fail until then: set it to the Slack app's bot token (xoxb-…, scope chat:write)`,
  'channel "noc-email" (email): SMTP_URL is not set; its sends fail until then: set it to your mail server URL (smtp://host:587, with the login as its user and password); on Workers set MAIL_API_KEY instead',
  `channel "tickets" (colt-ticket): COLT_TICKET_API_BASE_URL is not set; its sends fail until then: ask Colt for the Trouble Ticket API's base URL (it is not published) and set it`,
  'RULES:2:57  channels.ops-slack.text  ${ALERT_PREFIX} is set but empty: set ALERT_PREFIX to the value this field needs, or write the value in the rules',
];

describe('setup warnings', { timeout: 180_000 }, () => {
  let dir: string;
  let relay: RunningCli | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'colt-relay-setup-warnings-'));
  });
  afterAll(async () => {
    await relay?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('rules check: ok (exit 0), then one warning per unset credential and empty ${VAR}', async () => {
    const res = await runCli(['rules', 'check'], ENV);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('RULES: ok — 4 channels (ops-slack, noc-email, tickets, console), 1 rule\n');
    expect(res.stderr.split('\n').filter(Boolean)).toEqual(EXPECTED.map((w) => `warning: ${w}`));
  });

  it('rules check: the warnings go once the settings are there; colt-ticket then asks for the Colt credentials', async () => {
    const res = await runCli(['rules', 'check'], {
      ...ENV,
      ALERT_PREFIX: '[relay] ',
      SLACK_BOT_TOKEN: 'xoxb-setup-warnings',
      SMTP_URL: 'smtp://127.0.0.1:2525',
      MAIL_FROM: 'relay@example.com',
      COLT_TICKET_API_BASE_URL: 'https://apis.example.com/troubleTicket/v4',
    });
    expect(res.code).toBe(0);
    expect(res.stderr).toBe(
      'warning: channel "tickets" (colt-ticket): COLT_CLIENT_ID/COLT_CLIENT_SECRET are not set; its sends fail until then: tickets use the same OAuth credentials as order lookups: set both\n',
    );
  });

  it('serve logs the same list at start', async () => {
    relay = startCli(['serve'], { ...ENV, DATA_DIR: join(dir, 'data'), PORT: '0', HOST: '127.0.0.1', CALLBACK_TOKEN: 'setup-warnings-callback-token' });
    await vi.waitFor(
      () => {
        if (relay!.child.exitCode !== null) throw new Error(`serve exited:\n${relay!.output()}`);
        expect(relay!.output()).toContain('"msg":"listening"');
      },
      { timeout: 120_000, interval: 200 },
    );
    const warned = relay
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: number; msg: string })
      .filter((entry) => entry.level === 40)
      .map((entry) => entry.msg);
    expect(warned.filter((msg) => EXPECTED.includes(msg))).toEqual(EXPECTED);
  });
});
