/**
 * Which configured values are secrets: the one list the logs, the admin API and the dashboard
 * scrub with. It is derived from VARIABLES (env.ts): a variable marked `secret: true` is
 * scrubbed, a URL setting wherever it carries credentials. Rules secrets (webhook URLs,
 * signing secrets, headers) are added from the rules in force.
 */
import { VARIABLES, type Env, type EnvName } from './env.js';
import type { RulesConfig } from './rules/rules.js';

/**
 * Shorter values are not scrubbed by either surface: they would mangle ordinary text and
 * guard nothing (a secret that short is guessable anyway).
 */
export const MIN_SECRET_LENGTH = 8;

/** The variables VARIABLES marks secret: tokens, passwords, and URLs that may carry credentials. */
export const SECRET_VARIABLES = (Object.keys(VARIABLES) as EnvName[]).filter((name) => VARIABLES[name].secret === true);

/** `scheme://…`: a URL setting, secret only where it carries credentials. */
const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * What of a URL is secret: nothing when it carries neither user info nor a query (PUBLIC_URL,
 * Slack's default API URL); else the URL as given and as parsed, its password raw and decoded,
 * and its query values (tokens live there). Errors may quote any of these.
 */
function urlSecrets(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const u = new URL(url);
    if (!u.username && !u.password && !u.search) return [];
    return [url, u.href, u.password, decodeURIComponent(u.password), ...u.searchParams.values()];
  } catch {
    return [url];
  }
}

/** A webhook URL is secret when it carries user info, a path beyond `/` or a query (tokens live there). */
function webhookUrlSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    const plain = !u.username && !u.password && !u.search && (u.pathname === '/' || u.pathname === '');
    return plain ? [] : [url, ...urlSecrets(url)];
  } catch {
    return [url];
  }
}

/** The texts worth scrubbing for one secret variable's value. */
function variableSecrets(name: EnvName, value: unknown): string[] {
  // key=value lists (OTEL_EXPORTER_OTLP_HEADERS): each value on its own.
  if (value !== null && typeof value === 'object') return Object.values(value).filter((v): v is string => typeof v === 'string');
  if (typeof value !== 'string') return [];
  if (URL_LIKE.test(value)) return urlSecrets(value);
  // Several Colt pairs: each secret on its own, as an error could quote one.
  if (name === 'COLT_CLIENT_SECRET') return [value, ...value.split(',').map((s) => s.trim())];
  // user:password: the password on its own too.
  if (name === 'CALLBACK_BASIC_AUTH') return [value, value.slice(value.indexOf(':') + 1)];
  return [value];
}

/** Every secret value of the environment and of the rules in force worth scrubbing, each once (unordered). */
export function secretValues(env: Env, rules: RulesConfig | null | undefined): string[] {
  const values: (string | undefined)[] = SECRET_VARIABLES.flatMap((name) => variableSecrets(name, env[name]));
  for (const channel of Object.values(rules?.channels ?? {})) {
    if (channel.type !== 'webhook') continue;
    values.push(channel.secret, ...webhookUrlSecrets(channel.url), ...Object.values(channel.headers ?? {}));
  }
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v.length >= MIN_SECRET_LENGTH))];
}

/** What stands for a secret part of a URL in span attributes (OpenTelemetry's convention). */
export const URL_REDACTED = 'REDACTED';

/**
 * A URL as a span's `url.full` may show it (docs/operations.md#tracing): user info and every
 * query value replaced by `REDACTED`, as OpenTelemetry's conventions ask. With `pathIsSecret`
 * (webhook URLs: a path beyond `/` may be the receiver's token, as `webhookUrlSecrets` above
 * holds) the path goes too. An unparsable URL shows as `REDACTED`.
 */
export function spanUrl(url: string, options: { pathIsSecret?: boolean } = {}): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return URL_REDACTED;
  }
  if (u.username || u.password) {
    u.username = URL_REDACTED;
    u.password = URL_REDACTED;
  }
  for (const key of new Set(u.searchParams.keys())) u.searchParams.set(key, URL_REDACTED);
  if (options.pathIsSecret && u.pathname !== '/' && u.pathname !== '') u.pathname = `/${URL_REDACTED}`;
  u.hash = '';
  return u.href;
}
