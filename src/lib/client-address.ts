/**
 * Who is calling, behind reverse proxies (docs/design.md#trust-and-proxies). `X-Forwarded-For` is a list that
 * every proxy appends its peer to, so only its right end was written by proxies we trust; the
 * left end is whatever the caller sent. The client is therefore found counting from the right,
 * and only when the socket peer itself is a trusted proxy.
 */
import { inRanges, parseAddress, parseCidr, type Cidr } from './cidr.js';

/**
 * `TRUST_PROXY`, parsed: `false` (trust no proxy: the socket peer is the client); `{ hops }`
 * (the socket peer and the `hops - 1` proxies before it are trusted, whatever their address);
 * `{ proxies }` (the socket peer and each hop before it are trusted while their address lies
 * in these ranges). Truthy exactly when some proxy is trusted.
 */
export type ProxyTrust = false | { hops: number } | { proxies: Cidr[] };

/** Longest header entry kept when it is reported as a (refused) client address. */
const MAX_REPORTED_ENTRY = 64;

/** Most hops accepted: more proxies than this in front of one service is a mistake. */
const MAX_HOPS = 10;

/**
 * `false|0|no|""` → false; `true|yes` → 1 hop; a number → that many hops; otherwise a comma
 * list of proxy addresses or CIDR ranges. Throws an Error naming what is wrong.
 */
export function parseTrustProxy(text: string | undefined): ProxyTrust {
  const value = (text ?? '').trim().toLowerCase();
  if (['', 'false', 'no', '0'].includes(value)) return false;
  if (value === 'true' || value === 'yes') return { hops: 1 };
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops === 0) return false;
    if (hops > MAX_HOPS) throw new Error(`${hops} proxy hops is more than ${MAX_HOPS}: give the proxies' CIDR ranges instead`);
    return { hops };
  }
  const problems: string[] = [];
  const proxies: Cidr[] = [];
  for (const part of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    try {
      proxies.push(parseCidr(part));
    } catch {
      problems.push(`"${part}"`);
    }
  }
  if (problems.length > 0 || proxies.length === 0) {
    throw new Error(
      `must be false, true, a number of proxy hops, or a comma list of proxy addresses/CIDR ranges; ${problems.join(', ') || `"${text}"`} is none of these`,
    );
  }
  return { proxies };
}

/**
 * True when the socket peer is a proxy TRUST_PROXY trusts, so the headers it adds
 * (X-Forwarded-Proto, X-Forwarded-Host) may be believed. Hops mode trusts any peer.
 */
export function peerIsTrustedProxy(trust: ProxyTrust, peer: string | null): boolean {
  if (!trust) return false;
  if ('hops' in trust) return true;
  const address = peer === null ? null : parseAddress(peer);
  return address !== null && inRanges(address, trust.proxies);
}

/** The comma-separated entries of X-Forwarded-For (several headers arrive joined by ", "). */
function forwardedEntries(header: string | null | undefined): string[] {
  if (!header) return [];
  return header.split(',').map((s) => s.trim());
}

/** An entry as the client's address: canonical text, or the raw entry (which no allow-list accepts). */
function entryAsClient(entry: string): string {
  const address = parseAddress(entry);
  return address ? address.toString() : entry.slice(0, MAX_REPORTED_ENTRY);
}

/**
 * The client's address. Without trusted proxies, or when the socket peer is not one of them,
 * it is the socket peer. Otherwise X-Forwarded-For is read from the right:
 * - `{ hops: n }`: the socket peer is the first trusted proxy and the n-1 rightmost entries
 *   are the others, so the client is the n-th entry from the right (the leftmost when the
 *   header is shorter: every entry was then written by a trusted proxy);
 * - `{ proxies }`: entries are skipped from the right while they are trusted proxies; the
 *   first other one is the client (the leftmost when all are proxies).
 * A malformed entry where the client should be comes back as is (cut to 64 characters): no
 * allow-list matches it, and a refusal record shows what was sent.
 */
export function resolveClientAddress(trust: ProxyTrust, peer: string | null, forwardedFor: string | null | undefined): string | null {
  if (!trust || peer === null) return peer;
  const entries = forwardedEntries(forwardedFor);
  if (entries.length === 0) return peer;
  if ('hops' in trust) return entryAsClient(entries[Math.max(0, entries.length - trust.hops)]!);
  const peerAddress = parseAddress(peer);
  if (!peerAddress || !inRanges(peerAddress, trust.proxies)) return peer;
  for (let i = entries.length - 1; i > 0; i--) {
    const address = parseAddress(entries[i]!);
    if (!address || !inRanges(address, trust.proxies)) return entryAsClient(entries[i]!);
  }
  return entryAsClient(entries[0]!);
}

/**
 * The addresses a failed sign-in is counted against: the client, and the socket peer as well
 * unless that peer is a proxy TRUST_PROXY names by CIDR. In hop-count form (`true`, N) any
 * caller that reaches the port is taken for a proxy and its X-Forwarded-For believed, so a
 * caller rotating that header would get a fresh address for every guess; counting the peer
 * too gives it none. Behind a proxy named by CIDR the client entry was written by that proxy,
 * and clients behind it are counted apart.
 */
export function attemptAddresses(trust: ProxyTrust, peer: string | null, forwardedFor: string | null | undefined): (string | null)[] {
  const client = resolveClientAddress(trust, peer, forwardedFor);
  if (client === peer || (trust && 'proxies' in trust && peerIsTrustedProxy(trust, peer))) return [client];
  return [client, peer];
}
