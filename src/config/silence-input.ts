/**
 * A silence as an operator asks for it (API body, dashboard form, CLI flags) → the window,
 * channels and text to store, or every problem with the field it concerns. One checker for
 * all three surfaces, so each refuses the same input with the same words.
 */
import { formatDuration, parseDuration } from '../lib/duration.js';
import { CHANNEL_NAME } from './rules/validate.js';
import { didYouMean } from '../lib/suggest.js';
import { checkSilenceMatch, type SilenceIssue } from './silence-match.js';

/** What a caller may send; every field is checked here, whatever its type. */
export interface SilenceInput {
  match?: unknown;
  endsAt?: unknown;
  duration?: unknown;
  startsAt?: unknown;
  comment?: unknown;
  createdBy?: unknown;
  /** Channel names to mute; absent or null: every channel. */
  channels?: unknown;
}

export interface CheckedSilence {
  match: unknown;
  startsAt: Date;
  endsAt: Date;
  comment: string;
  createdBy: string;
  /** Null: every channel. */
  channels: string[] | null;
}

export interface SilenceCheckOptions {
  /**
   * The channels of the rules in force, for refusing a name that is not one of them; absent
   * when the caller has no rules loaded (then any well-formed name is taken).
   */
  knownChannels?: readonly string[];
}

export type SilenceInputCheck = { ok: true; silence: CheckedSilence } | { ok: false; issues: SilenceIssue[] };

export const MAX_SILENCE_COMMENT = 1000;
export const MAX_SILENCE_AUTHOR = 200;
/** Longest silence: a forgotten one should not hide notifications for ever. */
export const MAX_SILENCE_MS = 366 * 86_400_000;

/** Most channels one silence may name. */
export const MAX_SILENCE_CHANNELS = 100;

/** Checks a silence request at clock time `now` (ms). `startsAt` defaults to now; `duration` counts from it. */
export function checkSilenceInput(input: SilenceInput, now: number, options: SilenceCheckOptions = {}): SilenceInputCheck {
  const issues: SilenceIssue[] = [];
  const issue = (path: string, message: string) => issues.push({ path, message });
  const match = checkSilenceMatch(input.match);
  if (!match.ok) issues.push(...match.issues);
  const comment = requiredText(input.comment, 'comment', MAX_SILENCE_COMMENT, 'why this is silenced (e.g. "Colt incident 4711")', issue);
  const createdBy = requiredText(input.createdBy, 'createdBy', MAX_SILENCE_AUTHOR, 'who silences it', issue);
  const startsAt = input.startsAt === undefined || input.startsAt === null || input.startsAt === '' ? now : time(input.startsAt, 'startsAt', issue);
  const endsAt = end(input, startsAt, now, issue);
  const channels = checkChannels(input.channels, options.knownChannels, issue);
  if (issues.length > 0 || startsAt === null || endsAt === null || channels === undefined) return { ok: false, issues };
  return {
    ok: true,
    silence: { match: input.match, startsAt: new Date(startsAt), endsAt: new Date(endsAt), comment: comment!, createdBy: createdBy!, channels },
  };
}

/**
 * The channel list: null when absent (every channel), the names in the order given without
 * repeats, or undefined after reporting why not. A name the rules do not define is refused,
 * naming it and the ones they do: a silence of a typo would silence nothing.
 */
function checkChannels(raw: unknown, known: readonly string[] | undefined, issue: Issue): string[] | null | undefined {
  if (raw === undefined || raw === null) return null;
  if (!Array.isArray(raw) || raw.some((name) => typeof name !== 'string')) {
    issue('channels', 'must be a list of channel names, like ["ops-slack"] (leave it out to silence every channel)');
    return undefined;
  }
  const names = [...new Set((raw as string[]).map((name) => name.trim()))];
  if (names.length === 0) {
    issue('channels', 'names no channel: list the channels to silence, or leave it out to silence every channel');
    return undefined;
  }
  if (names.length > MAX_SILENCE_CHANNELS) {
    issue('channels', `names more than ${MAX_SILENCE_CHANNELS} channels`);
    return undefined;
  }
  const malformed = names.filter((name) => !CHANNEL_NAME.test(name));
  const unknown = known ? names.filter((name) => CHANNEL_NAME.test(name) && !known.includes(name)) : [];
  for (const name of malformed) issue('channels', `"${name.slice(0, 80)}" is not a channel name (letters, digits, "-", "_" or ".")`);
  if (unknown.length > 0) {
    const named = unknown.map((name) => `"${name}"${didYouMean(name, known!)}`).join(', ');
    const defined = known!.length > 0 ? known!.join(', ') : '(none)';
    issue('channels', `unknown channel${unknown.length === 1 ? '' : 's'} ${named}; the rules define: ${defined}`);
  }
  return malformed.length > 0 || unknown.length > 0 ? undefined : names;
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
