/**
 * What the tracing tests share (test/e2e/tracing*.e2e.test.ts): a database per store kind, the
 * peers a traced relay talks to (Colt's token and `GET /order`, a signed webhook receiver,
 * Slack, SMTP, an OTLP receiver), the relay's environment, and helpers to read its log lines
 * and the spans received.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { expect } from 'vitest';
import type { StoreKind } from '../../src/store/db.js';
import { startColtApiPeer, type ColtApiPeer } from './colt-api-peer.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';
import { nodeServerEnv } from './relay.js';
import { startSlackPeer, type SlackPeer } from './slack-peer.js';
import { startSmtpPeer, type SmtpPeer } from './smtp-peer.js';
import { createTestStore } from './store.js';
import { startWebhookPeer, type WebhookPeer } from './webhook-peer.js';

export const TOKEN = 'tracing-e2e-callback-token-0123';
export const ADMIN = 'tracing-e2e-admin-token-0123456789';
export const SECRET = `whsec_${Buffer.from('colt-relay-tracing-e2e-key!!!!!').toString('base64')}`;

export interface TracingPeers {
  /** DATA_DIR or DATABASE_URL of this suite's database. */
  db: Record<string, string>;
  colt: ColtApiPeer;
  hook: WebhookPeer;
  otlp: OtlpReceiver;
  slack: SlackPeer;
  smtp: SmtpPeer;
  close(): Promise<void>;
}

/** A fresh database of `kind` (a data folder for PGlite) and every peer. */
export async function startTracingPeers(kind: StoreKind): Promise<TracingPeers> {
  const database = async (): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }> => {
    if (kind === 'pglite') {
      const dir = await mkdtemp(path.join(tmpdir(), 'colt-relay-tracing-'));
      return { env: { DATA_DIR: dir }, cleanup: () => rm(dir, { recursive: true, force: true }) };
    }
    const store = await createTestStore('postgres');
    return { env: { DATABASE_URL: store.url! }, cleanup: () => store.close() };
  };
  const [db, colt, hook, otlp, slack, smtp] = await Promise.all([
    database(),
    startColtApiPeer(),
    startWebhookPeer(SECRET),
    startOtlpReceiver(),
    startSlackPeer(),
    startSmtpPeer(),
  ]);
  return {
    db: db.env,
    colt,
    hook,
    otlp,
    slack,
    smtp,
    async close() {
      await Promise.all([colt.close(), hook.close(), otlp.close(), slack.close(), smtp.close()]);
      await db.cleanup();
    },
  };
}

/** The rules: every callback to the webhook `oss` (whose URL holds a token), and with `everyChannel` to Slack and email too. */
export const tracingRules = (hookUrl: string, everyChannel: boolean) => `
channels:
  oss: { type: webhook, url: "${hookUrl}?token=downstream-secret-value", secret: "${SECRET}" }
  ops-slack: { type: slack, channel: C0123456789 }
  noc-email: { type: email, to: [noc@example.com] }
rules:
  - name: everything-to-oss
    notify: [oss${everyChannel ? ', ops-slack, noc-email' : ''}]
`;

/** A traced relay's environment: every peer, enrichment always, debug logs, `extra` on top. */
export function tracingRelayEnv(peers: TracingPeers, extra: Record<string, string> = {}): Record<string, string> {
  return nodeServerEnv({
    ...peers.db,
    CALLBACK_TOKEN: TOKEN,
    ADMIN_TOKEN: ADMIN,
    LOG_LEVEL: 'debug',
    RULES: tracingRules(peers.hook.url, true),
    SLACK_BOT_TOKEN: peers.slack.token,
    SLACK_API_URL: peers.slack.url,
    SMTP_URL: peers.smtp.url,
    MAIL_FROM: 'relay@example.com',
    WEBHOOK_ALLOW_PRIVATE: 'true',
    ENRICH: 'always',
    COLT_CLIENT_ID: peers.colt.clientId,
    COLT_CLIENT_SECRET: peers.colt.clientSecret,
    COLT_API_BASE_URL: peers.colt.apiBaseUrl,
    COLT_TOKEN_URL: peers.colt.tokenUrl,
    OTEL_EXPORTER_OTLP_ENDPOINT: peers.otlp.endpoint,
    OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20otlp-backend-key',
    ...extra,
  });
}

/** POSTs a callback to the relay on `port` with the suite's token. */
export function postCallback(port: number, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/callbacks/colt`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}`, ...headers },
    body: JSON.stringify(body),
  });
}

/** Every JSON log line a relay writes. */
export function logCapture(): { stream: Writable; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { stream, lines };
}

/** Polls `check` (other processes and real sockets: no clock to drive). */
export async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The one span named `name`; fails unless there is exactly one. */
export function byName(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const found = spans.filter((s) => s.name === name);
  expect(found.map((s) => s.name), `one span named ${name}`).toEqual([name]);
  return found[0]!;
}
