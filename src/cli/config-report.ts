/**
 * What `colt-relay config show` reports: every variable of VARIABLES (src/config/env.ts) with
 * the value in effect, where it came from, and its problem if it has one; the rules source;
 * the Colt environment in use. Secrets never leave this module: a `secret` variable shows
 * `[redacted]` (a URL keeps scheme, host and path, with `***` for user info, query values and
 * fragment), any other URL loses its user info and query values the same way, and RULES (text
 * that may hold webhook secrets) is never shown. Pure: the command reads files and the environment.
 */
import { resolveColtEndpoints } from '../colt/endpoints.js';
import { coltEnvironmentGuessed, configWarnings, ConfigError, ENV_GROUPS, parseEnv, VARIABLES, type EnvGroup, type EnvName } from '../config/env.js';
import type { RulesOrigin } from '../config/rules/rules.js';
import { MIN_SECRET_LENGTH } from '../config/secrets.js';

/** Where a value came from: the environment, a file node read with --env-file, the documented default, or nowhere. */
export type ValueSource = 'env' | 'env-file' | 'default' | 'unset';

export interface ConfigEntry {
  name: EnvName;
  group: EnvGroup;
  source: ValueSource;
  /** The file it was read from, when `source` is `env-file`. */
  file: string | null;
  /** The text in effect (as set, or the documented default), redacted; null when unset. */
  value: string | null;
  /** True when `value` hides all or part of what was set. */
  redacted: boolean;
  /** Marked secret in VARIABLES: never shown. */
  secret: boolean;
  /** Why the value is not accepted; null when it is. */
  problem: string | null;
}

export interface ConfigReport {
  ok: boolean;
  variables: ConfigEntry[];
  rules: { variable: 'RULES' | 'RULES_FILE' | null; source: string; origin: RulesOrigin; ok: boolean; problems: number };
  colt: ColtEnvironmentInUse;
  /** Env files: those node read (`--env-file`), and ./.env when it exists but was not read. */
  envFiles: { path: string; loaded: boolean }[];
  /** Every problem; serve would refuse to start with any of them. */
  problems: string[];
  /** Weak but working settings, as serve logs them at start. */
  warnings: string[];
}

export interface ConfigInput {
  /** The process environment (after node applied any --env-file). */
  env: Record<string, string | undefined>;
  /** The files node read with --env-file, each with its variables. */
  envFiles: { path: string; values: Record<string, string> }[];
  /** ./.env exists here and was not among the files read. */
  unreadDotEnv: string | null;
  rules: { source: string; origin: RulesOrigin; ok: boolean; problems: number };
}

export const REDACTED = '[redacted]';
/** `scheme://…`: a URL whose user info, query and fragment may hold credentials. */
const AUTHORITY_URL = /^[a-z][a-z0-9+.-]*:\/\//i;

/** Builds the report, secrets scrubbed; `problems` empty means serve would accept this configuration. */
export function buildConfigReport(input: ConfigInput): ConfigReport {
  return scrubSecrets(buildReport(input), input.env);
}

function buildReport(input: ConfigInput): ConfigReport {
  const variables = (Object.keys(VARIABLES) as EnvName[]).map((name) => entryOf(name, input));
  const invalid = variables.filter((v) => v.problem !== null);
  const problems = invalid.map((v) => `${v.name}: ${v.problem}`);
  const warnings: string[] = [];
  // The checks across variables, on the valid ones, so every problem is listed at once.
  const valid = Object.fromEntries(Object.entries(input.env).filter(([name]) => !invalid.some((v) => v.name === name)));
  try {
    const env = parseEnv(valid);
    if (invalid.length === 0) warnings.push(...configWarnings(env));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  const variable = input.env.RULES?.trim() ? 'RULES' : input.env.RULES_FILE?.trim() ? 'RULES_FILE' : null;
  if (!input.rules.ok) {
    problems.push(`rules (${input.rules.source}): ${input.rules.problems} problem(s); \`colt-relay rules check\` lists them`);
  }
  return {
    ok: problems.length === 0,
    variables: variables.sort((a, b) => ENV_GROUPS.indexOf(a.group) - ENV_GROUPS.indexOf(b.group)),
    rules: { variable, ...input.rules },
    colt: coltEnvironmentInUse(input.env),
    envFiles: [
      ...input.envFiles.map((f) => ({ path: f.path, loaded: true })),
      ...(input.unreadDotEnv === null ? [] : [{ path: input.unreadDotEnv, loaded: false }]),
    ],
    problems,
    warnings,
  };
}

function entryOf(name: EnvName, input: ConfigInput): ConfigEntry {
  const doc = VARIABLES[name];
  const secret = doc.secret === true;
  const raw = input.env[name];
  const given = raw !== undefined && raw.trim() !== '';
  const parsed = doc.schema.safeParse(raw);
  const problem = parsed.success ? null : parsed.error.issues.map((i) => i.message).join('; ');
  if (!given) {
    const source: ValueSource = doc.default === undefined ? 'unset' : 'default';
    return { name, group: doc.group, source, file: null, value: doc.default ?? null, redacted: false, secret, problem };
  }
  const file = input.envFiles.find((f) => f.values[name] === raw)?.path ?? null;
  const value = showValue(name, raw, secret);
  return { name, group: doc.group, source: file ? 'env-file' : 'env', file, value, redacted: value !== raw, secret, problem };
}

/** The text shown for a set value: never a secret, not even part of one. */
function showValue(name: EnvName, raw: string, secret: boolean): string {
  if (name === 'RULES') return REDACTED;
  const url = redactUrl(raw.trim());
  if (url !== null) return url;
  return secret ? REDACTED : raw;
}

/**
 * `scheme://host[:port]/path` with `***` for user info, each query value and the fragment;
 * null when `text` is not a URL with an authority (`scheme://…`).
 */
export function redactUrl(text: string): string | null {
  if (!AUTHORITY_URL.test(text)) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  const userinfo = url.username || url.password ? '***@' : '';
  const query = [...url.searchParams.keys()].map((key) => `${encodeURIComponent(key)}=***`).join('&');
  const path = url.pathname === '/' && !text.slice(url.protocol.length + 2).includes('/') ? '' : url.pathname;
  return `${url.protocol}//${userinfo}${url.host}${path}${url.search ? `?${query}` : ''}${url.hash ? '#***' : ''}`;
}

/**
 * The secret texts of the environment, longest first: each non-URL secret whole (and each
 * comma-separated part, and a basic-auth password); of a URL, its password, query values and
 * fragment (its scheme, host and path are shown).
 */
function secretTexts(env: Record<string, string | undefined>): string[] {
  const texts = new Set<string>();
  for (const name of Object.keys(VARIABLES) as EnvName[]) {
    const raw = env[name]?.trim();
    if (!raw || (VARIABLES[name].secret !== true && name !== 'RULES')) continue;
    for (const part of secretParts(raw)) texts.add(part.trim());
  }
  return [...texts].filter((t) => t.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

function secretParts(raw: string): string[] {
  const url = AUTHORITY_URL.test(raw) && URL.canParse(raw) ? new URL(raw) : null;
  if (!url) return [raw, ...raw.split(','), raw.slice(raw.indexOf(':') + 1)];
  let decoded = url.password;
  try {
    decoded = decodeURIComponent(url.password);
  } catch {
    // A malformed escape: the raw password is listed already.
  }
  return [url.password, decoded, ...url.searchParams.values(), url.hash.slice(1)];
}

/**
 * Every string of the report with any secret value it quotes replaced: problem messages
 * come from parsers that may echo their input, and a report must never carry a secret.
 */
export function scrubSecrets<T>(value: T, env: Record<string, string | undefined>, secrets = secretTexts(env)): T {
  if (typeof value === 'string') return secrets.reduce((out, secret) => out.split(secret).join(REDACTED), value as string) as T;
  if (Array.isArray(value)) return value.map((v) => scrubSecrets(v, env, secrets)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubSecrets(v, env, secrets)])) as T;
  }
  return value;
}

/** The Colt API the relay would call, and why; `custom` when a base URL points elsewhere (mock-colt, a proxy). */
export interface ColtEnvironmentInUse {
  environment: 'sandbox' | 'production' | 'custom';
  why: string;
  /** Redacted as `config show` shows URLs. */
  apiBaseUrl: string;
  tokenUrl: string;
  /** COLT_CLIENT_ID and COLT_CLIENT_SECRET are both set: enrichment and the `colt` commands can call Colt. */
  credentials: boolean;
  /**
   * Nothing chose the environment (COLT_ENV unset, not both URLs): the ordering commands
   * refuse, and so does a production relay with credentials (docs/colt.md#sandbox-and-production).
   */
  guessed: boolean;
}

const COLT_HOSTS: Record<string, 'sandbox' | 'production'> = { 'apis.colt.net': 'production', 'sandbox.apis.colt.net': 'sandbox' };

/** The Colt environment derived from COLT_ENV and the URL overrides (one place, so a shared helper can replace it). */
export function coltEnvironmentInUse(env: Record<string, string | undefined>): ColtEnvironmentInUse {
  const chosen = env.COLT_ENV === 'production' ? 'production' : 'sandbox';
  const overrides = { apiBaseUrl: env.COLT_API_BASE_URL?.trim(), tokenUrl: env.COLT_TOKEN_URL?.trim() };
  const endpoints = resolveColtEndpoints(chosen, overrides);
  const host = hostOf(endpoints.apiBaseUrl);
  const byHost = host === null ? undefined : COLT_HOSTS[host];
  const environment = byHost ?? 'custom';
  const why = overrides.apiBaseUrl
    ? byHost
      ? `COLT_API_BASE_URL is Colt's ${byHost} host`
      : `COLT_API_BASE_URL points to ${host ?? 'an invalid URL'}, not a Colt host (mock-colt or a proxy)`
    : env.COLT_ENV === chosen
      ? `COLT_ENV=${chosen}`
      : env.COLT_ENV?.trim()
        ? 'COLT_ENV is neither sandbox nor production (see problems): the sandbox'
        : 'COLT_ENV is not set: the sandbox';
  return {
    environment,
    why,
    apiBaseUrl: redactUrl(endpoints.apiBaseUrl) ?? REDACTED,
    tokenUrl: redactUrl(endpoints.tokenUrl) ?? REDACTED,
    credentials: Boolean(env.COLT_CLIENT_ID?.trim() && env.COLT_CLIENT_SECRET?.trim()),
    guessed: coltEnvironmentGuessed(env),
  };
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname;
  } catch {
    return null;
  }
}
