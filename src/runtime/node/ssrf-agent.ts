import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { isPrivateAddress, SSRF_BLOCKED_CODE } from '../../deliver/channels/webhook/ssrf.js';

/** Resolves a host name to every address it has. */
export type ResolveAll = (hostname: string) => Promise<LookupAddress[]>;

export interface SsrfSafeAgentOptions {
  /**
   * Resolver used at connect time. Tests inject one that maps a name to 127.0.0.1.
   * @default node:dns lookup with `{ all: true }`
   */
  resolve?: ResolveAll;
  /** TCP + TLS connect timeout. @default 10000 */
  connectTimeoutMs?: number;
  /** Idle keep-alive sockets are closed after this long. @default 4000 */
  keepAliveTimeoutMs?: number;
}

/** Raised (as the `cause` of fetch's TypeError) when a connection would reach a private address. */
export class SsrfBlockedError extends Error {
  readonly code = SSRF_BLOCKED_CODE;
  constructor(message: string) {
    super(message);
    this.name = 'SsrfBlockedError';
  }
}

const systemResolve: ResolveAll = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });

/**
 * A `net.connect` lookup that resolves once, refuses if ANY address is private (a name
 * with one public and one private record is an attack, not a fallback), and hands the
 * checked addresses to the socket so nothing resolves the name a second time.
 */
function createCheckedLookup(resolve: ResolveAll): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname).then(
      (all) => {
        const family = typeof options.family === 'number' ? options.family : 0;
        const addresses = family === 4 || family === 6 ? all.filter((a) => a.family === family) : all;
        if (addresses.length === 0) {
          const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
          callback(err, '', 0);
          return;
        }
        const blocked = addresses.find((a) => isPrivateAddress(a.address));
        if (blocked) {
          callback(new SsrfBlockedError(`${hostname} resolves to private address ${blocked.address}`), '', 0);
          return;
        }
        if (options.all) {
          // Node's typings only describe the single-address form; with `all` it takes a list.
          (callback as unknown as (err: null, addresses: LookupAddress[]) => void)(null, addresses);
        } else {
          callback(null, addresses[0]!.address, addresses[0]!.family);
        }
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 0),
    );
  };
}

/**
 * An undici `Agent` for webhook delivery that cannot reach private, loopback or
 * link-local addresses (docs/design.md#webhook-format, docs/design.md#platform-notes: global fetch ignores `agent`, so the guard
 * must live in the dispatcher). IP literals are checked before connecting; names are
 * resolved once and checked, and the socket connects to the checked addresses, which
 * closes the DNS-rebinding window between a URL check and the connect. Node's global
 * fetch (undici 7 inside Node 22 and 24) accepts this undici 7 Agent as `dispatcher`; an
 * undici 8 Agent is refused (UND_ERR_INVALID_ARG), so the package stays on 7.
 */
export function createSsrfSafeAgent(options: SsrfSafeAgentOptions = {}): Agent {
  const base = buildConnector({
    timeout: options.connectTimeoutMs ?? 10_000,
    lookup: createCheckedLookup(options.resolve ?? systemResolve),
  });
  const connect: buildConnector.connector = (opts, callback) => {
    const host = opts.hostname.replace(/^\[|\]$/g, '');
    // net.connect skips the lookup for IP literals, so they are judged here.
    if (isIP(host) && isPrivateAddress(host)) {
      callback(new SsrfBlockedError(`address ${host} is private or reserved`), null);
      return;
    }
    base(opts, (err, socket) => {
      if (err) return callback(err, null);
      // Belt and braces: the peer we actually reached must be public too.
      const remote = socket!.remoteAddress;
      if (remote && isPrivateAddress(remote)) {
        socket!.destroy();
        return callback(new SsrfBlockedError(`connected to private address ${remote}`), null);
      }
      callback(null, socket!);
    });
  };
  return new Agent({ connect, keepAliveTimeout: options.keepAliveTimeoutMs ?? 4_000 });
}
