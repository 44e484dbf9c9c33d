/**
 * Secrets never leave through the admin API (docs/design.md#configuration): channel configs are shown
 * without webhook secrets, header values or URL credentials, and every JSON answer is
 * scrubbed of every secret the process knows on its way out.
 */
import type { MiddlewareHandler } from 'hono';
import type { Env } from '../../config/env.js';
import { secretValues } from '../../config/secrets.js';
import type { RulesConfig } from '../../config/rules/rules.js';
import { RuleRegex } from '../../config/rules/regex.js';
import type { MatchSpec } from '../../config/rules/types.js';
import type { ChannelConfig } from '../../config/channel-config.js';
import { urlOrigin } from '../../lib/url-origin.js';

export const REDACTED = '[redacted]';

/** A URL as its origin only (`scheme://host[:port]`): user info, path and query may carry credentials. */
export function redactUrl(url: string): string {
  return urlOrigin(url) ?? REDACTED;
}

/** A channel's configuration as operators may see it. */
export function redactChannelConfig(config: ChannelConfig): Record<string, unknown> {
  switch (config.type) {
    case 'webhook':
      return {
        type: 'webhook',
        url: redactUrl(config.url),
        secret: REDACTED,
        ...(config.timeoutMs !== undefined && { timeoutMs: config.timeoutMs }),
        ...(config.headers && { headers: Object.fromEntries(Object.keys(config.headers).map((k) => [k, REDACTED])) }),
      };
    case 'email':
    case 'slack':
    case 'log':
    case 'colt-ticket':
      // Addresses, Slack channel ids, templates and ticket fields hold no credentials.
      return { ...config };
  }
}

/** A loaded `match`, back in rules-file terms: a list of maps `{ field: { op: arg } }`. */
function describeMatch(match: MatchSpec | undefined): Record<string, Record<string, unknown>>[] | null {
  if (!match) return null;
  return match.map((clause) =>
    Object.fromEntries(
      clause.map((condition) => [
        condition.field,
        Object.fromEntries(condition.tests.map((t) => [t.op, t.arg instanceof RuleRegex ? t.arg.source : t.arg])),
      ]),
    ),
  );
}

/** The rules in force, channels redacted. */
export function describeRules(rules: RulesConfig) {
  return {
    channels: Object.fromEntries(Object.entries(rules.channels).map(([name, c]) => [name, redactChannelConfig(c)])),
    rules: rules.rules.map((r) => ({
      name: r.name,
      match: describeMatch(r.match),
      notify: [...r.notify],
      stop: r.stop,
      stale: r.stale ?? false,
      ...(r.group && { group: r.group }),
    })),
  };
}

/** A URL as written, as parsed (normalised) and without its user info: how an error may quote it. */
function urlForms(url: string): string[] {
  try {
    const parsed = new URL(url);
    const forms = [url, parsed.href];
    parsed.username = '';
    parsed.password = '';
    return [...forms, parsed.href];
  } catch {
    return [url];
  }
}

/** Every secret string → what to show instead, longest first (a secret may contain another). */
export function secretReplacements(env: Env, rules: RulesConfig | null): [string, string][] {
  // A webhook URL quoted whole keeps its origin visible; everything else is hidden outright.
  const pairs = new Map<string, string>();
  for (const config of Object.values(rules?.channels ?? {})) {
    if (config.type === 'webhook') for (const form of urlForms(config.url)) pairs.set(form, redactUrl(config.url));
  }
  // secretValues leaves out values too short to scrub (MIN_SECRET_LENGTH), as for the dashboard.
  for (const secret of secretValues(env, rules)) if (!pairs.has(secret)) pairs.set(secret, REDACTED);
  return [...pairs].sort((a, b) => b[0].length - a[0].length);
}

/**
 * Scrubs every JSON answer of /api on its way out. Stored text can quote a secret the
 * configuration holds (a transport error naming a webhook URL with credentials), so the
 * last line of defence is the answer itself, whatever route produced it.
 */
export function scrubJsonResponses(replacements: () => [string, string][]): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (!c.res.headers.get('content-type')?.includes('application/json')) return;
    const pairs = replacements().map(([secret, shown]) => [jsonText(secret), jsonText(shown)] as const);
    const text = await c.res.text();
    const scrubbed = pairs.reduce((t, [secret, shown]) => t.split(secret).join(shown), text);
    c.res = new Response(scrubbed, { status: c.res.status, headers: c.res.headers });
  };
}

/** How a string appears inside a JSON string literal. */
function jsonText(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

/** Replaces every secret in every string of a JSON-like value. */
export function scrubSecrets<T>(value: T, replacements: [string, string][]): T {
  const scrub = (v: unknown): unknown => {
    if (typeof v === 'string') return replacements.reduce((s, [secret, shown]) => s.split(secret).join(shown), v);
    if (Array.isArray(v)) return v.map(scrub);
    if (v instanceof Date) return v;
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrub(x)]));
    return v;
  };
  return scrub(value) as T;
}
