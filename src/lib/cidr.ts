/** CIDR allow-lists over IPv4 and IPv6 (IPv4-mapped IPv6 addresses count as IPv4). */
import ipaddr from 'ipaddr.js';

export type Cidr = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parses "10.0.0.0/8", "2001:db8::/32" or a bare address (a /32 or /128). Throws on nonsense. */
export function parseCidr(text: string): Cidr {
  const trimmed = text.trim();
  if (trimmed.includes('/')) return ipaddr.parseCIDR(trimmed);
  const addr = ipaddr.process(trimmed);
  return [addr, addr.kind() === 'ipv4' ? 32 : 128];
}

/** True when `address` lies in any of the ranges; false for anything unparsable. */
export function ipAllowed(address: string | null | undefined, ranges: Cidr[]): boolean {
  if (!address || !ipaddr.isValid(address)) return false;
  const addr = ipaddr.process(address);
  return ranges.some(([range, bits]) => addr.kind() === range.kind() && addr.match(range, bits));
}
