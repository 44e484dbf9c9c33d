/**
 * Several Colt client credential pairs (docs/colt.md#credentials: up to 5 per company account), so a
 * pair can be rotated without downtime: add the new pair, drop the old one later. The
 * token request walks the pairs in order; a pair the token endpoint refuses (401) is
 * skipped for the next, named by its client id (never its secret).
 */
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { ColtTokenError } from './colt-errors.js';
import type { IssuedToken } from './token-cache.js';
import type { CredentialPair } from '../config/colt-credentials.js';

export type { CredentialPair } from '../config/colt-credentials.js';

/** What the API and /metrics show about the pairs: client ids only. */
export interface CredentialStatus {
  /** The client id whose token is in use; null before the first token. */
  inUse: string | null;
  pairs: { clientId: string; state: 'in_use' | 'refused' | 'standby'; refusedAt: string | null; reason: string | null }[];
}

export interface CredentialRotation {
  /** A token from the first pair the endpoint accepts, starting with the one in use. */
  fetchToken(): Promise<IssuedToken>;
  status(): CredentialStatus;
}

export interface CredentialRotationOptions {
  pairs: CredentialPair[];
  /** One token request with one pair; throws ColtTokenError. */
  requestWith(pair: CredentialPair): Promise<IssuedToken>;
  clock: Clock;
  logger: Logger;
  /** Told when a pair is refused or becomes the one in use. */
  onChange?(event: 'in_use' | 'refused', clientId: string): void;
}

const isRefusal = (error: unknown): error is ColtTokenError => error instanceof ColtTokenError && error.status === 401;

/**
 * Tries the pair in use first, then the others in configured order. A refused pair is
 * warned about once (until it works again) and skipped; any other failure (5xx, timeout,
 * 429) says nothing about the pair, so it is thrown as is without trying the next.
 */
export function createCredentialRotation(options: CredentialRotationOptions): CredentialRotation {
  const { pairs, clock, logger } = options;
  if (pairs.length === 0) throw new TypeError('Colt credentials: at least one client id/secret pair is required');
  let current = 0;
  let inUse: string | null = null;
  const refused = new Map<string, { at: string; reason: string }>();

  return {
    async fetchToken() {
      let lastRefusal: ColtTokenError | null = null;
      for (let step = 0; step < pairs.length; step++) {
        const index = (current + step) % pairs.length;
        const pair = pairs[index]!;
        try {
          const token = await options.requestWith(pair);
          if (inUse !== pair.clientId) {
            logger.info({ clientId: pair.clientId }, 'colt credentials in use');
            options.onChange?.('in_use', pair.clientId);
          }
          current = index;
          inUse = pair.clientId;
          refused.delete(pair.clientId);
          return token;
        } catch (error) {
          if (!isRefusal(error)) throw error;
          lastRefusal = error;
          if (!refused.has(pair.clientId)) {
            const next = pairs.length > 1 ? pairs[(index + 1) % pairs.length]!.clientId : null;
            logger.warn(
              { clientId: pair.clientId, status: error.status, code: error.code, next },
              `colt token endpoint refused client id ${pair.clientId} (401)${next ? `; trying ${next}` : ''}: check COLT_CLIENT_ID/COLT_CLIENT_SECRET`,
            );
            options.onChange?.('refused', pair.clientId);
          }
          refused.set(pair.clientId, { at: new Date(clock.now()).toISOString(), reason: error.message });
          if (inUse === pair.clientId) inUse = null;
        }
      }
      throw lastRefusal!;
    },
    status() {
      return {
        inUse,
        pairs: pairs.map(({ clientId }) => {
          const refusal = refused.get(clientId);
          return {
            clientId,
            state: clientId === inUse ? 'in_use' : refusal ? 'refused' : 'standby',
            refusedAt: refusal?.at ?? null,
            reason: refusal?.reason ?? null,
          };
        }),
      };
    },
  };
}
