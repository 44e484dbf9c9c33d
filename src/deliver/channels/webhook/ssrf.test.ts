import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, isPrivateAddress, ssrfRefusal } from './ssrf.js';

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1',
    '127.255.255.254',
    '0.0.0.0',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '100.127.255.255',
    '224.0.0.1',
    '239.255.255.250',
    '240.0.0.1',
    '255.255.255.255',
    '192.0.2.10',
    '198.18.0.1',
    '::1',
    '::',
    '[::1]',
    'fc00::1',
    'fd12:3456::1',
    'fe80::1',
    'fe80::1%eth0',
    'febf::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    '::ffff:0:7f00:1',
    '64:ff9b::7f00:1',
    '64:ff9b::10.0.0.1',
    '64:ff9b:1::1',
    '2002:7f00:1::1',
    '2001:db8::1',
    '0x7f000001',
    '2130706433',
    '127.1',
    'not-an-ip',
    '1:2:3:4:5:6:7:8:9',
  ])('%s is private', (ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '172.15.255.255',
    '100.128.0.1',
    '169.253.0.1',
    '11.0.0.1',
    '2606:4700:4700::1111',
    '2a00:1450:4009:81f::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:808:808::1',
  ])('%s is public', (ip) => {
    expect(isPrivateAddress(ip)).toBe(false);
  });
});

describe('checkWebhookUrl', () => {
  it.each([
    'http://127.0.0.1/hook',
    'http://localhost:8080/',
    'http://LOCALHOST./',
    'http://api.localhost/',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://printer.local/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[fd00::1]/',
    'http://10.0.0.1/',
    'http://169.254.169.254/latest/meta-data/',
    'http://0x7f000001/',
    'http://2130706433/',
    'http://0177.0.0.1/',
    'http://127.1/',
    'http://0/',
    'http://redis:6379/',
  ])('refuses %s', (url) => {
    const result = checkWebhookUrl(url, false);
    expect(result).toMatchObject({ ok: false, allowPrivateLifts: true });
  });

  it('allows a public https URL', () => {
    expect(checkWebhookUrl('https://oss.example.com/colt', false)).toEqual({ ok: true });
    expect(checkWebhookUrl('http://93.184.216.34:8080/x', false)).toEqual({ ok: true });
    expect(checkWebhookUrl('https://[2606:4700:4700::1111]/x', false)).toEqual({ ok: true });
  });

  it('refuses other schemes even when private addresses are allowed', () => {
    expect(checkWebhookUrl('file:///etc/passwd', true)).toMatchObject({ ok: false, reason: expect.stringContaining('file:'), allowPrivateLifts: false });
    expect(checkWebhookUrl('ftp://example.com/', true).ok).toBe(false);
    expect(checkWebhookUrl('not a url', true)).toEqual({ ok: false, reason: 'not a valid URL', allowPrivateLifts: false });
  });

  it('lets allowPrivate lift the address checks', () => {
    expect(checkWebhookUrl('http://127.0.0.1:9999/hook', true)).toEqual({ ok: true });
    expect(checkWebhookUrl('http://localhost/', true)).toEqual({ ok: true });
  });

  it('names the normalised address in the reason', () => {
    expect(checkWebhookUrl('http://0x7f000001/', false)).toEqual({
      ok: false,
      reason: 'address 127.0.0.1 is private or reserved',
      allowPrivateLifts: true,
    });
  });
});

describe('ssrfRefusal', () => {
  it('names WEBHOOK_ALLOW_PRIVATE and what it allows, once', () => {
    expect(ssrfRefusal('address 127.0.0.1 is private or reserved')).toBe(
      'ssrf: address 127.0.0.1 is private or reserved; WEBHOOK_ALLOW_PRIVATE=true allows private, loopback and local-network receivers ' +
        '(set it only when the receiver is on a network you trust)',
    );
    expect(ssrfRefusal('IP address 8.8.8.8 refused; WEBHOOK_ALLOW_PRIVATE=true allows IP addresses')).toBe(
      'ssrf: IP address 8.8.8.8 refused; WEBHOOK_ALLOW_PRIVATE=true allows IP addresses',
    );
  });
});
