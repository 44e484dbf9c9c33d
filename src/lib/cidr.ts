/**
 * IP addresses and CIDR allow-lists over IPv4 and IPv6 (IPv4-mapped IPv6 addresses count as
 * IPv4). Only canonical text is an address: dotted quads of four decimal parts without leading
 * zeros, and IPv6 without a zone. The legacy forms `inet_aton` accepts (`3405803783`,
 * `0xcb.0.113.7`, `010.0.0.1`, `1.2.3`) are refused, so an address cannot be smuggled past an
 * allow-list in a form one parser reads differently from another.
 */
import ipaddr from 'ipaddr.js';

export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;
export type Cidr = [IpAddress, number];

/** `text` as an address (IPv4-mapped IPv6 → IPv4), or null unless it is in canonical form. */
export function parseAddress(text: string): IpAddress | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (!text.includes(':') || text.includes('%') || !ipaddr.IPv6.isValid(text)) return null;
  // An embedded IPv4 tail (::ffff:1.2.3.4) must be canonical too.
  const tail = text.slice(text.lastIndexOf(':') + 1);
  if (tail.includes('.') && !ipaddr.IPv4.isValidFourPartDecimal(tail)) return null;
  return ipaddr.process(text);
}

/** Parses "10.0.0.0/8", "2001:db8::/32" or a bare address (a /32 or /128). Throws on nonsense. */
export function parseCidr(text: string): Cidr {
  const [addressText = '', bitsText, ...rest] = text.trim().split('/');
  const address = parseAddress(addressText);
  if (!address || rest.length > 0) throw new Error(`"${text}" is not an IP address or CIDR range`);
  // An IPv4-mapped range (::ffff:10.0.0.0/104) became IPv4: its prefix loses the 96 mapped bits.
  const mapped = addressText.includes(':') && address.kind() === 'ipv4';
  const maxBits = addressText.includes(':') ? 128 : 32;
  if (bitsText === undefined) return [address, address.kind() === 'ipv4' ? 32 : 128];
  const bits = /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : NaN;
  if (!(bits <= maxBits)) throw new Error(`"${text}" has a prefix length outside 0-${maxBits}`);
  return [address, mapped ? Math.max(0, bits - 96) : bits];
}

/** True when `address` lies in one of the ranges. */
export function inRanges(address: IpAddress, ranges: Cidr[]): boolean {
  return ranges.some(([range, bits]) => address.kind() === range.kind() && address.match(range, bits));
}

/** True when `address` is canonical and lies in any of the ranges; false for anything else. */
export function ipAllowed(address: string | null | undefined, ranges: Cidr[]): boolean {
  const parsed = address ? parseAddress(address) : null;
  return parsed !== null && inRanges(parsed, ranges);
}
