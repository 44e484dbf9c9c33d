import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { createWebhookSigner } from './signature.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** `standardwebhooks` is the oracle: what it accepts is a valid Standard Webhooks signature. */
function verify(secret: string, id: string, timestampS: number, body: string, signature: string): unknown {
  const headers = { 'webhook-id': id, 'webhook-timestamp': String(timestampS), 'webhook-signature': signature };
  return new Webhook(secret).verify(body, headers);
}

describe('createWebhookSigner (Web Crypto)', () => {
  const now = Math.floor(Date.now() / 1000);
  const body = JSON.stringify({ type: 'order.completed', data: { orderId: 'IN-ORD-1', note: 'ünïcode ✓' } });

  it('makes signatures the standardwebhooks library verifies', async () => {
    const signature = await createWebhookSigner(SECRET)('msg_1', now, body);
    expect(signature).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(verify(SECRET, 'msg_1', now, body, signature)).toEqual(JSON.parse(body));
    // Same bytes as the library's own signer.
    expect(signature).toBe(new Webhook(SECRET).sign('msg_1', new Date(now * 1000), body));
  });

  it('signs id, timestamp and body: a change to any of them fails verification', async () => {
    const signature = await createWebhookSigner(SECRET)('msg_1', now, body);
    expect(() => verify(SECRET, 'msg_2', now, body, signature)).toThrow();
    expect(() => verify(SECRET, 'msg_1', now + 1, body, signature)).toThrow();
    expect(() => verify(SECRET, 'msg_1', now, `${body} `, signature)).toThrow();
    expect(() => verify('whsec_dGhlIG90aGVyIGtleQ==', 'msg_1', now, body, signature)).toThrow();
  });

  it('refuses a secret that is not base64 without quoting it', () => {
    const error = (() => {
      try {
        createWebhookSigner('whsec_not*base64!secretvalue');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error?.message).toMatch(/not base64/);
    expect(error?.message).not.toContain('secretvalue');
  });
});
