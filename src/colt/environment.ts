/**
 * Which Colt environment the relay talks to, and whether anything chose it
 * (docs/colt.md#sandbox-and-production). Colt's sandbox answers like production but has no
 * network, billing or emergency services (docs/colt.md#endpoints), so an order placed there
 * by mistake looks placed while nothing is live: writes never run on a guessed environment.
 */
import { coltEnvironmentGuessed } from '../config/env.js';
import type { ColtEndpoints, ColtEnvironment } from './endpoints.js';
import { resolveColtEndpoints } from './endpoints.js';

/** Colt's published hosts (docs/colt.md#endpoints). */
export const COLT_HOSTS = { production: 'apis.colt.net', sandbox: 'sandbox.apis.colt.net' } as const;

/** Whose host a URL points at: one of Colt's, or another (mock-colt, a proxy). */
export type ColtHostKind = 'production' | 'sandbox' | 'other';

/** The settings that pick the environment, as the environment parser gives them. */
export interface ColtEnvironmentSettings {
  COLT_ENV?: ColtEnvironment | undefined;
  COLT_API_BASE_URL?: string | undefined;
  COLT_TOKEN_URL?: string | undefined;
}

/**
 * What `describeColtEnvironment` tells: for `colt …`, the startup log and `config show`.
 * `apiBaseUrl` and `tokenUrl` are the full URLs, which may carry credentials (both are
 * secret settings): show `apiHost`/`tokenHost` (no userinfo) and `summary` instead.
 */
export interface ColtEnvironmentDescription extends ColtEndpoints {
  /** Whose host the numbers API base URL is on. */
  kind: ColtHostKind;
  /** Whose host the token URL is on. */
  tokenKind: ColtHostKind;
  apiHost: string;
  tokenHost: string;
  /** What picked the URLs. */
  chosenBy: 'COLT_ENV' | 'COLT_API_BASE_URL and COLT_TOKEN_URL' | 'default';
  /** Nothing chose the environment (COLT_ENV unset, not both URLs given): writes refuse. */
  guessed: boolean;
  /** Settings that contradict each other (COLT_ENV=production with a sandbox URL, …). */
  warnings: string[];
  /** One line for people, e.g. "Colt SANDBOX (sandbox.apis.colt.net): …". */
  summary: string;
}

/** Whose host `host` is. */
export function coltHostKind(host: string): ColtHostKind {
  const name = host.toLowerCase().replace(/:443$/, '');
  if (name === COLT_HOSTS.production) return 'production';
  if (name === COLT_HOSTS.sandbox) return 'sandbox';
  return 'other';
}

function summaryOf(kind: ColtHostKind, host: string): string {
  if (kind === 'production') return `Colt PRODUCTION (${host}): orders are real`;
  if (kind === 'sandbox') {
    return `Colt SANDBOX (${host}): no network, billing or emergency services are provisioned, and Colt may answer with a mock`;
  }
  return `${host} (not a Colt host: a simulator or a proxy, from COLT_API_BASE_URL)`;
}

/**
 * The Colt environment the settings select, for `colt …`, `serve` and `config show`:
 * URLs, hosts, whether they are the sandbox, and what chose them.
 */
export function describeColtEnvironment(settings: ColtEnvironmentSettings): ColtEnvironmentDescription {
  const endpoints = resolveColtEndpoints(settings.COLT_ENV ?? 'sandbox', {
    apiBaseUrl: settings.COLT_API_BASE_URL,
    tokenUrl: settings.COLT_TOKEN_URL,
  });
  const apiHost = new URL(endpoints.apiBaseUrl).host;
  const tokenHost = new URL(endpoints.tokenUrl).host;
  const kind = coltHostKind(apiHost);
  const tokenKind = coltHostKind(tokenHost);
  const guessed = coltEnvironmentGuessed(settings);
  const chosenBy = settings.COLT_ENV !== undefined ? 'COLT_ENV' : guessed ? 'default' : 'COLT_API_BASE_URL and COLT_TOKEN_URL';
  const warnings: string[] = [];
  if (kind !== 'other' && tokenKind !== 'other' && kind !== tokenKind) {
    warnings.push(`the numbers API is Colt ${kind} (${apiHost}) but the token URL is Colt ${tokenKind} (${tokenHost}): check COLT_API_BASE_URL and COLT_TOKEN_URL`);
  }
  if (settings.COLT_ENV !== undefined) {
    for (const [name, hostKind, host] of [['COLT_API_BASE_URL', kind, apiHost], ['COLT_TOKEN_URL', tokenKind, tokenHost]] as const) {
      if (hostKind !== 'other' && hostKind !== settings.COLT_ENV) {
        warnings.push(`COLT_ENV=${settings.COLT_ENV} but ${name} points at Colt ${hostKind} (${host})`);
      }
    }
  }
  return { ...endpoints, kind, tokenKind, apiHost, tokenHost, chosenBy, guessed, warnings, summary: summaryOf(kind, apiHost) };
}

/**
 * Why a command that places orders (or a production relay) must not start, or null. Nothing
 * is sent before this check: a guessed environment is the sandbox, where an order looks
 * placed while nothing is live.
 */
export function coltEnvironmentRefusal(settings: ColtEnvironmentSettings): string | null {
  if (!coltEnvironmentGuessed(settings)) return null;
  return (
    `COLT_ENV is not set, so the Colt environment would be guessed (the sandbox, ${COLT_HOSTS.sandbox}). ` +
    'Set COLT_ENV=production for live orders or COLT_ENV=sandbox for tests ' +
    '(or give both COLT_API_BASE_URL and COLT_TOKEN_URL, e.g. for mock-colt)'
  );
}
