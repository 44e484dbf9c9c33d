/**
 * Quiet hours (docs/design.md#quiet-hours): when a Slack/email channel's window holds a delivery, and until when.
 * Pure, with the runtime's time-zone data (Intl) rather than a dependency.
 *
 * A window starts at `from` on each of `days` (local wall clock in `tz`) and ends at the next
 * `to`: the same day when `to` is later, the next day when it is earlier (crossing midnight).
 * A wall-clock time is the FIRST instant at which the local clock reads it or later, so:
 * - on a spring-forward day a `from`/`to` inside the skipped hour (01:30 in Europe/London on
 *   the last Sunday of March) is the moment the clock jumps (01:00 UTC, shown as 02:00 BST);
 * - on a fall-back day a time that happens twice (01:30 in October) is its first occurrence.
 */
import { WEEKDAYS } from '../config/channel-config.js';
import type { QuietHoursConfig, Weekday } from '../config/channel-config.js';

/** A local calendar date. */
interface LocalDate {
  year: number;
  month: number;
  day: number;
}

interface LocalTime extends LocalDate {
  hour: number;
  minute: number;
  second: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * The end of the quiet window that contains `at`, or null when `at` is in none. The end is
 * exclusive: at the end itself the channel may send.
 */
export function quietUntil(q: QuietHoursConfig, at: Date): Date | null {
  const now = at.getTime();
  const today = localTime(q.tz, now);
  // A window containing `at` started today or, crossing midnight, yesterday.
  for (const offset of [-1, 0]) {
    const start = addDays(today, offset);
    if (!q.days.includes(weekdayOf(start))) continue;
    const [from, to] = windowOn(q, start);
    if (from <= now && now < to) return new Date(to);
  }
  return null;
}

/** The window that starts on `date`: [start, end) in epoch milliseconds. */
function windowOn(q: QuietHoursConfig, date: LocalDate): [number, number] {
  const from = minutesOf(q.from);
  const to = minutesOf(q.to);
  const endDate = to <= from ? addDays(date, 1) : date;
  return [instantOf(q.tz, date, from), instantOf(q.tz, endDate, to)];
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

/** The first instant at which the clock in `tz` reads `minutes` past midnight of `date`, or later. */
export function instantOf(tz: string, date: LocalDate, minutes: number): number {
  const wall = Date.UTC(date.year, date.month - 1, date.day, 0, minutes);
  // Offsets either side of the wall time: they differ only when a change happens near it.
  const offsets = [...new Set([offsetAt(tz, wall - 12 * HOUR_MS), offsetAt(tz, wall + 12 * HOUR_MS)])];
  const exact = offsets.map((o) => wall - o).filter((t) => localMs(tz, t) === wall);
  if (exact.length > 0) return Math.min(...exact);
  // The wall time was skipped (spring forward): the instant the clock jumped over it.
  let before = wall - Math.max(...offsets);
  let after = wall - Math.min(...offsets);
  while (after - before > MINUTE_MS) {
    const mid = before + Math.floor((after - before) / 2 / MINUTE_MS) * MINUTE_MS;
    if (localMs(tz, mid) >= wall) after = mid;
    else before = mid;
  }
  return after;
}

/** Local wall-clock time at `t`, as if it were UTC milliseconds (seconds dropped). */
function localMs(tz: string, t: number): number {
  const l = localTime(tz, t);
  return Date.UTC(l.year, l.month - 1, l.day, l.hour, l.minute);
}

/** The zone's offset from UTC at `t`, in milliseconds (to the minute). */
function offsetAt(tz: string, t: number): number {
  const whole = Math.floor(t / MINUTE_MS) * MINUTE_MS;
  return localMs(tz, whole) - whole;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** The calendar date and clock time in `tz` at instant `t`. */
export function localTime(tz: string, t: number): LocalTime {
  const parts: Record<string, number> = {};
  for (const part of formatter(tz).formatToParts(new Date(t))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour! % 24,
    minute: parts.minute!,
    second: parts.second!,
  };
}

function addDays(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

function weekdayOf(date: LocalDate): Weekday {
  // getUTCDay: 0 is Sunday; WEEKDAYS starts on Monday.
  return WEEKDAYS[(new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay() + 6) % 7]!;
}

/** `07:00 Europe/London (2026-03-29T06:00:00Z)`: a window's end as people and logs read it. */
export function describeQuietEnd(q: QuietHoursConfig, end: Date): string {
  const l = localTime(q.tz, end.getTime());
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(l.hour)}:${pad(l.minute)} ${q.tz} (${end.toISOString().replace('.000Z', 'Z')})`;
}
