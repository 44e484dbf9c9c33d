import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/env.js';
import { classifyWebhookError } from '../../deliver/channels/webhook/webhook.channel.js';
import { readWorkerConfig, stringBindings } from './env.js';
import { workerConfigWarnings } from './scope.js';
import { createWorkerWebhookFetch, isIpLiteralHost } from './webhook-fetch.js';

const TOKEN = { CALLBACK_TOKEN: 'a-long-enough-callback-token' };

describe('readWorkerConfig', () => {
  it('takes the database from the Hyperdrive binding over DATABASE_URL', () => {
    const config = readWorkerConfig({
      ...TOKEN,
      DATABASE_URL: 'postgres://direct@db.example.com/relay',
      HYPERDRIVE: { connectionString: 'postgresql://user:pw@hyperdrive.local:5432/relay' },
    });
    expect(config).toMatchObject({ databaseUrl: 'postgresql://user:pw@hyperdrive.local:5432/relay', database: 'hyperdrive' });
    expect(config.rawEnv.HYPERDRIVE).toBeUndefined();
  });

  it('uses DATABASE_URL without Hyperdrive, and refuses to run with neither', () => {
    expect(readWorkerConfig({ ...TOKEN, DATABASE_URL: 'postgres://a@b/c' }).database).toBe('DATABASE_URL');
    expect(() => readWorkerConfig({ ...TOKEN })).toThrow(ConfigError);
    expect(() => readWorkerConfig({ ...TOKEN })).toThrow(/DATABASE_URL: required on Workers/);
  });

  it('applies the production rule: no callback authentication, no service', () => {
    expect(() => readWorkerConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://a@b/c' })).toThrow(/no callback authentication/);
  });

  it('keeps only string bindings as the environment', () => {
    expect(stringBindings({ A: 'x', HYPERDRIVE: { connectionString: 'postgres://h/d' }, N: 3 })).toEqual({ A: 'x' });
  });

  it('warns about settings that do not carry over from Node', () => {
    const config = readWorkerConfig({ ...TOKEN, DATABASE_URL: 'postgres://a@b/c', SMTP_URL: 'smtp://mail:25', RULES_FILE: './rules.yaml', DATA_DIR: './data' });
    const warnings = workerConfigWarnings(config).join('\n');
    expect(warnings).toMatch(/SMTP is not available on Workers/);
    expect(warnings).toMatch(/RULES_FILE cannot be read on Workers/);
    expect(warnings).toMatch(/DATA_DIR is ignored on Workers/);
  });
});

describe('the Workers webhook fetch', () => {
  it('recognises IP literals the URL parser leaves', () => {
    for (const host of ['8.8.8.8', '10.0.0.1', '[2001:4860:4860::8888]', '[::1]']) expect(isIpLiteralHost(new URL(`http://${host}/`).hostname)).toBe(true);
    for (const host of ['hooks.example.com', '8.8.8.8.nip.io', 'x1.example']) expect(isIpLiteralHost(new URL(`http://${host}/`).hostname)).toBe(false);
    // 0x08080808 and 134744072 are 8.8.8.8 once parsed.
    expect(isIpLiteralHost(new URL('http://0x08080808/').hostname)).toBe(true);
    expect(isIpLiteralHost(new URL('http://134744072/').hostname)).toBe(true);
  });

  it('refuses an IP literal before connecting, as a permanent SSRF failure', async () => {
    const refused = await createWorkerWebhookFetch(false)('http://8.8.8.8/hook').catch((err: unknown) => err);
    expect(classifyWebhookError(refused, 15_000)).toEqual({
      ok: false,
      retryable: false,
      reason:
        'ssrf: IP address 8.8.8.8 refused: on Workers webhook URLs must use a host name (a Worker cannot see where a name ' +
        'resolves, so it refuses every IP address); WEBHOOK_ALLOW_PRIVATE=true allows IP addresses and private hosts ' +
        '(set it only when the receiver is on a network you trust)',
    });
  });

  it('lets IP literals through when private addresses are allowed (tests)', async () => {
    const result = await createWorkerWebhookFetch(true)('http://127.0.0.1:9/hook').catch((err: unknown) => err);
    expect((result as { code?: string }).code).not.toBe('ERR_SSRF_BLOCKED');
  });
});
