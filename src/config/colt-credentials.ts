/**
 * COLT_CLIENT_ID / COLT_CLIENT_SECRET as credential pairs: Colt allows up to five per
 * company account, so a pair can be rotated without downtime (docs/colt.md#credentials).
 * Parsed with the rest of the environment; src/colt/credentials.ts walks the pairs.
 */

/** Colt allows this many client credential pairs per company account. */
export const MAX_CREDENTIAL_PAIRS = 5;

export interface CredentialPair {
  clientId: string;
  /** Never logged, never shown. */
  clientSecret: string;
}

/**
 * Pairs from COLT_CLIENT_ID / COLT_CLIENT_SECRET (comma-separated, paired by position).
 * Returns the problems instead when the lists do not pair up; problems name the
 * variables and counts, never a value.
 */
export function parseCredentialPairs(
  ids: string | undefined,
  secrets: string | undefined,
): { ok: true; pairs: CredentialPair[] } | { ok: false; problems: string[] } {
  const split = (value: string | undefined) => (value ?? '').split(',').map((s) => s.trim());
  const idList = ids ? split(ids) : [];
  const secretList = secrets ? split(secrets) : [];
  const problems: string[] = [];
  if (idList.length !== secretList.length) {
    problems.push(
      `COLT_CLIENT_ID has ${idList.length} value(s) but COLT_CLIENT_SECRET has ${secretList.length}: they are paired by position (comma-separated)`,
    );
  }
  if (idList.length > MAX_CREDENTIAL_PAIRS) {
    problems.push(`COLT_CLIENT_ID/COLT_CLIENT_SECRET: at most ${MAX_CREDENTIAL_PAIRS} pairs (Colt allows ${MAX_CREDENTIAL_PAIRS} per account), got ${idList.length}`);
  }
  if (idList.some((id) => id === '') || secretList.some((s) => s === '')) {
    problems.push('COLT_CLIENT_ID/COLT_CLIENT_SECRET: an empty value between commas');
  }
  if (new Set(idList).size !== idList.length) problems.push('COLT_CLIENT_ID: the same client id is listed twice');
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, pairs: idList.map((clientId, i) => ({ clientId, clientSecret: secretList[i]! })) };
}
