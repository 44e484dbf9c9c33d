/**
 * The secrets the dashboard must never show, and a last-line scrub of every page. Pages
 * are built not to render them (channels show origins and header names only); the scrub
 * catches what slips through anyway, e.g. a peer echoing its URL into an error message.
 */
import type { Env } from '../../config/env.js';
import type { RulesConfig } from '../../config/rules.js';

/** Shorter values are not scrubbed: they would mangle ordinary text and guard nothing. */
const MIN_SECRET_LENGTH = 8;

/** Password (and the whole URL) of a URL with user info: SMTP_URL, DATABASE_URL. */
function urlSecrets(url: string | undefined): string[] {
  if (!url) return [];
  try {
    const u = new URL(url);
    return u.password ? [url, decodeURIComponent(u.password), u.password] : [url];
  } catch {
    return [url];
  }
}

/** A webhook URL is a secret when it carries user info, a path beyond `/` or a query (tokens live there). */
function webhookUrlSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    const bare = `${u.protocol}//${u.host}`;
    return u.username || u.password || u.search || (u.pathname !== '/' && u.pathname !== '') ? [url, ...urlSecrets(url)].filter((s) => s !== bare) : [];
  } catch {
    return [url];
  }
}

/** Every secret value in the environment and the rules in force. */
export function collectSecrets(env: Env, rules: RulesConfig | undefined): string[] {
  const basic = env.CALLBACK_BASIC_AUTH;
  const values: (string | undefined)[] = [
    env.ADMIN_TOKEN,
    env.CALLBACK_TOKEN,
    basic,
    basic?.slice(basic.indexOf(':') + 1),
    env.CALLBACK_HMAC_SECRET,
    env.COLT_CLIENT_SECRET,
    env.COLT_API_KEY,
    env.SLACK_BOT_TOKEN,
    env.MAIL_API_KEY,
    ...urlSecrets(env.SMTP_URL),
    ...urlSecrets(env.DATABASE_URL),
  ];
  for (const channel of Object.values(rules?.channels ?? {})) {
    if (channel.type !== 'webhook') continue;
    values.push(channel.secret, ...webhookUrlSecrets(channel.url), ...Object.values(channel.headers ?? {}));
  }
  const unique = new Set(values.filter((v): v is string => typeof v === 'string' && v.length >= MIN_SECRET_LENGTH));
  // Longest first, so a URL is replaced whole before the password inside it.
  return [...unique].sort((a, b) => b.length - a.length);
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function htmlEscaped(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]!);
}

/** Replaces every secret, raw or HTML-escaped, with `[redacted]`. */
export function scrubSecrets(html: string, secrets: readonly string[]): string {
  let out = html;
  for (const secret of secrets) {
    out = out.replaceAll(secret, '[redacted]');
    const escaped = htmlEscaped(secret);
    if (escaped !== secret) out = out.replaceAll(escaped, '[redacted]');
  }
  return out;
}
