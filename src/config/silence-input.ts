/**
 * A silence as an operator asks for it (API body, dashboard form, CLI flags) → the window
 * and text to store, or every problem with the field it concerns. One checker for all three
 * surfaces, so each refuses the same input with the same words.
 */
import { formatDuration, parseDuration } from '../lib/duration.js';
import { checkSilenceMatch, type SilenceIssue } from './silence-match.js';

/** What a caller may send; every field is checked here, whatever its type. */
export interface SilenceInput {
  match?: unknown;
  endsAt?: unknown;
  duration?: unknown;
  startsAt?: unknown;
  comment?: unknown;
  createdBy?: unknown;
}

export interface CheckedSilence {
  match: unknown;
  startsAt: Date;
  endsAt: Date;
  comment: string;
  createdBy: string;
}

export type SilenceInputCheck = { ok: true; silence: CheckedSilence } | { ok: false; issues: SilenceIssue[] };

export const MAX_SILENCE_COMMENT = 1000;
export const MAX_SILENCE_AUTHOR = 200;
/** Longest silence: a forgotten one should not hide notifications for ever. */
export const MAX_SILENCE_MS = 366 * 86_400_000;

/** Checks a silence request at clock time `now` (ms). `startsAt` defaults to now; `duration` counts from it. */
export function checkSilenceInput(input: SilenceInput, now: number): SilenceInputCheck {
  const issues: SilenceIssue[] = [];
  const issue = (path: string, message: string) => issues.push({ path, message });
  const match = checkSilenceMatch(input.match);
  if (!match.ok) issues.push(...match.issues);
  const comment = requiredText(input.comment, 'comment', MAX_SILENCE_COMMENT, 'why this is silenced (e.g. "Colt incident 4711")', issue);
  const createdBy = requiredText(input.createdBy, 'createdBy', MAX_SILENCE_AUTHOR, 'who silences it', issue);
  const startsAt = input.startsAt === undefined || input.startsAt === null || input.startsAt === '' ? now : time(input.startsAt, 'startsAt', issue);
  const endsAt = end(input, startsAt, now, issue);
  if (issues.length > 0 || startsAt === null || endsAt === null) return { ok: false, issues };
  return { ok: true, silence: { match: input.match, startsAt: new Date(startsAt), endsAt: new Date(endsAt), comment: comment!, createdBy: createdBy! } };
}

type Issue = (path: string, message: string) => void;

function requiredText(raw: unknown, path: string, max: number, what: string, issue: Issue): string | null {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) {
    issue(path, `is required: ${what}`);
    return null;
  }
  if (typeof raw !== 'string') {
    issue(path, 'must be text');
    return null;
  }
  if (raw.trim().length > max) {
    issue(path, `is longer than ${max} characters`);
    return null;
  }
  return raw.trim();
}

function time(raw: unknown, path: string, issue: Issue): number | null {
  const ms = typeof raw === 'string' && /^\d{4}-\d{2}-\d{2}/.test(raw) ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(ms)) {
    issue(path, 'must be an ISO 8601 time like 2026-11-27T18:00:00Z');
    return null;
  }
  return ms;
}

/** The end, from `endsAt` or `startsAt + duration` (exactly one of them). */
function end(input: SilenceInput, startsAt: number | null, now: number, issue: Issue): number | null {
  const given = (v: unknown) => v !== undefined && v !== null && v !== '';
  if (given(input.endsAt) && given(input.duration)) {
    issue('duration', 'give endsAt or duration, not both');
    return null;
  }
  if (!given(input.endsAt) && !given(input.duration)) {
    issue('duration', 'endsAt or duration is required (e.g. "duration": "2h")');
    return null;
  }
  let endsAt: number | null;
  let path = 'endsAt';
  if (given(input.duration)) {
    path = 'duration';
    const ms = typeof input.duration === 'string' ? parseDuration(input.duration) : null;
    if (ms === null) {
      issue(path, `"${String(input.duration)}" is not a duration like 30m, 2h or 1d`);
      return null;
    }
    if (ms <= 0) {
      issue(path, 'must be longer than 0');
      return null;
    }
    if (startsAt === null) return null;
    endsAt = startsAt + ms;
  } else {
    endsAt = time(input.endsAt, path, issue);
    if (endsAt === null) return null;
    if (endsAt <= now) {
      issue(path, `is in the past (now is ${new Date(now).toISOString()}): a silence must end in the future`);
      return null;
    }
  }
  if (startsAt === null) return null;
  if (endsAt <= startsAt) {
    issue(path, `must end after startsAt (${new Date(startsAt).toISOString()})`);
    return null;
  }
  if (endsAt <= now) {
    issue(path, `ends in the past (now is ${new Date(now).toISOString()}): a silence must end in the future`);
    return null;
  }
  if (endsAt - Math.max(startsAt, now) > MAX_SILENCE_MS) {
    issue(path, `is longer than ${formatDuration(MAX_SILENCE_MS)}: silence for less, and extend it if needed`);
    return null;
  }
  return endsAt;
}
