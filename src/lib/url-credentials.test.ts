import { describe, expect, it } from 'vitest';
import { redactUrlCredentials } from './url-credentials.js';

describe('redactUrlCredentials', () => {
  it.each([
    ['Request cannot be constructed from a URL that includes credentials: http://u:p%40ss@127.0.0.1:9/x', 'http://u:[redacted]@127.0.0.1:9/x'],
    ['smtps://mailer:s3cr%2Ft@smtp.example.com:465', 'smtps://mailer:[redacted]@smtp.example.com:465'],
    ['a token as user name: https://ghp_abcdef0123@host/repo', 'https://[redacted]@host/repo'],
    ['"postgres://relay:pw@db:5432/x" and http://a:b@c/', '"postgres://relay:[redacted]@db:5432/x" and http://a:[redacted]@c/'],
  ])('%s', (text, expected) => {
    expect(redactUrlCredentials(text)).toContain(expected);
    expect(redactUrlCredentials(text)).not.toMatch(/p%40ss|s3cr|ghp_|:pw@|:b@/);
  });

  it.each(['https://relay.example.com/orders/IN-1', 'mail ops@example.com', 'https://host/path?email=a@b.example', 'no url here'])('leaves "%s" as it is', (text) => {
    expect(redactUrlCredentials(text)).toBe(text);
  });
});
