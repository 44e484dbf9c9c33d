/**
 * The docs/design.md#notification-controls rules-file keys that shape notifications rather than route them: a channel's
 * `rateLimit` (any type) and `quietHours` (Slack, email), and a rule's `group`. Each is checked
 * here with a message naming what is wrong and, for names, the closest valid one.
 */
import { z } from 'zod';
import { HUMAN_CHANNEL_TYPES, WEEKDAYS } from '../channel-config.js';
import type { ChannelType, QuietHoursConfig, RateLimitConfig, Weekday } from '../channel-config.js';
import type { GroupConfig } from './types.js';
import type { PathSegment, PendingProblem } from './yaml.js';
import { checkMatchField } from './match.js';
import { didYouMean, oneOf, unknownName } from '../../lib/suggest.js';
import { parseDuration } from '../../lib/duration.js';

const PERIOD_MS = { s: 1_000, min: 60_000, h: 3_600_000 } as const;
const PERIODS = Object.keys(PERIOD_MS);
/** Spellings people write for a period, mapped to the one the file takes. */
const PERIOD_ALIASES: Record<string, string> = { m: 'min', mins: 'min', minute: 'min', sec: 's', second: 's', hr: 'h', hour: 'h' };
const RATE = /^\s*(\d+)\s*\/\s*([a-z]+)\s*$/i;
const RATE_HELP = 'a whole number ≥ 1, "/", then s, min or h (like "20/min")';

/** `20/min` → 20 sends per 60 000 ms; a message (never the value itself) when it is not a rate. */
export function parseRate(raw: unknown): RateLimitConfig | { error: string } {
  if (typeof raw !== 'string') return { error: `must be a rate: ${RATE_HELP}` };
  const match = RATE.exec(raw);
  if (!match) return { error: `"${raw}" is not a rate: ${RATE_HELP}` };
  const count = Number(match[1]);
  const unit = match[2]!.toLowerCase();
  if (!Object.hasOwn(PERIOD_MS, unit)) {
    const alias = PERIOD_ALIASES[unit];
    const hint = alias === undefined ? didYouMean(unit, PERIODS) : ` (did you mean "${alias}"?)`;
    return { error: `unknown period "${unit}" in "${raw}"${hint}; expected ${oneOf(PERIODS)}` };
  }
  if (!Number.isSafeInteger(count) || count < 1) return { error: `"${raw}" allows no sends: ${RATE_HELP}` };
  return { count, periodMs: PERIOD_MS[unit as keyof typeof PERIOD_MS], text: `${count}/${unit}` };
}

/** zod form of parseRate, for the channel schemas. */
export const rateLimitSchema = z.unknown().transform((raw, ctx): RateLimitConfig => {
  const rate = parseRate(raw);
  if ('error' in rate) {
    ctx.addIssue({ code: 'custom', message: rate.error });
    return z.NEVER;
  }
  return rate;
});

/** True when the runtime knows `tz` as an IANA time zone. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function timeZoneSuggestion(tz: string): string {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  // Compare the city part too: "Europe/Londn" and "London" both find Europe/London.
  const byCity = zones.map((zone) => zone.split('/').at(-1)!);
  const direct = didYouMean(tz, zones);
  if (direct) return direct;
  const city = didYouMean(tz.split('/').at(-1)!, byCity);
  if (!city) return '';
  const index = byCity.indexOf(/"(.*)"/.exec(city)![1]!);
  return ` (did you mean "${zones[index]}"?)`;
}

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

const clockTime = z.unknown().transform((raw, ctx): string => {
  if (typeof raw === 'string' && HH_MM.test(raw.trim())) return raw.trim();
  if (raw === undefined) {
    ctx.addIssue({ code: 'custom', message: 'is required' });
    return z.NEVER;
  }
  const shown = typeof raw === 'string' ? `"${raw}" ` : '';
  ctx.addIssue({ code: 'custom', message: `${shown}must be a 24-hour time "HH:MM" in quotes, like "07:00"` });
  return z.NEVER;
});

const weekday = z.unknown().transform((raw, ctx): Weekday => {
  const text = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
  if ((WEEKDAYS as readonly string[]).includes(text)) return text as Weekday;
  // "thurs", "sunday": the day spelt out, where the file takes its first three letters.
  const spelt = WEEKDAYS.find((day) => text.length > 3 && text.startsWith(day));
  const message = spelt === undefined ? unknownName('day', String(raw), WEEKDAYS) : `unknown day "${String(raw)}" (did you mean "${spelt}"?)`;
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER;
});

/** `quietHours: { tz, from, to, days? }` (Slack, email). */
export const quietHoursSchema = z
  .strictObject({
    tz: z.string().refine(isTimeZone, { error: (iss) => `unknown time zone "${String(iss.input)}"${timeZoneSuggestion(String(iss.input))}; use an IANA name like Europe/London` }),
    from: clockTime,
    to: clockTime,
    days: z
      .preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(weekday).min(1, { error: `must list at least one day: ${oneOf(WEEKDAYS)}` }))
      .optional(),
  })
  .transform((q, ctx): QuietHoursConfig => {
    if (q.from === q.to) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: `must differ from \`from\` (${q.from}): an empty window never holds anything, and a full day would hold forever` });
    }
    return { tz: q.tz, from: q.from, to: q.to, days: q.days ? [...new Set(q.days)] : [...WEEKDAYS] };
  });

/** `quietHours` on a webhook, log or colt-ticket channel: refused with the reason, before its shape is checked. */
export function checkQuietHoursType(raw: Record<string, unknown>, type: ChannelType, path: readonly PathSegment[], problems: PendingProblem[]): Record<string, unknown> {
  if (HUMAN_CHANNEL_TYPES.includes(type) || !Object.hasOwn(raw, 'quietHours')) return raw;
  problems.push({
    path: [...path, 'quietHours'],
    at: 'key',
    message: `only Slack and email channels keep quiet hours; a ${type} channel is read by a machine and is never held`,
  });
  const { quietHours: _, ...rest } = raw;
  return rest;
}

const GROUP_KEYS = ['by', 'wait', 'interval'];
/** docs/design.md#notification-controls defaults. */
export const GROUP_DEFAULT_WAIT_MS = 30_000;
export const GROUP_DEFAULT_INTERVAL_MS = 300_000;

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A rule's `group: { by, wait, interval }`; undefined (with problems) when it is not valid.
 * `by` names fields as a `match` would; `wait` ≥ 0 and `interval` ≥ 1s are durations.
 */
export function parseGroup(raw: unknown, path: readonly PathSegment[], problems: PendingProblem[]): GroupConfig | undefined {
  if (!isMap(raw)) {
    problems.push({ path, message: 'must be a map: { by: [fields], wait: 30s, interval: 5m }' });
    return undefined;
  }
  const before = problems.length;
  for (const key of Object.keys(raw)) {
    if (!GROUP_KEYS.includes(key)) problems.push({ path: [...path, key], at: 'key', message: `unknown field "${key}"${didYouMean(key, GROUP_KEYS)}` });
  }
  const by = parseBy(raw.by, [...path, 'by'], problems);
  const waitMs = parseGroupDuration(raw.wait, [...path, 'wait'], GROUP_DEFAULT_WAIT_MS, 0, problems);
  const intervalMs = parseGroupDuration(raw.interval, [...path, 'interval'], GROUP_DEFAULT_INTERVAL_MS, 1_000, problems);
  return problems.length > before ? undefined : { by, waitMs, intervalMs };
}

function parseBy(raw: unknown, path: readonly PathSegment[], problems: PendingProblem[]): string[] {
  if (raw === undefined || raw === null) return [];
  const list = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(list)) {
    problems.push({ path, message: 'must be a list of event fields, like [customerRef] or [orderType, customerRef]' });
    return [];
  }
  const fields: string[] = [];
  list.forEach((field, i) => {
    const at = typeof raw === 'string' ? path : [...path, i];
    if (typeof field !== 'string' || field.trim() === '') {
      problems.push({ path: at, message: 'must be an event field name, like customerRef' });
    } else if (fields.includes(field.trim())) {
      problems.push({ path: at, message: `"${field}" is listed twice` });
    } else if (checkMatchField(field.trim(), at, problems)) {
      fields.push(field.trim());
    }
  });
  return fields;
}

function parseGroupDuration(raw: unknown, path: readonly PathSegment[], fallback: number, minMs: number, problems: PendingProblem[]): number {
  if (raw === undefined) return fallback;
  const ms = typeof raw === 'string' ? parseDuration(raw) : null;
  if (ms === null) {
    const shown = typeof raw === 'string' ? `"${raw}"` : String(raw);
    problems.push({ path, message: `${shown} is not a duration: a number with s, m, h or d (like 30s or 5m)` });
    return fallback;
  }
  if (ms < minMs) problems.push({ path, message: `must be at least ${minMs / 1000}s` });
  return ms;
}

/** A `group` on a rule that reaches no Slack or email channel changes nothing: say so. */
export function checkGroupHasEffect(
  notify: readonly string[],
  channelTypes: Record<string, ChannelType | undefined>,
  path: readonly PathSegment[],
  problems: PendingProblem[],
): void {
  const types = notify.map((name) => channelTypes[name]);
  if (types.some((t) => t === undefined)) return;
  if (!types.some((t) => HUMAN_CHANNEL_TYPES.includes(t!))) {
    problems.push({
      path,
      at: 'key',
      message: 'has no effect: only Slack and email channels group, and this rule notifies none (webhook, log and colt-ticket stay one event per delivery)',
    });
  }
}
