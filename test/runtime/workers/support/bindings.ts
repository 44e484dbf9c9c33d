/**
 * The bindings the Workers tests give the Worker, shared by the tests (inside workerd) and
 * the pool's configuration (on Node): the runtime hands the same ones to the handlers it
 * calls itself (a queue consumer), so both must build the same isolate.
 */
import type { PeerUrls } from './peers.js';

export const CALLBACK_TOKEN = 'workers-test-callback-token-0123';

/**
 * Every failed order to Slack and email, everything to the signed webhook. YAML, as a rules
 * file is written: the Worker reads the same text Node does.
 */
export const TEST_RULES = `channels:
  downstream: { type: webhook, url: \${WEBHOOK_URL}, secret: \${WEBHOOK_SECRET} }
  ops-slack: { type: slack, channel: C0WORKERS }
  noc-email: { type: email, to: [noc@example.com] }
rules:
  - name: everything-downstream
    notify: [downstream]
  - name: failures-to-ops
    match: { status: failed }
    notify: [ops-slack, noc-email]
`;

/** Vars and secrets as wrangler would pass them (strings), for a database and the peers. */
export function peerBindings(peers: PeerUrls, databaseUrl: string): Record<string, string> {
  return {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    CALLBACK_TOKEN,
    // The peers listen on 127.0.0.1.
    WEBHOOK_ALLOW_PRIVATE: 'true',
    RULES: TEST_RULES,
    WEBHOOK_URL: peers.webhookUrl,
    WEBHOOK_SECRET: peers.webhookSecret,
    SLACK_BOT_TOKEN: peers.slackToken,
    SLACK_API_URL: peers.slackApiUrl,
    MAIL_API_KEY: peers.mailApiKey,
    MAIL_API_URL: peers.mailApiUrl,
    MAIL_FROM: 'colt-relay <relay@example.com>',
    LOG_LEVEL: 'error',
  };
}
