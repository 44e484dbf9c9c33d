import { describe, expect, it } from 'vitest';
import { ipAllowed, parseAddress, parseCidr } from './cidr.js';
import { parseTrustProxy, resolveClientAddress } from './client-address.js';

describe('parseAddress', () => {
  it('accepts canonical IPv4 and IPv6 only', () => {
    for (const ok of ['203.0.113.7', '0.0.0.0', '2001:db8::1', '::1', '::ffff:203.0.113.7']) expect(parseAddress(ok), ok).not.toBeNull();
    for (const bad of ['3405803783', '0xcb.0.113.7', '0xcb007107', '010.0.0.1', '203.000.113.7', '1.2.3', '203.0.113.7:80', '[::1]', 'fe80::1%eth0', '::ffff:010.0.0.1', 'unknown', '']) {
      expect(parseAddress(bad), bad).toBeNull();
    }
  });

  it('reads IPv4-mapped IPv6 as IPv4, in addresses and ranges', () => {
    expect(parseAddress('::ffff:203.0.113.7')?.toString()).toBe('203.0.113.7');
    expect(ipAllowed('203.0.113.7', [parseCidr('::ffff:203.0.113.0/120')])).toBe(true);
    expect(() => parseCidr('3405803783/32')).toThrow(/not an IP address/);
    expect(() => parseCidr('10.0.0.0/33')).toThrow(/prefix length/);
  });
});

describe('parseTrustProxy', () => {
  it('reads false, true, hops and CIDR lists', () => {
    for (const off of [undefined, '', 'false', 'no', '0']) expect(parseTrustProxy(off)).toBe(false);
    expect(parseTrustProxy('true')).toEqual({ hops: 1 });
    expect(parseTrustProxy('1')).toEqual({ hops: 1 });
    expect(parseTrustProxy('3')).toEqual({ hops: 3 });
    const trust = parseTrustProxy('10.0.0.0/8, 2001:db8::1');
    expect(trust && 'proxies' in trust && trust.proxies).toHaveLength(2);
  });

  it('names what it cannot read', () => {
    expect(() => parseTrustProxy('10.0.0.0/8, proxy.local')).toThrow(/"proxy.local" is none of these/);
    expect(() => parseTrustProxy('167772160')).toThrow(/more than 10/);
  });
});

describe('resolveClientAddress', () => {
  const hops1 = parseTrustProxy('true');
  const hops2 = parseTrustProxy('2');
  const cidrs = parseTrustProxy('10.0.0.0/8');

  it('is the socket peer without trusted proxies or without a header', () => {
    expect(resolveClientAddress(false, '10.0.0.2', '203.0.113.7')).toBe('10.0.0.2');
    expect(resolveClientAddress(hops1, '10.0.0.2', undefined)).toBe('10.0.0.2');
    expect(resolveClientAddress(cidrs, '10.0.0.2', '')).toBe('10.0.0.2');
  });

  it('counts hops from the right; the socket peer is the first proxy', () => {
    expect(resolveClientAddress(hops1, '10.0.0.2', '203.0.113.7, 198.51.100.99')).toBe('198.51.100.99');
    expect(resolveClientAddress(hops2, '10.0.0.2', '203.0.113.7, 198.51.100.99, 10.0.0.1')).toBe('198.51.100.99');
    expect(resolveClientAddress(hops2, '10.0.0.2', '198.51.100.99')).toBe('198.51.100.99');
  });

  it('walks trusted proxy ranges from the right, only when the socket peer is one', () => {
    expect(resolveClientAddress(cidrs, '10.0.0.2', '203.0.113.7, 198.51.100.99, 10.1.1.1')).toBe('198.51.100.99');
    expect(resolveClientAddress(cidrs, '192.0.2.1', '203.0.113.7')).toBe('192.0.2.1');
    expect(resolveClientAddress(cidrs, '10.0.0.2', '10.9.9.9, 10.1.1.1')).toBe('10.9.9.9');
  });

  it('hands back a malformed entry as is, cut to 64 characters, and it passes no allow-list', () => {
    const allow = [parseCidr('203.0.113.0/24')];
    for (const spoof of ['3405803783', '0xcb.0.113.7', 'x'.repeat(500), '203.0.113.7:1234']) {
      const client = resolveClientAddress(hops1, '10.0.0.2', spoof);
      expect(client?.length).toBeLessThanOrEqual(64);
      expect(ipAllowed(client, allow), spoof).toBe(false);
    }
    expect(resolveClientAddress(cidrs, '10.0.0.2', '203.0.113.7, bogus, 10.1.1.1')).toBe('bogus');
  });
});
