/**
 * `colt-relay secret`: a fresh webhook signing secret in the Standard Webhooks format,
 * `whsec_` and the base64 of 32 random bytes, for a webhook channel's `secret` (docs/channels.md).
 * Only the secret goes to stdout, so `colt-relay secret > hook.secret` or `$(colt-relay secret)` work.
 */
import { randomBytes } from 'node:crypto';
import { parseCommandLine } from './args.js';
import type { OpsIo } from './ops.command.js';
import { COMMAND_USAGE } from './usage.js';

/** Bytes of randomness: 256 bits, the key length of the HMAC-SHA256 it signs with. */
export const SECRET_BYTES = 32;

/** `whsec_<base64 of SECRET_BYTES random bytes>`. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(SECRET_BYTES).toString('base64')}`;
}

export function runSecret(args: string[], io: Pick<OpsIo, 'stdout' | 'stderr'>): number {
  const parsed = parseCommandLine(args, {});
  if (!parsed.ok) {
    io.stderr(`colt-relay secret: ${parsed.message}\n\n${COMMAND_USAGE['secret']}`);
    return 2;
  }
  io.stdout(`${newWebhookSecret()}\n`);
  return 0;
}
