/**
 * The webhook transport on Workers. Node checks where a host name resolves at connect
 * time (src/runtime/node/ssrf-agent.ts); a Worker cannot resolve names or see the address it
 * connects to, so the guard here is stricter about what it can judge: besides the checks
 * every send makes (`checkWebhookUrl`: private names, single-label names, private IP
 * literals), it refuses every IP literal. Webhook URLs must use a DNS name.
 */
import { SSRF_BLOCKED_CODE } from '../../deliver/channels/webhook/ssrf.js';

/** Raised instead of connecting; its code makes the webhook channel fail the delivery permanently. */
export class WorkerSsrfError extends Error {
  readonly code = SSRF_BLOCKED_CODE;
  constructor(message: string) {
    super(message);
    this.name = 'WorkerSsrfError';
  }
}

/** True for `1.2.3.4` and `[…]` hosts: the WHATWG parser has already normalised other IPv4 spellings. */
export function isIpLiteralHost(hostname: string): boolean {
  return hostname.startsWith('[') || /^\d{1,3}(\.\d{1,3}){3}$/.test(hostname.replace(/\.+$/, ''));
}

/**
 * A fetch for webhooks that refuses IP-literal URLs unless `allowPrivate`
 * (WEBHOOK_ALLOW_PRIVATE, used by tests against a loopback receiver).
 */
export function createWorkerWebhookFetch(allowPrivate: boolean): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (!allowPrivate && isIpLiteralHost(url.hostname)) {
      throw new WorkerSsrfError(
        `IP address ${url.hostname} refused: on Workers webhook URLs must use a host name (a Worker cannot see where a name ` +
          'resolves, so it refuses every IP address); WEBHOOK_ALLOW_PRIVATE=true allows IP addresses and private hosts ' +
          '(set it only when the receiver is on a network you trust)',
      );
    }
    return fetch(input, init);
  };
}
