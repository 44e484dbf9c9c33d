import { RuleRegex } from '../../config/rules/regex.js';
import { LinearRegex } from '../../lib/linear-regex.js';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { MIN_SECRET_LENGTH } from '../../config/secrets.js';
import { parseEnv } from '../../config/env.js';
import type { RulesConfig } from '../../config/rules/rules.js';
import { REDACTED, describeRules, redactChannelConfig, redactUrl, scrubJsonResponses, secretReplacements } from './redact.js';

const OSS_URL = 'https://user:pw-1234@oss.example.com/colt/hook?key=q-secret-99';

const rules: RulesConfig = {
  channels: {
    oss: {
      type: 'webhook',
      url: OSS_URL,
      secret: 'whsec_c2VjcmV0LXNpZ25pbmcta2V5',
      headers: { authorization: 'Bearer header-secret-1' },
    },
    ops: { type: 'slack', channel: 'C0123', text: '{{orderId}}' },
  },
  rules: [{ name: 'r', notify: ['oss'], stop: true, match: [[{ field: 'orderId', tests: [{ op: 'regex', arg: new RuleRegex('^IN-', new LinearRegex('^IN-')) }] }]] }],
};

describe('redaction', () => {
  it('shows a URL as its origin only: no credentials, path or query', () => {
    expect(redactUrl('https://oss.example.com/colt/hook')).toBe('https://oss.example.com');
    expect(redactUrl('https://u:p@oss.example.com:8443/hook?token=x#frag')).toBe('https://oss.example.com:8443');
    expect(redactUrl('https://hooks.slack.com/services/T0001/B0002/a1B2c3D4e5F6g7H8i9J0k1L2')).toBe('https://hooks.slack.com');
    expect(redactUrl('not a url')).toBe(REDACTED);
  });

  it('shows a webhook channel without its secret or header values; other channels as they are', () => {
    expect(redactChannelConfig(rules.channels.oss!)).toEqual({
      type: 'webhook',
      url: 'https://oss.example.com',
      secret: REDACTED,
      headers: { authorization: REDACTED },
    });
    expect(redactChannelConfig(rules.channels.ops!)).toEqual({ type: 'slack', channel: 'C0123', text: '{{orderId}}' });
  });

  it('describes loaded rules back in file terms', () => {
    expect(describeRules(rules).rules).toEqual([{ name: 'r', match: [{ orderId: { regex: '^IN-' } }], notify: ['oss'], stop: true, stale: false }]);
  });

  it('lists every secret of the environment and the webhook channels, longest first', () => {
    const env = parseEnv({ ADMIN_TOKEN: 'admin-0123456789', SMTP_URL: 'smtp://u:smtp-pw@mail:25', LOG_LEVEL: 'silent' });
    const pairs = secretReplacements(env, rules);
    const secrets = pairs.map(([s]) => s);
    for (const s of ['admin-0123456789', 'smtp://u:smtp-pw@mail:25', 'q-secret-99', 'Bearer header-secret-1', OSS_URL]) {
      expect(secrets).toContain(s);
    }
    // Under MIN_SECRET_LENGTH, as on the dashboard: the URL that carries it is replaced whole.
    expect(secrets).not.toContain('pw-1234');
    expect(secrets.every((s) => s.length >= MIN_SECRET_LENGTH)).toBe(true);
    expect(secrets).toEqual([...secrets].sort((a, b) => b.length - a.length));
    expect(pairs.find(([s]) => s === OSS_URL)![1]).toBe(redactUrl(OSS_URL));
    // As an error would quote it: normalised, or without the user info the request moved to a header.
    expect(pairs.find(([s]) => s === 'https://oss.example.com/colt/hook?key=q-secret-99')![1]).toBe('https://oss.example.com');
  });

  it('scrubs JSON answers, also where JSON escapes the secret, and leaves other answers alone', async () => {
    const app = new Hono();
    app.use('*', scrubJsonResponses(() => [['a"secret\\1', REDACTED]]));
    app.get('/json', (c) => c.json({ error: 'peer said a"secret\\1 twice: a"secret\\1' }, 502));
    app.get('/text', (c) => c.text('a"secret\\1'));
    const res = await app.request('/json');
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ error: `peer said ${REDACTED} twice: ${REDACTED}` });
    expect(await (await app.request('/text')).text()).toBe('a"secret\\1');
  });
});
