/**
 * Standard Webhooks signatures with Web Crypto (HMAC-SHA256 through crypto.subtle), so the
 * Worker bundle carries no JavaScript SHA-256. The tests verify every signature with the
 * `standardwebhooks` package itself (test/support/webhook-peer.ts).
 */
import { fromBase64, toBase64 } from '../../../lib/base64.js';

const SECRET_PREFIX = 'whsec_';
const encoder = new TextEncoder();

/** Signs `<id>.<timestamp seconds>.<body>`; the result is the `webhook-signature` header. */
export type WebhookSigner = (id: string, timestampS: number, body: string) => Promise<string>;

/**
 * A signer for a `whsec_<base64>` secret. Throws now, without quoting the secret, when it is
 * not base64, so a bad secret is found when the channel is built rather than on the first send.
 */
export function createWebhookSigner(secret: string): WebhookSigner {
  const key = fromBase64(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret);
  if (!key || key.length === 0) throw new Error('webhook secret is not base64 (expected whsec_<base64>)');
  let hmacKey: Promise<CryptoKey> | undefined;
  return async (id, timestampS, body) => {
    hmacKey ??= crypto.subtle.importKey('raw', key as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const mac = await crypto.subtle.sign('HMAC', await hmacKey, encoder.encode(`${id}.${timestampS}.${body}`));
    return `v1,${toBase64(new Uint8Array(mac))}`;
  };
}
