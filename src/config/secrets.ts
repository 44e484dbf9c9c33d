/**
 * Which configured values are secrets: the one list the admin API and the dashboard scrub
 * their answers with. Add a secret setting here and both surfaces hide it.
 */
import type { Env } from './env.js';
import type { RulesConfig } from './rules/rules.js';

/**
 * Shorter values are not scrubbed by either surface: they would mangle ordinary text and
 * guard nothing (a secret that short is guessable anyway).
 */
export const MIN_SECRET_LENGTH = 8;

const ENV_SECRETS = [
  'ADMIN_TOKEN',
  'METRICS_TOKEN',
  'CALLBACK_TOKEN',
  'CALLBACK_BASIC_AUTH',
  'CALLBACK_HMAC_SECRET',
  'COLT_CLIENT_SECRET',
  'COLT_API_KEY',
  'SLACK_BOT_TOKEN',
  'MAIL_API_KEY',
] as const satisfies readonly (keyof Env)[];

/** The whole URL, its password (raw and decoded) and its query values: errors may quote any of them. */
function urlSecrets(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const u = new URL(url);
    return [url, u.password, decodeURIComponent(u.password), ...u.searchParams.values()];
  } catch {
    return [url];
  }
}

/** A webhook URL is secret when it carries user info, a path beyond `/` or a query (tokens live there). */
function webhookUrlSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    const plain = !u.username && !u.password && !u.search && (u.pathname === '/' || u.pathname === '');
    return plain ? [] : urlSecrets(url);
  } catch {
    return [url];
  }
}

/** Every secret value of the environment and of the rules in force worth scrubbing, each once (unordered). */
export function secretValues(env: Env, rules: RulesConfig | null | undefined): string[] {
  const basic = env.CALLBACK_BASIC_AUTH;
  const values: (string | undefined)[] = [
    ...ENV_SECRETS.map((name) => env[name]),
    // Several Colt pairs: each secret on its own, as an error could quote one.
    ...(env.COLT_CLIENT_SECRET?.split(',').map((s) => s.trim()) ?? []),
    basic?.slice(basic.indexOf(':') + 1),
    ...urlSecrets(env.SMTP_URL),
    ...urlSecrets(env.DATABASE_URL),
    // The tracing backend's credentials (OTLP export headers), each value on its own.
    ...Object.values(env.OTEL_EXPORTER_OTLP_HEADERS ?? {}),
    ...Object.values(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS ?? {}),
  ];
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
