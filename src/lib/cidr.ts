/**
 * IP addresses and CIDR allow-lists over IPv4 and IPv6 (IPv4-mapped IPv6 addresses count as
 * IPv4). Only canonical text is an address: dotted quads of four decimal parts without leading
 * zeros, and IPv6 without a zone. The legacy forms `inet_aton` accepts (`3405803783`,
 * `0xcb.0.113.7`, `010.0.0.1`, `1.2.3`) are refused, so an address cannot be smuggled past an
 * allow-list in a form one parser reads differently from another.
 *
 * Written here rather than taken from ipaddr.js to keep the Workers bundle small; the tests
 * check it against ipaddr.js on every form they know.
 */

/** An address as bytes: 4 for IPv4, 16 for IPv6. `toString()` is its canonical text (RFC 5952 for IPv6). */
export interface IpAddress {
  readonly bytes: Uint8Array;
  toString(): string;
}
export type Cidr = [IpAddress, number];

const DECIMAL_PART = /^(?:0|[1-9]\d{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

/** Four canonical decimal parts, each 0–255, or null. */
function parseIpv4Bytes(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes = new Uint8Array(4);
  for (const [i, part] of parts.entries()) {
    if (!DECIMAL_PART.test(part) || Number(part) > 255) return null;
    bytes[i] = Number(part);
  }
  return bytes;
}

/** Hex groups, at most one `::`, an optional dotted IPv4 tail; no zone, no brackets. */
function parseIpv6Bytes(text: string): Uint8Array | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (half: string | undefined): number[] | null => {
    if (!half) return [];
    const groups: number[] = [];
    const parts = half.split(':');
    for (const [i, part] of parts.entries()) {
      if (i === parts.length - 1 && part.includes('.')) {
        const v4 = parseIpv4Bytes(part);
        if (!v4) return null;
        groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (HEX_GROUP.test(part)) {
        groups.push(Number.parseInt(part, 16));
      } else {
        return null;
      }
    }
    return groups;
  };
  const head = groupsOf(halves[0]);
  const tail = groupsOf(halves[1]);
  if (!head || !tail) return null;
  // A dotted tail ends the address: it may not come before `::`.
  if (halves.length === 2 && halves[0]!.includes('.')) return null;
  const count = head.length + tail.length;
  if (halves.length === 1 ? count !== 8 : count > 7) return null;
  const groups = [...head, ...new Array<number>(8 - count).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  for (const [i, group] of groups.entries()) {
    bytes[2 * i] = group >> 8;
    bytes[2 * i + 1] = group & 0xff;
  }
  return bytes;
}

function formatIpv4(bytes: Uint8Array): string {
  return Array.from(bytes).join('.');
}

/** RFC 5952: lower-case hex, no leading zeros, the longest run of two or more zero groups as `::`. */
function formatIpv6(bytes: Uint8Array): string {
  const groups = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.length < 2) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

function address(bytes: Uint8Array): IpAddress {
  const text = bytes.length === 4 ? formatIpv4(bytes) : formatIpv6(bytes);
  return { bytes, toString: () => text };
}

/** `::ffff:a.b.c.d` (IPv4-mapped) → the IPv4 bytes; anything else unchanged. */
function unmapped(bytes: Uint8Array): Uint8Array {
  const mapped = bytes.length === 16 && bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  return mapped ? bytes.slice(12) : bytes;
}

/** `text` as an address (IPv4-mapped IPv6 → IPv4), or null unless it is in canonical form. */
export function parseAddress(text: string): IpAddress | null {
  const v4 = parseIpv4Bytes(text);
  if (v4) return address(v4);
  if (!text.includes(':')) return null;
  // The deprecated IPv4-compatible form `::a.b.c.d` reads as IPv4-mapped, as ipaddr.js reads it.
  const compatible = /^::(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  const v6 = parseIpv6Bytes(compatible ? `::ffff:${compatible[1]}` : text);
  return v6 ? address(unmapped(v6)) : null;
}

/** Parses "10.0.0.0/8", "2001:db8::/32" or a bare address (a /32 or /128). Throws on nonsense. */
export function parseCidr(text: string): Cidr {
  const [addressText = '', bitsText, ...rest] = text.trim().split('/');
  const parsed = parseAddress(addressText);
  if (!parsed || rest.length > 0) throw new Error(`"${text}" is not an IP address or CIDR range`);
  // An IPv4-mapped range (::ffff:10.0.0.0/104) became IPv4: its prefix loses the 96 mapped bits.
  const mapped = addressText.includes(':') && parsed.bytes.length === 4;
  const maxBits = addressText.includes(':') ? 128 : 32;
  if (bitsText === undefined) return [parsed, parsed.bytes.length * 8];
  const bits = /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : NaN;
  if (!(bits <= maxBits)) throw new Error(`"${text}" has a prefix length outside 0-${maxBits}`);
  return [parsed, mapped ? Math.max(0, bits - 96) : bits];
}

/** True when the first `bits` bits of the two addresses (of the same family) agree. */
function samePrefix(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  if (a.length !== b.length) return false;
  const whole = bits >> 3;
  for (let i = 0; i < whole; i++) if (a[i] !== b[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (a[whole]! & mask) === (b[whole]! & mask);
}

/** True when `address` lies in one of the ranges. */
export function inRanges(address: IpAddress, ranges: Cidr[]): boolean {
  return ranges.some(([range, bits]) => samePrefix(address.bytes, range.bytes, bits));
}

/** True when `address` is canonical and lies in any of the ranges; false for anything else. */
export function ipAllowed(address: string | null | undefined, ranges: Cidr[]): boolean {
  const parsed = address ? parseAddress(address) : null;
  return parsed !== null && inRanges(parsed, ranges);
}
