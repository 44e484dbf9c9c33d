/**
 * Colt's published base URLs (docs/colt.md#endpoints). Both can be overridden
 * (COLT_API_BASE_URL, COLT_TOKEN_URL) for the simulator or a proxy.
 */

export const COLT_ENVIRONMENTS = ['sandbox', 'production'] as const;
export type ColtEnvironment = (typeof COLT_ENVIRONMENTS)[number];

export interface ColtEndpoints {
  /** Base of the numbers API, without a trailing slash: `…/numberManagement/inbound/v1`. */
  apiBaseUrl: string;
  /** Full URL of the OAuth2 token endpoint. */
  tokenUrl: string;
}

/** Path of the numbers API below the host. */
export const COLT_API_PATH = '/numberManagement/inbound/v1';
/** Path of the token endpoint below the host. */
export const COLT_TOKEN_PATH = '/authentication/v1/oauth/token';

const HOSTS: Record<ColtEnvironment, string> = {
  production: 'https://apis.colt.net',
  sandbox: 'https://sandbox.apis.colt.net',
};

/** The API base and token URLs of one Colt environment. */
export function coltEndpoints(env: ColtEnvironment): ColtEndpoints {
  const host = HOSTS[env];
  return { apiBaseUrl: host + COLT_API_PATH, tokenUrl: host + COLT_TOKEN_PATH };
}

/** Endpoints for `env`, with either URL replaced when an override is given. */
export function resolveColtEndpoints(
  env: ColtEnvironment,
  overrides: { apiBaseUrl?: string | undefined; tokenUrl?: string | undefined } = {},
): ColtEndpoints {
  const defaults = coltEndpoints(env);
  return {
    apiBaseUrl: (overrides.apiBaseUrl || defaults.apiBaseUrl).replace(/\/+$/, ''),
    tokenUrl: overrides.tokenUrl || defaults.tokenUrl,
  };
}

export function isColtEnvironment(value: unknown): value is ColtEnvironment {
  return value === 'sandbox' || value === 'production';
}
