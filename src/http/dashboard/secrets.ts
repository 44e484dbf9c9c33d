/**
 * The secrets the dashboard must never show, and a last-line scrub of every page. Pages
 * are built not to render them (channels show origins and header names only); the scrub
 * catches what slips through anyway, e.g. a peer echoing its URL into an error message.
 */
import type { Env } from '../../config/env.js';
import type { RulesConfig } from '../../config/rules/rules.js';
import { secretValues } from '../../config/secrets.js';

/** Every secret value in the environment and the rules in force, longest first. */
export function collectSecrets(env: Env, rules: RulesConfig | undefined): string[] {
  // Longest first, so a URL is replaced whole before the password inside it.
  return secretValues(env, rules).sort((a, b) => b.length - a.length);
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
