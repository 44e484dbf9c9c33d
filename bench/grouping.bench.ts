/**
 * Grouping (docs/design.md#grouping) as users run it: a burst of failed-order callbacks through the compiled
 * `colt-relay serve` process (Postgres), with the Slack Web API stand-in and a real SMTP
 * server as peers, under a rule that groups by customer against the same burst without
 * grouping, in the same run: messages sent, and time from the first callback to the last
 * message of each channel.
 *
 *   npm run build && npm run bench:grouping     # BENCH_DATABASE_URL or TEST_DATABASE_URL, else local Postgres
 *   BENCH_CALLBACKS=1000 BENCH_CUSTOMERS=10 BENCH_WAIT=5s npm run bench:grouping
 *
 * Slack is paced to one message per second per channel (the dispatcher's default), so 1,000
 * ungrouped Slack messages take ≈ 17 minutes: the ungrouped run waits for every email,
 * counts the Slack messages sent by then and projects the rest at the measured rate (the
 * table says "projected"). BENCH_SLACK_FULL=1 waits for every Slack message instead.
 */
import { assertBuilt, BENCH_TOKEN, startRelay } from './relay-process.js';
import { createBenchDatabase } from './support.js';
import { startSlackPeer, type SlackPeer } from '../test/support/slack-peer.js';
import { startSmtpPeer, type SmtpPeer } from '../test/support/smtp-peer.js';

const CALLBACKS = Number(process.env.BENCH_CALLBACKS ?? 1000);
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 10);
const WAIT = process.env.BENCH_WAIT ?? '5s';
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 25);
const SLACK_FULL = process.env.BENCH_SLACK_FULL === '1';
/** Longest wait for a variant's messages. */
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? (SLACK_FULL ? 1_500_000 : 300_000));

const rules = (grouped: boolean) => `
channels:
  ops-slack: { type: slack, channel: C0BENCH }
  noc-email: { type: email, to: [noc@example.com] }
rules:
  - name: failures-to-ops
    match: { status: failed }
    notify: [ops-slack, noc-email]
${grouped ? `    group: { by: [customerRef], wait: ${WAIT} }\n` : ''}`;

interface Outcome {
  variant: string;
  postS: number;
  slack: number;
  /** Slack messages actually sent when the run stopped (the projection's base). */
  slackSent: number;
  slackSentAtS: number;
  email: number;
  /** Seconds from the first callback to the last Slack message (or the projection). */
  lastSlackS: number;
  slackProjected: boolean;
  lastEmailS: number;
}

/** Posts the burst, CONCURRENCY at a time; resolves when every callback was answered 200. */
async function burst(port: number, tag: string): Promise<void> {
  let next = 0;
  const post = async () => {
    while (next < CALLBACKS) {
      const n = next++;
      const res = await fetch(`http://127.0.0.1:${port}/callbacks/colt`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${BENCH_TOKEN}` },
        body: JSON.stringify({
          orderId: `IN-ORD-${tag}-${n}`,
          status: 'failed',
          orderType: 'Number Activation',
          customerRef: `CUST-${n % CUSTOMERS}`,
        }),
      });
      if (res.status !== 200) throw new Error(`callback ${n}: HTTP ${res.status} ${await res.text()}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, post));
}

async function run(variant: 'grouped' | 'ungrouped', slack: SlackPeer, smtp: SmtpPeer): Promise<Outcome> {
  slack.messages.clear();
  smtp.messages.length = 0;
  const db = await createBenchDatabase();
  const relay = await startRelay({
    env: {
      DATABASE_URL: db.url,
      RULES: rules(variant === 'grouped'),
      SMTP_URL: smtp.url,
      MAIL_FROM: 'relay@example.com',
      SLACK_BOT_TOKEN: slack.token,
      SLACK_API_URL: slack.url,
      LOG_LEVEL: 'warn',
    },
  });
  try {
    const expected = variant === 'grouped' ? CUSTOMERS : CALLBACKS;
    const started = performance.now();
    const since = () => (performance.now() - started) / 1000;
    await burst(relay.port, variant);
    const postS = since();
    let lastSlackS = Number.NaN;
    let lastEmailS = Number.NaN;
    for (;;) {
      if (Number.isNaN(lastSlackS) && slack.messages.size >= expected) lastSlackS = since();
      if (Number.isNaN(lastEmailS) && smtp.messages.length >= expected) lastEmailS = since();
      const slackDone = !Number.isNaN(lastSlackS) || (variant === 'ungrouped' && !SLACK_FULL && !Number.isNaN(lastEmailS));
      if (slackDone && !Number.isNaN(lastEmailS)) break;
      if (since() * 1000 > TIMEOUT_MS) {
        throw new Error(`${variant}: ${slack.messages.size} Slack messages and ${smtp.messages.length} emails after ${since().toFixed(0)} s (expected ${expected} each)`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const sentSlack = slack.messages.size;
    const sentAtS = since();
    let slackProjected = false;
    if (Number.isNaN(lastSlackS)) {
      // Paced: project the rest at the rate measured so far.
      const rate = sentSlack / since();
      lastSlackS = since() + (expected - sentSlack) / rate;
      slackProjected = true;
    }
    // Nothing more may arrive: each group is one message.
    await new Promise((r) => setTimeout(r, variant === 'grouped' ? 2_000 : 0));
    return {
      variant,
      postS,
      slack: slackProjected ? expected : slack.messages.size,
      slackSent: sentSlack,
      slackSentAtS: sentAtS,
      email: smtp.messages.length,
      lastSlackS,
      slackProjected,
      lastEmailS,
    };
  } finally {
    await relay.stop();
    await db.drop();
  }
}

async function main(): Promise<void> {
  assertBuilt();
  const [slack, smtp] = await Promise.all([startSlackPeer(), startSmtpPeer()]);
  try {
    const grouped = await run('grouped', slack, smtp);
    console.error(`grouped: ${grouped.slack} Slack, ${grouped.email} emails`);
    const ungrouped = await run('ungrouped', slack, smtp);
    const rows = [grouped, ungrouped].map((o) => ({
      variant: o.variant === 'grouped' ? `grouped (by customerRef, wait ${WAIT})` : 'ungrouped',
      callbacks: CALLBACKS,
      'posted in (s)': o.postS.toFixed(1),
      'Slack messages': o.slackProjected ? `${o.slack} (${o.slackSent} sent in ${o.slackSentAtS.toFixed(0)} s)` : o.slack,
      emails: o.email,
      'first callback → last Slack message (s)': o.slackProjected ? `≈ ${o.lastSlackS.toFixed(0)} (projected)` : o.lastSlackS.toFixed(1),
      'first callback → last email (s)': o.lastEmailS.toFixed(1),
    }));
    console.log(`\ngrouping: ${CALLBACKS} failed callbacks for ${CUSTOMERS} customers, ${CONCURRENCY} at a time; colt-relay serve on Postgres; Slack stand-in (paced 1 msg/s) + SMTP server`);
    console.table(rows);
    if (ungrouped.slackProjected) {
      console.log('Slack (ungrouped) projected from the rate measured until the last email: the dispatcher sends ≈ 1 Slack message/s per channel; BENCH_SLACK_FULL=1 measures it.');
    }
  } finally {
    await Promise.all([slack.close(), smtp.close()]);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
