/**
 * src/lib/cidr.ts against ipaddr.js (the oracle, a dev dependency): the same addresses are
 * accepted, they print the same, and the same ranges contain them.
 */
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { inRanges, parseAddress, parseCidr } from './cidr.js';

/** What the relay accepted with ipaddr.js: canonical dotted quads, or valid IPv6 without a zone. */
function oracle(text: string): string | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text).toString();
  if (!text.includes(':') || text.includes('%') || !ipaddr.IPv6.isValid(text)) return null;
  const tail = text.slice(text.lastIndexOf(':') + 1);
  if (tail.includes('.') && !ipaddr.IPv4.isValidFourPartDecimal(tail)) return null;
  return ipaddr.process(text).toString();
}

const FORMS = [
  '0.0.0.0', '255.255.255.255', '203.0.113.7', '10.0.0.1', '256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1.2.3.04',
  '0x1.2.3.4', '3405803783', '1.2.3.4 ', ' 1.2.3.4', '1..3.4', '', '.', ':', '::', ':::', '::1', '1::', '1::2::3',
  '2001:db8::1', '2001:DB8::1', '2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1',
  '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8::', '::1:2:3:4:5:6:7:8',
  '1:2:3:4:5:6:7', '12345::1', 'g::1', 'fe80::1%eth0', '[::1]', '::ffff:203.0.113.7', '::FFFF:203.0.113.7',
  '::ffff:010.0.0.1', '::ffff:1.2.3', '::1.2.3.4', '1.2.3.4::', '::ffff:0:0', '::ffff:cb00:7107', '0:0:0:0:0:ffff:1.2.3.4',
  '1:0:0:2:0:0:0:3', '1:0:0:0:2:0:0:3', '0:0:1:0:0:0:0:0', '1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:7:1.2.3.4', 'a:b:c:d:e:f:0:0',
  '::0:0', '0::0', '1:2:3:4:5:6::8', ':1:2:3:4:5:6:7', '1:2:3:4:5:6:7:', 'unknown', '203.0.113.7:80', '1.2.3.4/32',
];

/** Random addresses in many spellings, from a fixed seed (the same cases every run). */
function* randomForms(count: number): Generator<string> {
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  for (let i = 0; i < count; i++) {
    const groups = Array.from({ length: 8 }, () => (next() % 4 === 0 ? 0 : next() % 0x10000));
    const full = groups.map((g) => g.toString(16)).join(':');
    yield full;
    yield ipaddr.IPv6.parse(full).toString();
    yield groups.map((g) => g.toString(16).padStart(4, '0').toUpperCase()).join(':');
    yield `${next() % 256}.${next() % 256}.${next() % 300}.${next() % 256}`;
  }
}

describe('parseAddress against ipaddr.js', () => {
  it('accepts and prints exactly what ipaddr.js did, form by form', () => {
    for (const text of [...FORMS, ...randomForms(300)]) expect(parseAddress(text)?.toString() ?? null, text).toBe(oracle(text));
  });
});

describe('ranges against ipaddr.js', () => {
  it('contains the same addresses', () => {
    const ranges = ['10.0.0.0/8', '203.0.113.0/25', '198.51.100.7', '0.0.0.0/0', '2001:db8::/32', '2001:db8:1:2::/63', '::1', '::ffff:192.0.2.0/120', 'fe80::/10', '::/0'];
    const addresses = ['10.1.2.3', '11.0.0.1', '203.0.113.127', '203.0.113.128', '198.51.100.7', '198.51.100.8', '2001:db8::1', '2001:db9::1', '2001:db8:1:3::1', '2001:db8:1:4::1', '::1', '::2', '192.0.2.9', '::ffff:192.0.2.9', 'fe80::abcd', 'febf::1', 'fec0::1'];
    for (const range of ranges) {
      const ours = parseCidr(range);
      const [theirs, theirBits] = range.includes('/') ? ipaddr.parseCIDR(range) : [ipaddr.parse(range), range.includes(':') ? 128 : 32];
      const theirRange = theirs.kind() === 'ipv6' && (theirs as ipaddr.IPv6).isIPv4MappedAddress() ? ([(theirs as ipaddr.IPv6).toIPv4Address(), theirBits - 96] as const) : ([theirs, theirBits] as const);
      for (const text of addresses) {
        const address = ipaddr.process(text);
        const expected = address.kind() === theirRange[0].kind() && address.match(theirRange[0], theirRange[1]);
        expect(inRanges(parseAddress(text)!, [ours]), `${text} in ${range}`).toBe(expected);
      }
    }
  });
});
