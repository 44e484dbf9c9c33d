/**
 * `colt-relay secret`: a fresh Standard Webhooks secret on stdout and nothing else; the rules
 * accept it as a webhook channel's secret, and a signature the relay makes with it verifies
 * with the `standardwebhooks` package. Real processes.
 */
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { createWebhookSigner } from '../../src/deliver/channels/webhook/signature.js';
import { runCli } from '../support/cli.js';

const RULES = 'channels:\n  oss: { type: webhook, url: "https://oss.example.com/colt", secret: "${HOOK_SECRET}" }\nrules:\n  - name: all\n    notify: [oss]\n';

describe('colt-relay secret', () => {
  it('prints whsec_ and the base64 of 32 random bytes, fresh each time, and nothing else', async () => {
    const [first, second] = await Promise.all([runCli(['secret']), runCli(['secret'])]);
    for (const result of [first!, second!]) {
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(/^whsec_[A-Za-z0-9+/]{43}=\n$/);
      expect(Buffer.from(result.stdout.trim().slice('whsec_'.length), 'base64')).toHaveLength(32);
    }
    expect(first!.stdout).not.toBe(second!.stdout);
  }, 60_000);

  it('the rules take it as a webhook secret, and what the relay signs with it verifies with standardwebhooks', async () => {
    const secret = (await runCli(['secret'])).stdout.trim();
    const check = await runCli(['rules', 'check'], { RULES, HOOK_SECRET: secret });
    expect(check).toMatchObject({ code: 0, stdout: 'RULES: ok — 1 channel (oss), 1 rule\n' });
    const body = JSON.stringify({ type: 'order.completed', data: { orderId: 'IN-ORD-1' } });
    const timestampS = Math.floor(Date.now() / 1000);
    const signature = await createWebhookSigner(secret)('msg_secret_1', timestampS, body);
    const headers = { 'webhook-id': 'msg_secret_1', 'webhook-timestamp': String(timestampS), 'webhook-signature': signature };
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow();
  }, 60_000);

  it('takes no arguments: exit 2 with its usage on stderr, nothing on stdout', async () => {
    const result = await runCli(['secret', '--length', '64']);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain('unknown option --length');
    expect(result.stderr).toContain('usage: colt-relay secret');
  }, 60_000);
});
