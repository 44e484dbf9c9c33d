/** Text formatting for the dashboard: times, durations, JSON. Pure functions, no markup. */
import { urlOrigin } from '../../lib/url-origin.js';

/** `2026-11-26 10:20:03Z`: UTC, second precision, sortable; on-call people span time zones. */
export function formatTime(at: Date | string | null | undefined): string {
  if (!at) return '—';
  const d = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(d.getTime())) return '—';
  return `${d.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** A short human duration: `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 48) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** `5 min ago` / `in 30 s`, relative to the request's clock time. */
export function formatAgo(at: Date | string | null | undefined, nowMs: number): string {
  if (!at) return '';
  const t = (at instanceof Date ? at : new Date(at)).getTime();
  if (Number.isNaN(t)) return '';
  const diff = nowMs - t;
  if (Math.abs(diff) < 1000) return 'just now';
  return diff >= 0 ? `${formatDuration(diff)} ago` : `in ${formatDuration(-diff)}`;
}

/**
 * A stored body for reading: pretty JSON when it parses, else the text as stored. The
 * dashboard renders it as text (escaped); it is never markup.
 */
export function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** Any value as indented JSON (normalised events, rendered message bodies). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? 'null';
}

/**
 * Where a webhook goes, without anything that could be a credential: scheme and host
 * only. User info, path (Slack-style URLs carry tokens in the path) and query are dropped.
 */
export function safeOrigin(url: string): string {
  const origin = urlOrigin(url);
  return origin ? `${origin}/…` : '(invalid URL)';
}

/** A path segment that reads as a word (`hooks`, `v2`, `colt-events`), not as a token or an id. */
function wordLike(segment: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_.-]{0,23}$/.test(segment)) return false;
  // Letters and digits mixed past a few characters look like an id or a token (T024BE7LD, a1b2c3d4).
  const digits = segment.replace(/[^0-9]/g, '').length;
  return digits === 0 || (segment.length <= 4 && digits <= 2);
}

/**
 * Where a webhook goes, enough to tell two on one origin apart and nothing that could be a
 * credential: the origin and the leading path segments that read as words, never the last
 * one (tokens sit at the end: Slack- and Discord-style hooks), never user info or the query.
 * `https://oss.example.com/colt/v2/…` for `https://u:p@oss.example.com/colt/v2/hook?key=…`.
 */
export function safeUrlPrefix(url: string): string {
  const origin = urlOrigin(url);
  if (!origin) return '(invalid URL)';
  const segments = new URL(url).pathname.split('/').filter(Boolean).slice(0, -1);
  const shown: string[] = [];
  for (const segment of segments) {
    if (!wordLike(segment) || shown.length === 3) break;
    shown.push(segment);
  }
  return `${origin}/${shown.map((s) => `${s}/`).join('')}…`;
}

/** Cuts a long text for a table cell. */
export function clip(text: string | null | undefined, max = 140): string {
  if (!text) return '';
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `410 · HTTP 410 Gone`, without the code when the message already says it. */
export function errorLine(code: string | null | undefined, error: string | null | undefined): string {
  const text = error ?? 'no error recorded';
  return code && !text.includes(code) ? `${code} · ${text}` : text;
}
