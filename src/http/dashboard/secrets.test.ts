import { describe, expect, it } from 'vitest';
import { parseEnv } from '../../config/env.js';
import type { RulesConfig } from '../../config/rules/rules.js';
import { safeOrigin } from './format.js';
import { collectSecrets, scrubSecrets } from './secrets.js';

const rules: RulesConfig = {
  channels: {
    oss: { type: 'webhook', url: 'https://u:p4ssw0rd-x@oss.example.com/hooks/T0KEN123?sig=abcdef123', secret: 'whsec_c2VjcmV0LXNlY3JldA==', headers: { 'x-api-key': 'downstream-key-123' } },
    bare: { type: 'webhook', url: 'https://bare.example.com', secret: 'whsec_YW5vdGhlci1zZWNyZXQ=' },
    log: { type: 'log' },
  },
  rules: [],
};

describe('dashboard secrets', () => {
  it('collects env and channel secrets, longest first, and scrubs them raw and HTML-escaped', () => {
    const env = parseEnv({ ADMIN_TOKEN: 'admin-token-a&b<c>-1234', SMTP_URL: 'smtp://mail:smtp-pass-99@mx.example.com:587', SLACK_BOT_TOKEN: 'xoxb-1-2-3-secret' });
    const secrets = collectSecrets(env, rules);
    const ossUrl = 'https://u:p4ssw0rd-x@oss.example.com/hooks/T0KEN123?sig=abcdef123';
    expect(secrets).toEqual(expect.arrayContaining(['smtp-pass-99', 'xoxb-1-2-3-secret', 'downstream-key-123', 'p4ssw0rd-x', ossUrl]));
    expect(secrets).not.toContain('https://bare.example.com');
    expect(secrets.map((s) => s.length)).toEqual([...secrets.map((s) => s.length)].sort((a, b) => b - a));
    const html = `<p>admin-token-a&amp;b&lt;c&gt;-1234 then smtp://mail:smtp-pass-99@mx.example.com:587 and xoxb-1-2-3-secret</p>`;
    expect(scrubSecrets(html, secrets)).toBe('<p>[redacted] then [redacted] and [redacted]</p>');
  });

  it('shows a webhook as scheme and host only', () => {
    expect(safeOrigin('https://u:p@oss.example.com:8443/hooks/T0KEN?x=1')).toBe('https://oss.example.com:8443/…');
    expect(safeOrigin('not a url')).toBe('(invalid URL)');
  });
});
