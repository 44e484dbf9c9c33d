/**
 * Several Colt client credential pairs (docs/colt.md#credentials: up to 5 per company account), so a
 * pair can be rotated without downtime: add the new pair, drop the old one later. The
 * token request walks the pairs in order; a pair the token endpoint refuses (401) is
 * skipped for the next, named by its client id (never its secret).
 */
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { CHECK_TOKEN_URL, ColtTokenError } from './colt-errors.js';
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
 *
 * A 401 says something about a pair only once the URL has proved to be Colt's token
 * endpoint (some pair got a token from it). Until then, every pair refused most likely means
 * the wrong URL or environment (docs/colt.md#token-errors): no pair is marked refused, and
 * the error names COLT_TOKEN_URL first.
 */
export function createCredentialRotation(options: CredentialRotationOptions): CredentialRotation {
  const { pairs, clock, logger } = options;
  if (pairs.length === 0) throw new TypeError('Colt credentials: at least one client id/secret pair is required');
  let current = 0;
  let inUse: string | null = null;
  // Some pair got a token from this URL: from then on a 401 is about the pair, not the URL.
  let urlProven = false;
  let urlWarned = false;
  const refused = new Map<string, { at: string; reason: string }>();
  const suspectUrl = new Map<string, string>();

  return {
    async fetchToken() {
      let lastRefusal: ColtTokenError | null = null;
      const refusedNow: { pair: CredentialPair; error: ColtTokenError; index: number }[] = [];
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
          suspectUrl.clear();
          // The pairs tried before this one were refused by a URL that works: they are refused.
          if (!urlProven) for (const earlier of refusedNow) markRefused(earlier.pair, earlier.error, earlier.index);
          urlProven = true;
          return token;
        } catch (error) {
          if (!isRefusal(error)) throw error;
          lastRefusal = error;
          if (!urlProven) {
            refusedNow.push({ pair, error, index });
            continue;
          }
          markRefused(pair, error, index);
        }
      }
      if (!urlProven) throw everyPairRefused(lastRefusal!);
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
            reason: refusal?.reason ?? suspectUrl.get(clientId) ?? null,
          };
        }),
      };
    },
  };

  /** No token yet from this URL and every pair refused: the URL (or environment) first, then the pairs. */
  function everyPairRefused(last: ColtTokenError): ColtTokenError {
    const which = pairs.length > 1 ? `all ${pairs.length} client id/secret pairs` : 'the client id/secret pair';
    const error = new ColtTokenError({
      status: last.status,
      ...(last.code !== null && { code: last.code }),
      ...(last.coltMessage !== null && { coltMessage: last.coltMessage }),
      trackingId: last.trackingId,
      retryable: false,
      context: last.context,
      meaning: `${which} refused, and no token has come from this URL yet`,
      nextStep: `${CHECK_TOKEN_URL} Then COLT_ENV (sandbox and production credentials differ), then COLT_CLIENT_ID/COLT_CLIENT_SECRET.`,
    });
    for (const pair of pairs) suspectUrl.set(pair.clientId, error.message);
    if (!urlWarned) {
      urlWarned = true;
      logger.warn({ status: last.status, code: last.code, clientIds: pairs.map((p) => p.clientId) }, error.message);
    }
    return error;
  }

  function markRefused(pair: CredentialPair, error: ColtTokenError, index: number): void {
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
