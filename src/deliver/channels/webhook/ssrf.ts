/**
 * Server-side request forgery guard for downstream webhooks (docs/design.md#webhook-format): pure checks
 * on URLs and IP addresses, no I/O, so they run on Node and Workers alike.
 *
 * These checks see only what the URL says. A hostname that *resolves* to a private address
 * is caught at connect time by the Node agent in `src/runtime/node/ssrf-agent.ts`, which
 * checks the resolved addresses and then connects to exactly those (no second lookup that a
 * rebinding DNS server could answer differently).
 */

/** A refusal says whether WEBHOOK_ALLOW_PRIVATE would lift it (the address checks) or not (the scheme). */
export type UrlCheck = { ok: true } | { ok: false; reason: string; allowPrivateLifts: boolean };

/**
 * What to do about a refused private address, said with every such refusal: a receiver on
 * this machine or the local network is a normal test setup, and the fix is one setting.
 */
export const ALLOW_PRIVATE_HINT =
  'WEBHOOK_ALLOW_PRIVATE=true allows private, loopback and local-network receivers (set it only when the receiver is on a network you trust)';

/** `ssrf: <detail>; <hint>`: a delivery's error for a refused address, naming the setting that lifts the guard. */
export function ssrfRefusal(detail: string): string {
  return detail.includes('WEBHOOK_ALLOW_PRIVATE') ? `ssrf: ${detail}` : `ssrf: ${detail}; ${ALLOW_PRIVATE_HINT}`;
}

/** IPv4 ranges that must not be reached from a webhook: [network, prefix length]. */
const PRIVATE_V4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // "this network"; 0.0.0.0 reaches the local host on Linux
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // TEST-NET-1
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // TEST-NET-2
  ['203.0.113.0', 24], // TEST-NET-3
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, includes broadcast 255.255.255.255
];

/** Host names that only mean something inside a network (RFC 6761, RFC 8375, cloud conventions). */
const PRIVATE_NAME_SUFFIXES = ['.localhost', '.internal', '.local', '.localdomain', '.home.arpa'];

function v4ToInt(parts: number[]): number {
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/** Dotted quad only; other IPv4 spellings are normalised by the WHATWG URL parser first. */
function parseDottedQuad(s: string): number[] | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  return bytes.every((b) => b >= 0 && b <= 255) ? bytes : null;
}

const PRIVATE_V4_RANGES = PRIVATE_V4.map(([net, bits]) => {
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { base: (v4ToInt(parseDottedQuad(net)!) & mask) >>> 0, mask };
});

function isPrivateV4(bytes: number[]): boolean {
  const n = v4ToInt(bytes);
  return PRIVATE_V4_RANGES.some(({ base, mask }) => ((n & mask) >>> 0) === base);
}

/** Parses an IPv6 address (zone id dropped) into eight 16-bit groups, or null. */
function parseIPv6(input: string): number[] | null {
  let s = input.replace(/^\[|\]$/g, '');
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!s.includes(':')) return null;
  // An embedded IPv4 tail (::ffff:127.0.0.1) becomes two groups.
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = parseDottedQuad(tail);
    if (!v4) return null;
    s = `${s.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const toGroups = (part: string): number[] | null => {
    if (part === '') return [];
    const groups = part.split(':').map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16) : NaN));
    return groups.some(Number.isNaN) ? null : groups;
  };
  const head = toGroups(halves[0]!);
  const rest = halves.length === 2 ? toGroups(halves[1]!) : [];
  if (!head || !rest) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const missing = 8 - head.length - rest.length;
  if (missing < 1) return null;
  return [...head, ...new Array<number>(missing).fill(0), ...rest];
}

function embeddedV4(hi: number, lo: number): number[] {
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];
}

function isPrivateV6(g: number[]): boolean {
  const [g0, g1, g2, g3, g4, g5, g6, g7] = g as [number, number, number, number, number, number, number, number];
  const zeroTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroTo(5) && g5 === 0xffff) return isPrivateV4(embeddedV4(g6, g7)); // IPv4-mapped ::ffff:a.b.c.d
  if (zeroTo(4) && g4 === 0xffff && g5 === 0) return isPrivateV4(embeddedV4(g6, g7)); // SIIT ::ffff:0:a.b.c.d
  if (zeroTo(6)) return true; // ::, ::1 and the deprecated IPv4-compatible ::a.b.c.d
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return isPrivateV4(embeddedV4(g6, g7)); // NAT64 well-known prefix: judge the IPv4 it reaches
  }
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return true; // local-use NAT64 (RFC 8215)
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return true; // discard-only 100::/64
  if (g0 === 0x2001 && (g1 === 0xdb8 || g1 === 0)) return true; // documentation, Teredo tunnels
  if (g0 === 0x2002) return isPrivateV4(embeddedV4(g1, g2)); // 6to4 embeds an IPv4 address
  if ((g0 & 0xfe00) === 0xfc00) return true; // unique local fc00::/7
  if ((g0 & 0xffc0) === 0xfe80) return true; // link-local fe80::/10
  if ((g0 & 0xffc0) === 0xfec0) return true; // deprecated site-local fec0::/10
  if ((g0 & 0xff00) === 0xff00) return true; // multicast
  return false;
}

/**
 * True when `ip` is an address a webhook must not reach: loopback, private, link-local,
 * CGNAT, multicast, reserved, documentation ranges, and IPv6 forms that embed one of
 * those (IPv4-mapped, NAT64, 6to4). Fails closed: a string that is not an IP address
 * counts as private.
 */
export function isPrivateAddress(ip: string): boolean {
  const v6 = parseIPv6(ip);
  if (v6) return isPrivateV6(v6);
  const v4 = parseDottedQuad(ip) ?? parseDottedQuad(normaliseHost(ip) ?? '');
  if (v4) return isPrivateV4(v4);
  return true;
}

/** The WHATWG URL parser's spelling of a host: `0x7f000001`, `2130706433`, `127.1` → `127.0.0.1`. */
function normaliseHost(host: string): string | null {
  try {
    return new URL(`http://${host}/`).hostname;
  } catch {
    return null;
  }
}

/**
 * Decides whether a webhook URL may be called. `allowPrivate` (WEBHOOK_ALLOW_PRIVATE)
 * lifts the address checks, never the scheme check.
 *
 * Refuses: schemes other than http/https; `localhost`, `*.localhost`, `*.internal`,
 * `*.local`, `*.localdomain`, `*.home.arpa`; single-label names (`http://redis/`), which
 * only resolve through a private search domain; IP literals in private ranges, in any
 * spelling the URL parser accepts (`0x7f000001`, `0177.0.0.1`, `127.1`, `[::ffff:7f00:1]`).
 */
export function checkWebhookUrl(url: string, allowPrivate: boolean): UrlCheck {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: 'not a valid URL', allowPrivateLifts: false };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return { ok: false, reason: `scheme ${parsed.protocol} is not allowed (http or https only)`, allowPrivateLifts: false };
  }
  if (allowPrivate) return { ok: true };
  const refuse = (reason: string): UrlCheck => ({ ok: false, reason, allowPrivateLifts: true });
  // The parser has already turned every IPv4 spelling into a dotted quad and lower-cased names.
  const host = parsed.hostname.replace(/\.+$/, '');
  if (host.startsWith('[') || parseDottedQuad(host)) {
    return isPrivateAddress(host) ? refuse(`address ${host} is private or reserved`) : { ok: true };
  }
  if (host === 'localhost' || PRIVATE_NAME_SUFFIXES.some((suffix) => host.endsWith(suffix))) {
    return refuse(`host ${host} is a local name`);
  }
  if (!host.includes('.')) {
    return refuse(`host ${host} is a single-label name (resolves only inside a network)`);
  }
  return { ok: true };
}

/** `code` of the error a checking agent (src/runtime/node/ssrf-agent.ts) raises when it refuses to connect. */
export const SSRF_BLOCKED_CODE = 'ERR_SSRF_BLOCKED';

/** True when `err`, or a `cause` under it (fetch wraps connect errors), is an SSRF refusal. */
export function isSsrfBlocked(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; e && depth < 5; depth++) {
    if ((e as { code?: unknown }).code === SSRF_BLOCKED_CODE) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
