import { formatNumbers, type NormalisedEvent } from '../event/event.js';
import { PLACEHOLDER } from '../config/template-fields.js';

/** How a rendered value is escaped for its target. */
export type Escape = 'html' | 'mrkdwn' | 'none';

const ESCAPERS: Record<Escape, (s: string) => string> = {
  html: (s) =>
    s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!),
  // Slack mrkdwn: only &, < and > are control characters (https://api.slack.com/reference/surfaces/formatting#escaping).
  mrkdwn: (s) => s.replace(/[&<>]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!),
  none: (s) => s,
};

export function escapeFor(target: Escape, value: string): string {
  return ESCAPERS[target](value);
}

/** Looks up `a.b.c` in the event; `numbers` renders as a readable list. */
export function lookupField(event: NormalisedEvent, path: string): unknown {
  if (path === 'numbers') return formatNumbers(event.numbers);
  let value: unknown = event;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/**
 * Replaces `{{field}}` placeholders with event values, escaped for the target.
 * A plain string scan: no `eval`, no `new Function` (Workers forbid both).
 * Unknown fields render as an empty string.
 */
export function renderTemplate(template: string, event: NormalisedEvent, target: Escape): string {
  return template.replace(PLACEHOLDER, (_, path: string) => escapeFor(target, stringify(lookupField(event, path))));
}
